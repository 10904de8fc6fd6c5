from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("社工人才库"), "workers:list", "workers.view_socialworker", "person-vcard", 210, section="registry"),
    NavItem(_("我的档案"), "workers:me", "workers.view_own_profile", "person-badge", 40),
]
