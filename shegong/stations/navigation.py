from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("站点网络"), "stations:network", "stations.view_station", "diagram-3", 190, section="stations"),
    NavItem(_("站点"), "stations:list", "stations.view_station", "house-heart", 195, section="stations"),
]
