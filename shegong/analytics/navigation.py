from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("统计看板"), "analytics:home", "analytics.view_dashboard", "graph-up", 860, section="analytics"),
    NavItem(
        _("统计报表"),
        "analytics:report_home",
        "analytics.view_dashboard",
        "file-earmark-text",
        861,
        section="analytics",
    ),
    NavItem(_("目标"), "analytics:targets", "analytics.view_target", "bullseye", 862, section="analytics"),
]
