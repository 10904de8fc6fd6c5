from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

# A social worker holds only the add permissions and sees the entries through them (the lists show their own rows).
NAV_ITEMS = [
    NavItem(
        _("小组"),
        "groupwork:group_list",
        ("groupwork.view_groupwork", "groupwork.add_groupwork"),
        "diagram-3",
        220,
        section="services",
    ),
    NavItem(
        _("社区活动"),
        "groupwork:activity_list",
        ("groupwork.view_communityactivity", "groupwork.add_communityactivity"),
        "calendar-event",
        230,
        section="services",
    ),
]
