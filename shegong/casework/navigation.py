from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

# Staff of a scope see 个案 (view_case); whoever may carry cases (add_case: social workers, who hold no view_case, and
# station heads) sees 我的个案, the cases they carry as 承办社工.
NAV_ITEMS = [
    NavItem(_("个案"), "casework:list", "casework.view_case", "journal-medical", 210, section="services"),
    NavItem(_("我的个案"), "casework:mine", "casework.add_case", "journal-check", 211, section="services"),
]
