from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("招聘"), "recruitment:opening_list", "recruitment.view_jobopening", "briefcase", 240, section="registry")
]
