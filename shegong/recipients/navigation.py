from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("服务对象"), "recipients:list", "recipients.view_recipient", "people", 200, section="services"),
]
