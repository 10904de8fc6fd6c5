from django.db.models import QuerySet

from shegong.accounts.models import ApiToken, Role, RoleAssignment, User
from shegong.core.scope import Grant, scoped


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
    from shegong.core.scope import grants_of

    perms: set[str] = set()
    for grant in grants_of(user):
        perms |= grant.permissions
    return perms


def user_roles(user: User) -> list[str]:
    from shegong.core.scope import grants_of

    return sorted({grant.role for grant in grants_of(user)})


def user_list(*, actor: User, query: str = "") -> QuerySet[User]:
    users = scoped(User, actor, "accounts.view_user").select_related("home_region", "home_agency")
    if query:
        users = users.filter(username__icontains=query) | users.filter(display_name__icontains=query)
    return users.order_by("username")


def assignments_of(user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related("role", "region", "agency")


def role_list() -> QuerySet[Role]:
    return Role.objects.prefetch_related("permissions__content_type").order_by("code")


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-created_at")
