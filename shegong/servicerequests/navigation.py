from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

# Right after 服务对象: requests come first in the day of a station (queue, then cases, groups, activities).
NAV_ITEMS = [
    NavItem(
        _("派单队列"),
        "servicerequests:queue",
        "servicerequests.dispatch_servicerequest",
        "inbox",
        202,
        section="services",
    ),
    NavItem(
        _("服务需求"),
        "servicerequests:list",
        "servicerequests.view_servicerequest",
        "chat-square-text",
        203,
        section="services",
    ),
    NavItem(_("我的需求"), "servicerequests:mine", "casework.add_case", "person-check", 204, section="services"),
]
