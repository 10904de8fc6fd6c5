from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("慈善捐赠站点"), "charity:points", "charity.view_charitypoint", "heart", 640, section="volunteers"),
    NavItem(_("捐赠登记"), "charity:donations", "charity.view_donation", "gift", 641, section="volunteers"),
    NavItem(
        _("捐赠拨付"), "charity:allocations", "charity.view_allocation", "box-arrow-right", 642, section="volunteers"
    ),
]
