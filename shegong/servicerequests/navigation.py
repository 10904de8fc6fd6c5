from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("派单队列"),
        "servicerequests:queue",
        "servicerequests.dispatch_servicerequest",
        "inbox",
        230,
        section="services",
    ),
    NavItem(
        _("服务需求"),
        "servicerequests:list",
        "servicerequests.view_servicerequest",
        "chat-square-text",
        231,
        section="services",
    ),
    NavItem(_("我的需求"), "servicerequests:mine", "casework.add_case", "person-check", 232, section="services"),
]
