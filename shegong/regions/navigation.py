from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

# Reference data, with the dictionaries near the end of the menu.
NAV_ITEMS = [NavItem(_("行政区划"), "regions:browser", "regions.view_region", "geo-alt", 880, section="system")]
