"""Panels other apps' pages include: 实际产出 on a project page, this year's 服务人次 on a station page."""

from django import template

from shegong.persontimes import selectors

register = template.Library()


@register.inclusion_tag("persontimes/_project_outputs.html")
def project_outputs(project):
    """Planned outputs beside the actual figures (the project page is already scoped to its viewer)."""
    return {"project": project, "lines": selectors.project_outputs(project)}


@register.inclusion_tag("persontimes/_station_person_times.html")
def station_person_times(station):
    return {"station": station, "totals": selectors.station_this_year(station)}
