"""Reads for accounts, always scoped to the actor (DESIGN.md §5: selectors hold the reads, views stay thin)."""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shegong.accounts import duties
from shegong.accounts.models import ApiToken, Role, RoleAssignment, User
from shegong.core.scope import Grant, grants_of, region_q, scoped
from shegong.regions.codes import ancestor_codes, subtree_bounds
from shegong.regions.models import Region

# --- Grants and permissions ------------------------------------------------------------------------------------------


def assignment_grants(user: User) -> list:
    """The user's assignments with their roles' permissions, in two queries."""
    assignments = list(RoleAssignment.objects.filter(user=user).select_related("role", "region").order_by("id"))
    role_ids = {a.role_id for a in assignments}
    perms_by_role: dict[int, set[str]] = {role_id: set() for role_id in role_ids}
    for role_id, app_label, codename in Role.permissions.through.objects.filter(role_id__in=role_ids).values_list(
        "role_id", "permission__content_type__app_label", "permission__codename"
    ):
        perms_by_role[role_id].add(f"{app_label}.{codename}")
    return [
        Grant(
            role=a.role.code,
            permissions=frozenset(perms_by_role[a.role_id]),
            region_code=a.region_id,
            region_level=a.region.level if a.region_id else None,
            agency_id=a.agency_id,
        )
        for a in assignments
    ]


def user_permissions(user: User) -> set[str]:
    perms: set[str] = set()
    for grant in grants_of(user):
        perms |= grant.permissions
    return perms


def user_roles(user: User) -> list[str]:
    return sorted({grant.role for grant in grants_of(user)})


def is_nationwide(user: User, perm: str) -> bool:
    """Whether one of the user's assignments that grants `perm` covers the whole country."""
    return any(grant.nationwide for grant in grants_of(user) if perm in grant.permissions)


def grant_covers(user: User, perm: str, *, region: Region | None = None, agency=None) -> bool:
    """Whether the user's assignments granting `perm` cover a region (its whole subtree) or an agency.

    With neither given the question is "the whole country", which only a nationwide assignment covers. An agency is
    covered by an assignment to that agency or to a region that contains the agency's region.
    """
    grants = [grant for grant in grants_of(user) if perm in grant.permissions]
    if any(grant.nationwide for grant in grants):
        return True
    if region is None and agency is None:
        return False
    target = region if region is not None else agency.region
    for grant in grants:
        if agency is not None and grant.agency_id == agency.pk:
            return True
        if grant.region_code:
            low, high = subtree_bounds(grant.region_code, grant.region_level)
            if low <= target.code <= high:
                return True
    return False


def role_permission_names(role_ids) -> dict[int, set[str]]:
    """ "app_label.codename" permissions of each role, in one query."""
    names: dict[int, set[str]] = {role_id: set() for role_id in role_ids}
    for role_id, app_label, codename in Role.permissions.through.objects.filter(role_id__in=list(role_ids)).values_list(
        "role_id", "permission__content_type__app_label", "permission__codename"
    ):
        names[role_id].add(f"{app_label}.{codename}")
    return names


def role_label(role: Role) -> str:
    """A role's name in the current language. Built-in roles are stored with their Chinese name, which is also the
    message id in the catalogue (roles.py marks it), so it translates; a role someone named stays as named."""
    return gettext(role.name) if role.is_builtin else role.name


def role_description(role: Role) -> str:
    return gettext(role.description) if role.is_builtin and role.description else role.description


# --- Users -----------------------------------------------------------------------------------------------------------


@dataclass
class UserFilters:
    query: str = ""
    role: Role | None = None
    region: Region | None = None
    active: bool | None = None
    locked: bool | None = None


def user_list(*, actor: User, filters: UserFilters | None = None, perm: str = "accounts.view_user") -> QuerySet[User]:
    """The users the actor may see, filtered; each with their (in-scope) assignments prefetched."""
    filters = filters or UserFilters()
    users = scoped(User, actor, perm)
    visible_assignments = scoped(RoleAssignment, actor, perm)
    if filters.query:
        text = filters.query.strip()
        users = users.filter(Q(username__icontains=text) | Q(display_name__icontains=text))
    if filters.role is not None:
        users = users.filter(pk__in=visible_assignments.filter(role=filters.role).values("user_id"))
    if filters.region is not None:
        users = users.filter(region_q("home_region", filters.region.code, filters.region.level))
    if filters.active is not None:
        users = users.filter(is_active=filters.active)
    if filters.locked is not None:
        locked = Q(locked_until__gt=timezone.now())
        # ~Q(...) on a nullable column also keeps the NULL rows (never locked), which is what "not locked" means.
        users = users.filter(locked if filters.locked else ~locked)
    return (
        users.select_related("home_region", "home_agency")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=visible_assignments.select_related("role", "region", "agency").order_by("role__code", "id"),
                to_attr="visible_assignments",
            )
        )
        .order_by("username")
    )


def user_assignments(*, actor: User, user: User, perm: str) -> QuerySet[RoleAssignment]:
    """The user's assignments that the actor may see (an assignment elsewhere in the country stays hidden)."""
    return (
        scoped(RoleAssignment, actor, perm)
        .filter(user=user)
        .select_related("role", "region", "agency")
        .order_by("role__code", "region_id", "agency_id")
    )


def assignments_of(user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related("role", "region", "agency")


# --- Where a user's scope lies, for people -------------------------------------------------------------------------


def region_paths(regions) -> dict[str, list[Region]]:
    """Each region's path from its province down to itself (广东省 › 广州市 › 越秀区), in one query for all."""
    regions = [region for region in regions if region is not None]
    wanted = {code for region in regions for code in ancestor_codes(region.code, region.level)}
    found = {region.code: region for region in Region.objects.filter(code__in=wanted).only("code", "name", "level")}
    return {
        region.code: [found[code] for code in reversed(ancestor_codes(region.code, region.level)) if code in found]
        for region in regions
    }


@dataclass
class ScopeLine:
    """One assignment as a person reads it: the role and where it applies."""

    assignment: RoleAssignment
    path: list[Region] = field(default_factory=list)

    @property
    def role(self) -> Role:
        return self.assignment.role

    @property
    def role_label(self) -> str:
        return role_label(self.assignment.role)

    @property
    def nationwide(self) -> bool:
        return self.assignment.region_id is None and self.assignment.agency_id is None

    @property
    def where(self) -> str:
        if self.path:
            return " › ".join(region.name for region in self.path)
        if self.assignment.agency_id:
            return str(self.assignment.agency)
        return str(_("全国"))


def scope_lines(assignments) -> list[ScopeLine]:
    assignments = list(assignments)
    paths = region_paths(a.region for a in assignments)
    return [ScopeLine(assignment=a, path=paths.get(a.region_id, [])) for a in assignments]


def my_scope(user: User) -> list[ScopeLine]:
    """What the home page and /api/v1/accounts/me show: each of the user's own assignments."""
    return scope_lines(assignments_of(user).order_by("role__code", "region_id", "agency_id"))


# --- Roles and permissions -----------------------------------------------------------------------------------------


def role_list(*, actor: User | None = None, perm: str = "accounts.manage_roles") -> QuerySet[Role]:
    """All roles: their definitions are shared by the whole installation (no data scope), so every security admin reads
    the same list. With an actor, `holder_count` counts only the holders the actor may see (counts obey the scope)."""
    roles = Role.objects.annotate(permission_count=Count("permissions", distinct=True)).order_by("code")
    if actor is not None:
        holders = (
            scoped(RoleAssignment, actor, perm)
            .filter(role=OuterRef("pk"))
            .order_by()
            .values("role")
            .annotate(count=Count("user", distinct=True))
            .values("count")
        )
        roles = roles.annotate(holder_count=Coalesce(Subquery(holders), 0))
    return roles


# Internal bookkeeping models whose permissions mean nothing to a person.
HIDDEN_PERMISSION_MODELS = {("accounts", "passwordhistory"), ("audit", "auditchainhead")}
ACTIONS = {"add": _("新增"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}


@dataclass
class PermissionChoice:
    permission: Permission
    name: str  # app_label.codename
    label: str
    duty: str | None

    @property
    def duty_label(self) -> str:
        return str(duties.DUTY_NAMES[self.duty]) if self.duty else ""


@dataclass
class PermissionGroup:
    app_label: str
    label: str
    choices: list[PermissionChoice]


def _project_app_labels() -> dict[str, str]:
    return {
        config.label: str(config.verbose_name)
        for config in apps.get_app_configs()
        if config.name.startswith("shegong.") and config.models_module is not None
    }


def assignable_permissions() -> QuerySet[Permission]:
    """The permissions a role may hold: those of the project's own apps, without internal bookkeeping models."""
    hidden = Q(pk__in=[])
    for app_label, model in HIDDEN_PERMISSION_MODELS:
        hidden |= Q(content_type__app_label=app_label, content_type__model=model)
    return (
        Permission.objects.filter(content_type__app_label__in=list(_project_app_labels()))
        .exclude(hidden)
        .select_related("content_type")
        .order_by("content_type__app_label", "content_type__model", "codename")
    )


def permission_label(permission: Permission) -> str:
    """A permission's name in the current language. The stored name is English ("Can view 用户"), so build it from the
    model's translatable verbose name, or take the model's own Meta.permissions text for custom ones."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    for codename, text in model._meta.permissions:
        if codename == permission.codename:
            return str(text)
    action, _sep, model_name = permission.codename.partition("_")
    if action in ACTIONS and model_name == model._meta.model_name:
        return str(_("%(action)s%(model)s") % {"action": ACTIONS[action], "model": model._meta.verbose_name})
    return permission.name


def permission_groups() -> list[PermissionGroup]:
    """Assignable permissions grouped by app, with Chinese (or English) names, for the role page's checkboxes."""
    labels = _project_app_labels()
    groups: dict[str, PermissionGroup] = {}
    for permission in assignable_permissions():
        app_label = permission.content_type.app_label
        group = groups.setdefault(app_label, PermissionGroup(app_label, labels[app_label], []))
        name = f"{app_label}.{permission.codename}"
        group.choices.append(PermissionChoice(permission, name, permission_label(permission), duties.duty_of(name)))
    return [groups[label] for label in sorted(groups)]


def role_holders(*, actor: User, role: Role, perm: str = "accounts.manage_roles") -> QuerySet[RoleAssignment]:
    """The role's assignments inside the actor's scope."""
    return (
        scoped(RoleAssignment, actor, perm)
        .filter(role=role)
        .select_related("user", "region", "agency")
        .order_by("user__username", "region_id", "agency_id")
    )


# --- Tokens ----------------------------------------------------------------------------------------------------------


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-created_at")
