from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("转介"), "referrals:list", "referrals.view_referral", "arrow-left-right", 240, section="services"),
    NavItem(
        _("转入转介"), "referrals:incoming", "referrals.answer_referral", "box-arrow-in-right", 241, section="services"
    ),
]
