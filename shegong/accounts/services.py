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

from shegong.accounts import duties
from shegong.accounts.models import ApiToken, Role, RoleAssignment, User
from shegong.accounts.selectors import assignable_permissions, grant_covers, is_nationwide, role_permission_names
from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.fields import EncryptedCharField
from shegong.core.scope import in_scope

TOKEN_PREFIX = "sg_"
USER_FIELDS = [
    "username",
    "display_name",
    "phone",
    "email",
    "home_region",
    "home_agency",
    "is_active",
    "must_change_password",
]


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

# What an administrator may change after creation. The username stays fixed: audit rows keep the actor's username.
USER_EDITABLE_FIELDS = ["display_name", "phone", "email", "home_region", "home_agency", "is_active"]
MANAGE_USERS = "accounts.manage_users"
MANAGE_ROLES = "accounts.manage_roles"


def _validated_password(password: str, user: User) -> None:
    password_validation.validate_password(password, user)


def _require_in_scope(actor: User, obj, perm: str) -> None:
    # Views answer 404 before getting here (get_scoped_or_404); this guards the other callers (API, commands).
    if not in_scope(actor, obj, perm):
        raise PermissionDenied(_("该对象不在您的管辖范围内。"))


def _check_home(actor: User | None, home_region, home_agency, *, fields=("home_region", "home_agency")) -> None:
    """An administrator places accounts only inside their own scope (and only a nationwide one places them nowhere)."""
    if actor is None:
        return
    if home_region is None and home_agency is None:
        if not grant_covers(actor, MANAGE_USERS):
            raise ValidationError({"home_region": _("请指定所属区划或所属机构。")})
        return
    if (
        "home_region" in fields
        and home_region is not None
        and not grant_covers(actor, MANAGE_USERS, region=home_region)
    ):
        raise ValidationError({"home_region": _("所属区划不在您的管辖范围内。")})
    if (
        "home_agency" in fields
        and home_agency is not None
        and not grant_covers(actor, MANAGE_USERS, agency=home_agency)
    ):
        raise ValidationError({"home_agency": _("所属机构不在您的管辖范围内。")})


def _user_snapshot(user: User) -> dict:
    values = snapshot(user, USER_FIELDS)
    # The phone is masked in the log; a change hidden by the mask must still show that something changed.
    values["_phone_changed_marker"] = user.phone
    return values


def _user_diff(before: dict, after: dict) -> dict:
    raw_before, raw_after = before.pop("_phone_changed_marker"), after.pop("_phone_changed_marker")
    changes = diff(before, after)
    if raw_before != raw_after and "phone" not in changes:
        changes["phone"] = [before.get("phone"), f"{after.get('phone')} ({_('已修改')})"]
    return changes


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
    """Create an account with no role: granting one is the security admin's work (三员分立, see duties.py).

    `actor=None` only for installation scripts (the demo, `shegong accounts create-admin`).
    """
    if actor is not None:
        require_perm(actor, MANAGE_USERS)
    if home_agency is not None and home_region is None:
        # Staff of an agency are administered under the agency's region, so that region's system admin keeps them.
        home_region = home_agency.region
    _check_home(actor, home_region, home_agency)
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
    # save() also calls the validators' password_changed (the password history): calling it again would store twice.
    user.save()
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
    """Change an account's details or deactivate / reactivate it (accounts are never deleted: audit rows point at
    them)."""
    require_perm(actor, MANAGE_USERS)
    unknown = set(changes) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"user_update cannot change {', '.join(sorted(unknown))}")
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_in_scope(actor, user, MANAGE_USERS)
    if changes.get("is_active") is False and user.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账户。"))
    before = _user_snapshot(user)
    moved = [
        name for name in ("home_region", "home_agency") if name in changes and changes[name] != getattr(user, name)
    ]
    for name, value in changes.items():
        setattr(user, name, value)
    if user.home_agency is not None and user.home_region is None:
        user.home_region = user.home_agency.region
        moved.append("home_region")
    if moved:
        _check_home(actor, user.home_region, user.home_agency, fields=moved)
    user.full_clean(exclude=["password"])
    user.save()
    changed = _user_diff(before, _user_snapshot(user))
    if changed:
        action_note = ""
        if "is_active" in changed:
            action_note = _("启用账户") if user.is_active else _("停用账户")
        record(actor=actor, action=AuditEntry.Action.UPDATE, obj=user, changes=changed, note=action_note)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str, must_change: bool | None = None) -> None:
    """Change a password. By its owner: the must-change flag clears. By the system admin (a reset): by default the
    owner must choose a new one at the next sign-in, so no administrator keeps a working password of someone else."""
    resetting = actor.pk != user.pk
    if resetting:
        require_perm(actor, MANAGE_USERS)
        _require_in_scope(actor, user, MANAGE_USERS)
    if must_change is None:
        must_change = resetting
    _validated_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change
    # save() calls the validators' password_changed: the history row and password_changed_at.
    user.save(update_fields=["password", "must_change_password"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=user,
        changes={"password": ["***", "***"], "must_change_password": [None, str(must_change)]},
        note=_("管理员重置密码") if resetting else _("本人修改密码"),
    )


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> None:
    require_perm(actor, MANAGE_USERS)
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_in_scope(actor, user, MANAGE_USERS)
    before = {"locked_until": str(user.locked_until) if user.locked_until else None, "failed_login_count": None}
    before["failed_login_count"] = str(user.failed_login_count)
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_login_count=0)
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=user,
        changes=diff(before, {"locked_until": None, "failed_login_count": "0"}),
        note=_("解锁账户"),
    )


@transaction.atomic
def reveal_to_owner_allowed(actor, model, pk, field_name: str) -> bool:
    """A model may let the owner of a row see some fields in full without the reveal permission (`reveal_to_owner`):
    the worker assigned to a resident's request calls the phone the resident left to be contacted on."""
    from shegong.core.scope import owned_by

    return field_name in getattr(model, "reveal_to_owner", ()) and owned_by(actor, model, pk) is not None


def may_reveal(actor, obj, field_name: str) -> bool:
    return actor.has_perm("accounts.reveal_personal_data") or reveal_to_owner_allowed(
        actor, type(obj), obj.pk, field_name
    )


def reveal_personal_value(*, actor: User, obj, field_name: str) -> str:
    """The unmasked value of an encrypted field, for someone allowed to see it; the viewing itself is audited.

    Checks the permission (or the row's owner, for the fields its model opens to the owner); the caller has already
    fetched `obj` through the data scope (get_scoped_or_404), because being out of scope must look like "not found",
    which is the view's answer to give.
    """
    if not reveal_to_owner_allowed(actor, type(obj), obj.pk, field_name):
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


# --- Roles and assignments (the security admin's work; 三员分立 rules in duties.py) ---------------------------------


def _duty_conflict(found: set[str]) -> ValidationError:
    return ValidationError(
        _("三员分立：同一角色或同一用户不能同时具有 %(duties)s 职责。") % {"duties": duties.describe(found)},
        code="duty_conflict",
    )


def _permission_names(permissions) -> dict[int, str]:
    ids = [permission.pk for permission in permissions]
    return {
        pk: f"{app_label}.{codename}"
        for pk, app_label, codename in Permission.objects.filter(pk__in=ids).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }


@transaction.atomic
def role_set_permissions(*, actor: User, role: Role, permissions: list[Permission]) -> Role:
    """Replace a role's permissions. Role definitions apply to the whole installation, so only a nationwide security
    admin changes them, never for a role they hold, and never so that one role or one holder gets two duties."""
    require_perm(actor, MANAGE_ROLES)
    if not is_nationwide(actor, MANAGE_ROLES):
        raise PermissionDenied(_("角色定义对全系统生效，只有全国范围的安全管理员可以修改角色的权限。"))
    # Lock order: the role, then its holders (assignment_create does the same), so concurrent changes queue.
    role = Role.objects.select_for_update().get(pk=role.pk)
    holder_ids = list(
        User.objects.select_for_update()
        .filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
        .values_list("pk", flat=True)
    )
    if actor.pk in holder_ids:
        raise ValidationError(_("不能修改自己所持角色的权限：请由另一位安全管理员操作。"), code="own_role")
    permissions = list(permissions)
    names = _permission_names(permissions)
    allowed = set(assignable_permissions().filter(pk__in=list(names)).values_list("pk", flat=True))
    if len(names) != len({p.pk for p in permissions}) or set(names) - allowed:
        raise ValidationError(_("包含不能分配给角色的权限。"), code="not_assignable")
    found = duties.duties_of(names.values())
    if len(found) > 1:
        raise _duty_conflict(found)
    if found:
        # A holder must not reach a second duty through one of their other roles.
        others = list(
            RoleAssignment.objects.filter(user_id__in=holder_ids)
            .exclude(role=role)
            .select_related("user")
            .order_by("user__username")
        )
        other_perms = role_permission_names({a.role_id for a in others})
        for other in others:
            combined = found | duties.duties_of(other_perms[other.role_id])
            if len(combined) > 1:
                raise ValidationError(
                    _("三员分立：持有此角色的用户 %(user)s 将同时具有 %(duties)s 职责。")
                    % {"user": other.user, "duties": duties.describe(combined)},
                    code="duty_conflict",
                )
    before = sorted(
        f"{app_label}.{codename}"
        for app_label, codename in role.permissions.values_list("content_type__app_label", "codename")
    )
    role.permissions.set(permissions)
    after = sorted(names.values())
    if before != after:
        record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=role,
            changes={
                "permissions": [before, after],
                "added": sorted(set(after) - set(before)),
                "removed": sorted(set(before) - set(after)),
            },
        )
    return role


@transaction.atomic
def assignment_create(*, actor: User | None, user: User, role: Role, region=None, agency=None) -> RoleAssignment:
    """Grant a role over a region's subtree, one agency, or (neither) the whole country.

    A security admin grants only inside their own scope (nationwide only when nationwide themselves), never to
    themselves, and never so that the user holds two of the three admin duties. `actor=None` only for installation
    scripts (the demo, `shegong accounts create-admin`), which still obey the duty rule.
    """
    if region is not None and agency is not None:
        raise ValidationError(_("一项授权只能指定区划或机构之一。"))
    if actor is not None:
        require_perm(actor, MANAGE_ROLES)
        if actor.pk == user.pk:
            raise ValidationError(_("不能给自己授权：请由另一位安全管理员操作。"), code="self_grant")
        _require_in_scope(actor, user, MANAGE_ROLES)
        if not grant_covers(actor, MANAGE_ROLES, region=region, agency=agency):
            if region is None and agency is None:
                raise ValidationError(_("只有全国范围的安全管理员可以授予全国范围的角色。"), code="out_of_scope")
            raise ValidationError(_("授权范围超出了您的管辖范围。"), code="out_of_scope")
    # Lock order as in role_set_permissions: the role, then the user; concurrent grants to one user queue here, so
    # the duty check below sees every assignment the user has.
    role = Role.objects.select_for_update().get(pk=role.pk)
    holder = User.objects.select_for_update().get(pk=user.pk)
    if not holder.is_active:
        raise ValidationError(_("该账户已停用，不能授权。"), code="inactive")
    if RoleAssignment.objects.filter(user=holder, role=role, region=region, agency=agency).exists():
        raise ValidationError(_("该用户已有这项授权。"), code="duplicate")
    held_roles = set(RoleAssignment.objects.filter(user=holder).values_list("role_id", flat=True))
    perms = role_permission_names(held_roles | {role.pk})
    combined = set().union(*(duties.duties_of(names) for names in perms.values()))
    if len(combined) > 1:
        raise ValidationError(
            _("三员分立：授予该角色后，此用户将同时具有 %(duties)s 职责。") % {"duties": duties.describe(combined)},
            code="duty_conflict",
        )
    assignment = RoleAssignment(user=holder, role=role, region=region, agency=agency)
    assignment.full_clean()
    assignment.save()
    record(
        actor=actor,
        actor_username="system",
        action=AuditEntry.Action.CREATE,
        obj=assignment,
        changes=diff({}, snapshot(assignment)),
    )
    user.__dict__.pop("_shegong_grants", None)  # the caller's object must not keep its old permissions
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User, assignment: RoleAssignment) -> None:
    require_perm(actor, MANAGE_ROLES)
    if assignment.user_id == actor.pk:
        raise ValidationError(_("不能撤销自己的授权：请由另一位安全管理员操作。"), code="self_grant")
    _require_in_scope(actor, assignment, MANAGE_ROLES)
    before = snapshot(assignment)
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=assignment, changes=diff(before, {}))
    assignment.delete()


# --- API tokens ------------------------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    # A token is 32 random bytes, so a plain SHA-256 is enough (no slow hash needed, unlike a password).
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a token for the actor; returns it with the secret, which is stored only as a hash and never shown
    again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌用途。")})
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError({"days": _("有效期须在 1 到 %(max)d 天之间。") % {"max": settings.API_TOKEN_MAX_DAYS}})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        name=name,
        prefix=secret[:10],
        token_hash=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=token,
        changes=diff({}, snapshot(token, ["name", "prefix", "expires_at"])),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    """Revoke a token: its owner, or the system admin of the owner's account (for a leaked token)."""
    if token.user_id != actor.pk:
        require_perm(actor, MANAGE_USERS)
        _require_in_scope(actor, token.user, MANAGE_USERS)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
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
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=token_digest(secret)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
