from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("时间银行账户"), "timebank:accounts", "timebank.view_account", "piggy-bank", 850, section="volunteers"),
    NavItem(_("时间银行供需"), "timebank:offers", "timebank.view_offer", "arrow-left-right", 851, section="volunteers"),
    NavItem(_("我的时间银行"), "timebank:my", "timebank.add_offer", "hourglass-split", 852, section="volunteers"),
]
