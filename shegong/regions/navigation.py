from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [NavItem(_("行政区划"), "regions:browser", "regions.view_region", icon="geo-alt", order=20)]
