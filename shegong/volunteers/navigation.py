from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("志愿者"), "volunteers:list", "volunteers.view_volunteer", "person-heart", 800, section="volunteers"),
    NavItem(_("志愿服务队"), "volunteers:teams", "volunteers.view_volunteerteam", "people", 810, section="volunteers"),
    NavItem(
        _("志愿服务记录"),
        "volunteers:records",
        "volunteers.view_servicerecord",
        "clock-history",
        820,
        section="volunteers",
    ),
    # The volunteer's own record: the 志愿者 role's one permission is signing up for needs (shegong/volunteering).
    NavItem(_("我的志愿档案"), "volunteers:me", "volunteering.add_signup", "person-badge", 830, section="volunteers"),
]

# Volunteer service certificates (志愿服务记录证明, helper V1b): the staff list, and the volunteer's own.
NAV_ITEMS += [
    NavItem(
        _("志愿服务记录证明"),
        "volunteers:certificate_list",
        "volunteers.view_certificate",
        "patch-check",
        825,
        section="volunteers",
    ),
    NavItem(
        _("我的证明"), "volunteers:certificate_mine", "volunteering.add_signup", "award", 835, section="volunteers"
    ),
]
