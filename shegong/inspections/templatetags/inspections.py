"""`{% rectification_panel station=station %}` / `{% rectification_panel agency=agency %}`: the open and overdue
rectification items of a station or an agency, as the viewer may see them (selectors.owner_panel: two queries,
whatever the number of items). Renders nothing for a viewer without the permission.

`{% project_inspections project %}`: the inspections linked to a project and their rectification items, for the
project's page (selectors.project_panel)."""

from django import template
from django.utils import timezone

from shegong.inspections import selectors

register = template.Library()


@register.inclusion_tag("inspections/_owner_panel.html", takes_context=True)
def rectification_panel(context, station=None, agency=None) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or (station is None and agency is None):
        return {"panel": None}
    panel = selectors.owner_panel(user, station=station, agency=agency, day=timezone.localdate())
    return {"panel": panel, "station": station, "agency": agency}


@register.inclusion_tag("inspections/_project_panel.html", takes_context=True)
def project_inspections(context, project) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"panel": None}
    return {"panel": selectors.project_panel(user, project, timezone.localdate())}
