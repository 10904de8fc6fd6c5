from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("服务人次"), "persontimes:summary", "persontimes.view_persontime", "bar-chart", 290, section="services"),
]
