from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

# 三员分立: each administrator sees only the screen of their own duty (see duties.py).
NAV_ITEMS = [
    NavItem(_("用户管理"), "accounts:user_list", "accounts.manage_users", "people", 900, section="system"),
    NavItem(_("角色与授权"), "accounts:role_list", "accounts.manage_roles", "shield-lock", 910, section="system"),
]
