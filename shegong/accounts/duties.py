"""等保 三员分立 (separation of the three administrator duties) and the rules that keep it.

GB/T 22239-2019 (等保 2.0, level 3, 安全管理中心) asks for a system administrator (系统管理员), a security administrator
(安全管理员) and an audit administrator (审计管理员) whose powers are separate and check one another:

- the system admin manages accounts and settings, but cannot grant powers and cannot read the audit log;
- the security admin manages roles, permissions and grants, but cannot create accounts or set passwords, and cannot
  read the audit log;
- the audit admin only reads the audit log.

Here each duty is a set of permissions. The rules, enforced by the services (so the screens, the API and the command
line all obey them):

1. No role holds permissions of two duties (`role_set_permissions` refuses, e.g. adding audit.view_auditentry to the
   security admin's role).
2. No user holds two duties through the union of their assignments (`assignment_create` refuses, e.g. granting the
   audit admin role to a security admin; `role_set_permissions` refuses a change that would give any holder of the
   role a second duty through their other roles).
3. Nobody changes their own powers: a security admin cannot grant or revoke their own assignments, nor edit the
   permissions of a role they hold. Another security admin (or the installation command) must do it.
4. Role definitions are shared by the whole installation, so only a nationwide security admin edits them; a regional
   security admin grants roles inside their own region only (and nationwide grants only when nationwide themselves).

Together: the system admin can create an account and knows its first password, but that account has no power until a
security admin grants one; the security admin can grant, but cannot sign in as anyone. What remains (a system admin
resetting another administrator's password to sign in as them) cannot be prevented without a fourth party; it is
mitigated, not prevented: a reset forces a new password at the next sign-in, so the owner notices, and every reset,
grant and revocation is in the audit log that only the audit admin reads.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

SYSTEM = "system"
SECURITY = "security"
AUDIT = "audit"

DUTY_NAMES = {SYSTEM: _("系统管理"), SECURITY: _("安全管理"), AUDIT: _("审计")}

# Permissions that make up each duty. Django's default add/change/delete permissions of the same models are included
# so that a future screen checking them cannot become a back door.
DUTY_PERMISSIONS: dict[str, frozenset[str]] = {
    SYSTEM: frozenset({"accounts.manage_users", "accounts.add_user", "accounts.change_user", "accounts.delete_user"}),
    SECURITY: frozenset(
        {
            "accounts.manage_roles",
            "accounts.add_role",
            "accounts.change_role",
            "accounts.delete_role",
            "accounts.add_roleassignment",
            "accounts.change_roleassignment",
            "accounts.delete_roleassignment",
        }
    ),
}
# Every permission of the audit app is the audit duty (reading the log, and anything added there later).
AUDIT_APP = "audit"


def duty_of(permission: str) -> str | None:
    """The duty an "app_label.codename" permission belongs to, or None for ordinary work."""
    if permission.split(".", 1)[0] == AUDIT_APP:
        return AUDIT
    for duty, names in DUTY_PERMISSIONS.items():
        if permission in names:
            return duty
    return None


def duties_of(permissions: Iterable[str]) -> set[str]:
    return {duty for duty in map(duty_of, permissions) if duty is not None}


def describe(duties: Iterable[str]) -> str:
    return " / ".join(str(DUTY_NAMES[duty]) for duty in sorted(duties))
