"""The "服务项目" panel that the station and agency pages include: the projects covering the station, or contracted
by the agency, as the viewer may see them (projects.selectors, two queries; nothing is queried per row)."""

from django import template

from shegong.projects import selectors

register = template.Library()
VIEW = selectors.VIEW


@register.inclusion_tag("projects/_projects_panel.html", takes_context=True)
def projects_panel(context, station=None, agency=None) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(VIEW) or (station is None and agency is None):
        return {"shown": False}
    if station is not None:
        projects = selectors.projects_of_stations(user, [station.pk]).get(station.pk, [])
    else:
        projects = selectors.projects_of_agency(user, agency)
    return {"shown": True, "projects": projects, "for_agency": agency is not None}
