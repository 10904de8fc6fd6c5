from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("服务项目"), "projects:list", "projects.view_project", "briefcase", 200),
    NavItem(_("不合规项目"), "projects:failing", "projects.view_project", "exclamation-triangle", 205),
]
