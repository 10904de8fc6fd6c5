from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("志愿需求"),
        "volunteering:need_list",
        "volunteering.view_volunteerneed",
        "megaphone",
        620,
        section="volunteers",
    ),
    NavItem(
        _("社工志愿者联动"),
        "volunteering:linkage_list",
        "volunteering.view_volunteerneed",
        "diagram-3",
        621,
        section="volunteers",
    ),
    NavItem(
        _("附近的志愿需求"), "volunteering:near_list", "volunteering.add_signup", "geo-alt", 622, section="volunteers"
    ),
    NavItem(
        _("我的报名"), "volunteering:my_signups", "volunteering.add_signup", "calendar-check", 623, section="volunteers"
    ),
]
