"""/api/v1/accounts: who am I (roles and data scope), and the users the caller may see."""

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from shegong.accounts import selectors
from shegong.accounts.models import Role, User
from shegong.core.api_helpers import require
from shegong.core.masking import mask_phone
from shegong.core.scope import get_scoped_or_404
from shegong.regions.codes import canonical
from shegong.regions.models import Region

router = Router(tags=["accounts"])

VIEW_USERS = "accounts.view_user"


class ScopeOut(Schema):
    role: str
    role_name: str
    nationwide: bool
    region_code: str | None
    region_name: str | None
    region_path: list[str]
    agency_id: int | None
    agency_name: str | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    must_change_password: bool
    roles: list[str]
    permissions: list[str]
    scope: list[ScopeOut]


class AssignmentOut(Schema):
    role: str
    region_code: str | None
    agency_id: int | None


class UserOut(Schema):
    """A user as the API shows it; `assignments` lists only those inside the caller's scope."""

    id: int
    username: str
    display_name: str
    email: str
    phone: str  # masked (138****5678): the full number is personal data
    home_region_code: str | None
    home_region_name: str | None
    home_agency_id: int | None
    home_agency_name: str | None
    is_active: bool
    is_locked: bool
    must_change_password: bool
    assignments: list[AssignmentOut]

    @staticmethod
    def resolve_phone(user: User) -> str:
        return mask_phone(user.phone) if user.phone else ""

    @staticmethod
    def resolve_home_region_code(user: User) -> str | None:
        return user.home_region_id

    @staticmethod
    def resolve_home_region_name(user: User) -> str | None:
        return user.home_region.name if user.home_region_id else None

    @staticmethod
    def resolve_home_agency_name(user: User) -> str | None:
        return user.home_agency.name if user.home_agency_id else None

    @staticmethod
    def resolve_is_locked(user: User) -> bool:
        return user.is_locked()

    @staticmethod
    def resolve_assignments(user: User) -> list[AssignmentOut]:
        # Prefetched by selectors.user_list, already narrowed to the caller's scope.
        return [
            AssignmentOut(role=a.role.code, region_code=a.region_id, agency_id=a.agency_id)
            for a in user.visible_assignments
        ]


def _scope_out(line: selectors.ScopeLine) -> ScopeOut:
    assignment = line.assignment
    return ScopeOut(
        role=assignment.role.code,
        role_name=selectors.role_label(assignment.role),
        nationwide=line.nationwide,
        region_code=assignment.region_id,
        region_name=assignment.region.name if assignment.region_id else None,
        region_path=[region.name for region in line.path],
        agency_id=assignment.agency_id,
        agency_name=assignment.agency.name if assignment.agency_id else None,
    )


@router.get("/me", response=MeOut, summary="Current user, roles and data scope")
def me(request):
    """The caller: roles, permissions and each assignment's scope (region path, agency, or nationwide)."""
    user = request.user
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        must_change_password=user.must_change_password,
        roles=selectors.user_roles(user),
        permissions=sorted(selectors.user_permissions(user)),
        scope=[_scope_out(line) for line in selectors.my_scope(user)],
    )


@router.get("/users", response=list[UserOut], summary="Users in the caller's scope")
@paginate(PageNumberPagination, page_size=50, max_page_size=200)
def user_list(
    request,
    q: str = "",
    role: str | None = None,
    region: str | None = None,
    active: bool | None = None,
    locked: bool | None = None,
):
    """Users whose home region lies in the caller's regions (or whose agency is the caller's), needing
    accounts.view_user. `q` searches username and name; `role` is a role code; `region` a division code (2 to 12
    digits) whose subtree to keep."""
    require(request, VIEW_USERS)
    filters = selectors.UserFilters(query=q, active=active, locked=locked)
    if role:
        filters.role = Role.objects.filter(code=role).first()
        if filters.role is None:
            raise HttpError(422, _("没有代码为 %(code)s 的角色。") % {"code": role})
    if region:
        try:
            filters.region = Region.objects.filter(pk=canonical(region)).first()
        except ValueError:
            filters.region = None
        if filters.region is None:
            raise HttpError(422, _("没有区划代码为 %(code)s 的行政区划。") % {"code": region})
    return selectors.user_list(actor=request.user, filters=filters)


@router.get("/users/{user_id}", response=UserOut, summary="One user in the caller's scope")
def user_detail(request, user_id: int):
    """404 when the user does not exist or lies outside the caller's scope (the two look the same)."""
    require(request, VIEW_USERS)
    users = selectors.user_list(actor=request.user)
    return get_scoped_or_404(users, request.user, VIEW_USERS, pk=user_id)
