from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("服务项目"), "projects:list", "projects.view_project", "briefcase", 200, section="projects"),
]
