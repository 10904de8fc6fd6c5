"""`{% agency_badge agency %}`: the mark an agency carries wherever it appears (DESIGN.md §3, issue 3): 异常名录 or
黑名单 while it is on the list, nothing when its status is normal (unless `show_normal=True`), and with
`show_rating=True` the rating level in force today.

It reads the agency's cached latest entries (Agency.current_status), so a list of agencies costs no extra query.
Other apps load it with `{% load agencies %}`; the agency may be None (an optional foreign key), which renders nothing.
"""

from django import template

from shegong.agencies.models import AgencyStatus

register = template.Library()

STATUS_CSS = {
    AgencyStatus.NORMAL: "text-bg-success",
    AgencyStatus.ABNORMAL: "text-bg-warning",
    AgencyStatus.BLACKLIST: "text-bg-danger",
}
STATUS_ICONS = {
    AgencyStatus.NORMAL: "check-circle",
    AgencyStatus.ABNORMAL: "exclamation-triangle-fill",
    AgencyStatus.BLACKLIST: "slash-circle-fill",
}


@register.inclusion_tag("agencies/_badge.html")
def agency_badge(agency, show_rating: bool = False, show_normal: bool = False) -> dict:
    if agency is None:
        return {"agency": None}
    status = agency.current_status()
    level = agency.current_rating_level() if show_rating else None
    return {
        "agency": agency,
        "status": status,
        "status_label": AgencyStatus(status).label,
        "listed": status != AgencyStatus.NORMAL,
        "show_status": status != AgencyStatus.NORMAL or show_normal,
        "css": STATUS_CSS[status],
        "icon": STATUS_ICONS[status],
        "since": agency.latest_status_from if status != AgencyStatus.NORMAL else None,
        "level": level,
    }
