"""Data scope (数据权限): the one helper every selector and view uses to decide which rows a user may see.

A user holds assignments: (role, region) sees the region's subtree, (role, agency) sees that agency's rows, and a
(role) with neither is nationwide. A model says how its rows relate to regions, agencies and owners with a
`data_scope = DataScope(...)` attribute. Rows outside the scope never appear in a list, a count, an export or an API
answer, and fetching one by id answers 404 (not 403, which would confirm it exists).
"""

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from shegong.regions.codes import subtree_bounds

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class DataScope:
    region: str | None = None  # lookup path to a Region foreign key (or "pk" on Region itself)
    agency: str | None = None  # lookup path to an Agency foreign key (or "pk" on Agency itself)
    owner: str | None = None  # lookup path to a User foreign key: a user always sees their own rows
    public: bool = False  # reference data every signed-in user may read


@dataclass(frozen=True)
class Grant:
    """One assignment reduced to what scoping needs."""

    role: str
    permissions: frozenset[str]
    region_code: str | None
    region_level: int | None
    agency_id: int | None

    @property
    def nationwide(self) -> bool:
        return self.region_code is None and self.agency_id is None


def grants_of(user) -> list[Grant]:
    """The user's assignments, read once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_shegong_grants", None)
    if cached is None:
        from shegong.accounts.selectors import assignment_grants

        cached = assignment_grants(user)
        user._shegong_grants = cached
    return cached


def region_q(path: str, code: str, level: int) -> Q:
    low, high = subtree_bounds(code, level)
    return Q(**{f"{path}__gte": low, f"{path}__lte": high})


def scope_q(user, model: type[Model], perm: str | None = None) -> Q:
    """A filter for the rows of `model` that `user` may see, through assignments whose role grants `perm`."""
    spec: DataScope = getattr(model, "data_scope", None)
    if spec is None:
        raise TypeError(f"{model.__name__} has no data_scope: say how its rows are scoped before listing them")
    return spec_q(user, spec, perm)


def spec_q(user, spec: DataScope, perm: str | None = None) -> Q:
    """The same filter for a scope spec other than the model's own: a row seen from another side (a referral as its
    receiving station sees it) states that side's paths in a DataScope of its own."""
    grants = [g for g in grants_of(user) if perm is None or perm in g.permissions]
    if spec.public and grants_of(user):
        return Q()
    q = NOTHING
    for grant in grants:
        if grant.nationwide:
            return Q()
        if grant.region_code and spec.region:
            q |= region_q(spec.region, grant.region_code, grant.region_level)
        if grant.agency_id and spec.agency:
            q |= Q(**{spec.agency: grant.agency_id})
    if spec.owner and getattr(user, "is_authenticated", False):
        q |= Q(**{spec.owner: user.pk})
    return q


def scoped(queryset: QuerySet | type[Model], user, perm: str | None = None) -> QuerySet:
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    return queryset.filter(scope_q(user, queryset.model, perm))


def get_scoped_or_404(queryset: QuerySet | type[Model], user, perm: str | None = None, **lookup):
    rows = scoped(queryset, user, perm)
    try:
        return rows.get(**lookup)
    except rows.model.DoesNotExist:
        raise Http404 from None


def in_scope(user, obj: Model, perm: str | None = None) -> bool:
    return scoped(type(obj), user, perm).filter(pk=obj.pk).exists()


@dataclass(frozen=True)
class Reach:
    """The regions and agencies a user may write to through one permission, read once (an import checks thousands of
    rows against it in memory instead of a query per row)."""

    nationwide: bool
    bounds: tuple[tuple[str, str], ...]
    agencies: frozenset[int]

    def covers(self, code: str, agency_id: int | None = None) -> bool:
        """Whether a row in region `code` (12 digits), or belonging to `agency_id`, is inside the reach."""
        return (
            self.nationwide
            or any(low <= code <= high for low, high in self.bounds)
            or (agency_id is not None and agency_id in self.agencies)
        )


def reach_of(user, perm: str) -> Reach:
    """The user's reach through `perm`; None as the user is the installation itself (a command), which reaches all."""
    if user is None:
        return Reach(True, (), frozenset())
    grants = [grant for grant in grants_of(user) if perm in grant.permissions]
    return Reach(
        nationwide=any(grant.nationwide for grant in grants),
        bounds=tuple(subtree_bounds(g.region_code, g.region_level) for g in grants if g.region_code),
        agencies=frozenset(g.agency_id for g in grants if g.agency_id),
    )


def owned_by(user, model: type[Model], pk):
    """The row `pk` of `model` when `user` is its owner (the data scope's owner path), else None."""
    spec: DataScope = getattr(model, "data_scope", None)
    if spec is None or not spec.owner or not getattr(user, "is_authenticated", False):
        return None
    return model._default_manager.filter(pk=pk, **{spec.owner: user.pk}).first()
