from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [NavItem(_("社工机构"), "agencies:list", "agencies.view_agency", "building", 200, section="registry")]
