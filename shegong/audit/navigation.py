from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

NAV_ITEMS = [NavItem(_("操作日志"), "audit:list", "audit.view_auditentry", "journal-text", 900, section="system")]
