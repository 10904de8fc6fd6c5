from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("政策规则集"), "policies:profile_list", "policies.view_policyprofile", "journal-text", 880, section="system"
    )
]
