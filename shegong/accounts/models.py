from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedCharField
from shegong.core.scope import DataScope


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments, never from Django's own flags."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedCharField(_("手机号"), kind="phone", index_field="phone_index")
    phone_index = BlindIndexField()
    # The region or agency the account is administered under: the system admin of that region manages it.
    home_region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    home_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failed_login_count = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    data_scope = DataScope(region="home_region", agency="home_agency", owner="pk")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        permissions = [
            ("manage_users", _("管理用户账户")),
            ("manage_roles", _("管理角色与授权")),
            ("reveal_personal_data", _("查看完整的身份证号和手机号")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class Role(models.Model):
    """A named set of permissions. Built-in roles follow DESIGN.md §1, including 等保 三员分立 (the three admins)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("说明"), blank=True)
    permissions = models.ManyToManyField(Permission, verbose_name=_("权限"), blank=True, related_name="+")
    is_builtin = models.BooleanField(_("内置"), default=False)
    # The built-in defaults already offered to this role ("app.codename"): a default the security admin removed is in
    # this list and is not given back; a default added by a later release is not, and is granted once.
    defaults_applied = models.JSONField(_("已应用的默认权限"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A user holds a role over a region's subtree, over one agency, or nationwide (neither)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.ForeignKey(Role, verbose_name=_("角色"), on_delete=models.PROTECT, related_name="assignments")
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    data_scope = DataScope(region="region", agency="agency", owner="user")

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user", "role", "region", "agency"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(region__isnull=False, agency__isnull=False), name="assignment_region_xor_agency"
            ),
            # One constraint per shape, because NULLs are distinct in a plain unique constraint (and SQLite has no
            # NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=models.Q(region__isnull=False),
                name="assignment_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                condition=models.Q(agency__isnull=False),
                name="assignment_unique_agency",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(region__isnull=True, agency__isnull=True),
                name="assignment_unique_nationwide",
            ),
        ]

    def __str__(self) -> str:
        where = self.region or self.agency or _("全国")
        return f"{self.user} · {self.role} · {where}"


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, so that a new one cannot repeat the last few."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A personal access token for the REST API: stored as a SHA-256 hash, shown once, revocable, expiring."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    data_scope = DataScope(owner="user")

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
