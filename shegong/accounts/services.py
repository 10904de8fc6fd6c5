"""Every write to accounts: one function per action, atomic, validated, audited (DESIGN.md §5)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.accounts.models import ApiToken, Role, RoleAssignment, User
from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.fields import EncryptedCharField

TOKEN_PREFIX = "sg_"
USER_FIELDS = ["username", "display_name", "phone", "email", "home_region", "home_agency", "is_active"]


def require_perm(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


# --- Sign-in events --------------------------------------------------------------------------------------------------


@transaction.atomic
def login_succeeded(*, user: User) -> None:
    """A successful sign-in clears the failure count and any expired lock."""
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    user.failed_login_count, user.locked_until = 0, None
    record(actor=user, action=AuditEntry.Action.LOGIN, obj=user)


@transaction.atomic
def logout_recorded(*, user: User) -> None:
    record(actor=user, action=AuditEntry.Action.LOGOUT, obj=user)


@transaction.atomic
def login_failed(*, username: str) -> None:
    """One refused sign-in (called once per attempt, from the user_login_failed signal).

    Counts it toward the lockout; the N-th failure in a row locks the account for the configured minutes. Attempts
    against a locked account are audited but not counted (the lock is not extended, so an attacker cannot keep a
    person locked out forever). An unknown username is audited under the name typed, and nothing is created.
    """
    username = (username or "")[:150]
    user = User.objects.select_for_update().filter(username=username).first() if username else None
    if user is None:
        record(actor=None, actor_username=username, action=AuditEntry.Action.LOGIN_FAILED, note=_("账号不存在"))
        return
    if user.is_locked():
        record(
            actor=None, actor_username=username, action=AuditEntry.Action.LOGIN_FAILED, obj=user, note=_("账户已锁定")
        )
        return
    failures = user.failed_login_count + 1
    record(
        actor=None,
        actor_username=username,
        action=AuditEntry.Action.LOGIN_FAILED,
        obj=user,
        note=_("密码错误（连续第 %(count)d 次）") % {"count": failures},
    )
    if failures < settings.LOGIN_MAX_FAILURES:
        User.objects.filter(pk=user.pk).update(failed_login_count=failures)
        return
    locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=locked_until)
    record(
        actor=None,
        actor_username=username,
        action=AuditEntry.Action.LOCKED,
        obj=user,
        changes={"locked_until": [None, locked_until.isoformat()]},
        note=_("连续 %(count)d 次登录失败，锁定 %(minutes)d 分钟")
        % {"count": settings.LOGIN_MAX_FAILURES, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
    )


# --- Users -----------------------------------------------------------------------------------------------------------


def _validated_password(password: str, user: User) -> None:
    password_validation.validate_password(password, user)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    home_region=None,
    home_agency=None,
    must_change_password: bool = True,
) -> User:
    """Create an account. `actor=None` only for installation scripts (the demo, the first admin)."""
    if actor is not None:
        require_perm(actor, "accounts.manage_users")
    user = User(
        username=username,
        display_name=display_name,
        phone=phone,
        email=email,
        home_region=home_region,
        home_agency=home_agency,
        must_change_password=must_change_password,
    )
    user.full_clean(exclude=["password"])
    _validated_password(password, user)
    user.set_password(password)
    user.save()
    password_validation.password_changed(password, user)
    record(
        actor=actor,
        actor_username="system",
        action=AuditEntry.Action.CREATE,
        obj=user,
        changes=diff({}, snapshot(user, USER_FIELDS)),
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **changes) -> User:
    require_perm(actor, "accounts.manage_users")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, USER_FIELDS)
    for field, value in changes.items():
        if field not in USER_FIELDS:
            raise ValueError(f"user_update cannot change {field}")
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    user.save()
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=user, changes=diff(before, snapshot(user, USER_FIELDS)))
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str, must_change: bool = False) -> None:
    """Change a password: by the user (must_change clears) or by the system admin (a reset: must_change is set)."""
    if actor.pk != user.pk:
        require_perm(actor, "accounts.manage_users")
    _validated_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "must_change_password"])
    password_validation.password_changed(password, user)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=user, changes={"password": ["***", "***"]})


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> None:
    require_perm(actor, "accounts.manage_users")
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_login_count=0)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=user, changes={"locked_until": ["…", None]})


@transaction.atomic
def reveal_personal_value(*, actor: User, obj, field_name: str) -> str:
    """The unmasked value of an encrypted field, for someone allowed to see it; the viewing itself is audited.

    Checks the permission; the caller has already fetched `obj` through the data scope (get_scoped_or_404), because
    being out of scope must look like "not found", which is the view's answer to give.
    """
    require_perm(actor, "accounts.reveal_personal_data")
    field = obj._meta.get_field(field_name)
    if not isinstance(field, EncryptedCharField):
        raise ValueError(f"{obj._meta.label}.{field_name} is not an encrypted personal-data field")
    value = getattr(obj, field.attname)
    record(
        actor=actor,
        action=AuditEntry.Action.REVEAL,
        obj=obj,
        note=_("查看了完整的「%(field)s」（%(name)s）") % {"field": field.verbose_name, "name": field_name},
    )
    return value


# --- Roles and assignments (the security admin's work) -------------------------------------------------------------


@transaction.atomic
def role_set_permissions(*, actor: User, role: Role, permissions: list[Permission]) -> Role:
    require_perm(actor, "accounts.manage_roles")
    role = Role.objects.select_for_update().get(pk=role.pk)
    before = sorted(f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.select_related("content_type"))
    role.permissions.set(permissions)
    after = sorted(f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.select_related("content_type"))
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=role, changes={"permissions": [before, after]})
    return role


@transaction.atomic
def assignment_create(*, actor: User | None, user: User, role: Role, region=None, agency=None) -> RoleAssignment:
    if actor is not None:
        require_perm(actor, "accounts.manage_roles")
    if region is not None and agency is not None:
        raise ValidationError(_("一项授权只能指定区划或机构之一。"))
    if RoleAssignment.objects.filter(user=user, role=role, region=region, agency=agency).exists():
        raise ValidationError(_("该用户已有这项授权。"))
    assignment = RoleAssignment(user=user, role=role, region=region, agency=agency)
    assignment.full_clean()
    assignment.save()
    record(
        actor=actor,
        actor_username="system",
        action=AuditEntry.Action.CREATE,
        obj=assignment,
        changes=diff({}, snapshot(assignment)),
    )
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User, assignment: RoleAssignment) -> None:
    require_perm(actor, "accounts.manage_roles")
    before = snapshot(assignment)
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=assignment, changes=diff(before, {}))
    assignment.delete()


# --- API tokens ------------------------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a token for the actor; returns it with the secret, which is never shown again."""
    if not name.strip():
        raise ValidationError(_("请填写令牌用途。"))
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(_("有效期须在 1 到 %(max)d 天之间。") % {"max": settings.API_TOKEN_MAX_DAYS})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        prefix=secret[:10],
        token_hash=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=token,
        changes=diff({}, snapshot(token, ["name", "prefix", "expires_at"])),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        require_perm(actor, "accounts.manage_users")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=token,
            changes={"revoked_at": [None, str(token.revoked_at)]},
        )


def token_authenticate(secret: str) -> User | None:
    """The active user behind a usable token, or None. Records the last use (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=token_digest(secret)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
