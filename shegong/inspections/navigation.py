from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("督查"),
        "inspections:plan_list",
        "inspections.view_inspectionplan",
        "clipboard-check",
        260,
        section="projects",
    ),
    NavItem(
        _("整改"),
        "inspections:item_list",
        "inspections.view_rectificationitem",
        "wrench-adjustable",
        265,
        section="projects",
    ),
]
