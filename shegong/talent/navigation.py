from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("督导与人才"),
        "talent:supervisor_list",
        "talent.view_supervisorprofile",
        "mortarboard",
        230,
        section="registry",
    )
]
