from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

# For the system administrator who maintains the lists; others read them where they are used (and at /refdata/).
NAV_ITEMS = [
    NavItem(_("字典管理"), "refdata:dictionary_list", "refdata.change_dictionary", "list-ul", 890, section="system")
]
