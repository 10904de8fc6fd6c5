from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("执业登记"), "registration:list", "registration.view_registration", "patch-check", 215, section="registry"
    ),
    NavItem(
        _("继续教育"), "registration:training_list", "registration.view_trainingrecord", "book", 218, section="registry"
    ),
]
