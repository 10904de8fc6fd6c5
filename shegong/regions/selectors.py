"""Reading regions. Every "under X" is a range over the 12-digit code (codes.subtree_bounds), never a recursive walk,
and every function accepts short codes (44, 4401, 440104, 440104003) as well as 12-digit ones.

Regions are public reference data (DataScope(public=True)): any signed-in user with a role reads all of them. When a
`user` is passed, rows go through the scope helper like every other model, so a user without any role reads none.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from shegong.core.scope import grants_of, scoped
from shegong.regions.codes import PREFIX_LENGTHS, ancestor_codes, canonical, level_from_zeros, subtree_bounds
from shegong.regions.loading import VERSION_CACHE_KEY
from shegong.regions.models import Region

VIEW_PERMISSION = "regions.view_region"
SEARCH_LIMIT = 50
COUNTS_CACHE_SECONDS = 24 * 3600


def regions(user=None) -> QuerySet[Region]:
    """All regions, or those `user` may read."""
    if user is None:
        return Region.objects.all()
    return scoped(Region, user, VIEW_PERMISSION)


def get(code: str | int | Region, *, user=None) -> Region:
    """One region by code; Region.DoesNotExist when unknown (or unreadable for `user`), InvalidCode when malformed."""
    if isinstance(code, Region):
        return code
    return regions(user).get(code=canonical(code))


def provinces(*, user=None) -> QuerySet[Region]:
    return regions(user).filter(level=Region.Level.PROVINCE).order_by("code")


def children(code: str | int | Region, *, user=None) -> QuerySet[Region]:
    """Direct children in code order (the parent index). 东莞市's children are its townships (no county level)."""
    parent_code = code.code if isinstance(code, Region) else canonical(code)
    return regions(user).filter(parent_id=parent_code).order_by("code")


def descendants(region: Region | str | int, *, include_self: bool = False, user=None) -> QuerySet[Region]:
    """Everything under `region` (a Region or a code): one range over the primary key."""
    code = region.code if isinstance(region, Region) else canonical(region)
    low, high = region.subtree_bounds if isinstance(region, Region) else _bounds(code)
    rows = regions(user).filter(code__gte=low, code__lte=high)
    return rows if include_self else rows.exclude(code=code)


def _bounds(code: str) -> tuple[str, str]:
    # From a code alone, the shortest prefix carrying every non-zero digit gives the range (东莞市 441900000000:
    # 4419…, whatever the level; the range is the same).
    return subtree_bounds(code, level_from_zeros(code))


def within_q(roots: Iterable[Region | str], path: str = "code") -> Q:
    """A filter for rows whose region `path` lies under (or is) any of `roots`; roots may be codes or regions."""
    q = Q(pk__in=[])
    for root in roots:
        low, high = root.subtree_bounds if isinstance(root, Region) else _bounds(canonical(root))
        q |= Q(**{f"{path}__gte": low, f"{path}__lte": high})
    return q


def ancestors(region: Region) -> list[Region]:
    """The region's ancestors, province first, from the codes alone: one query, no walk up the parent chain."""
    codes = {code for code in ancestor_codes(region.code, region.level)[1:] if code != region.code}
    return list(Region.objects.filter(code__in=codes, level__lt=region.level).order_by("level"))


def ancestors_of_many(rows: Iterable[Region]) -> dict[str, list[Region]]:
    """Ancestors for a list of regions (search results): one query for all of them."""
    rows = list(rows)
    wanted = {code for row in rows for code in ancestor_codes(row.code, row.level)[1:]}
    found = {region.code: region for region in Region.objects.filter(code__in=wanted)}
    result = {}
    for row in rows:
        chain = {found[code] for code in ancestor_codes(row.code, row.level)[1:] if code in found}
        result[row.code] = sorted((r for r in chain if r.level < row.level), key=lambda r: r.level)
    return result


def search(
    name: str, limit: int = SEARCH_LIMIT, *, level: int | None = None, within: Region | None = None, user=None
) -> list[Region]:
    """Regions whose name contains `name`, higher levels first, then by code; `within` limits to a subtree.

    Ordered by (level, code) so the database walks the (level, code) index and stops after `limit` matches.
    """
    name = name.strip()
    if not name:
        return []
    rows = regions(user).filter(name__contains=name)
    if level is not None:
        rows = rows.filter(level=level)
    if within is not None:
        low, high = within.subtree_bounds
        rows = rows.filter(code__gte=low, code__lte=high)
    return list(rows.order_by("level", "code")[:limit])


def community_counts(parents: Iterable[Region]) -> dict[str, int]:
    """Village-level regions (社区/村) under each of `parents` (0 for villages themselves).

    The village-level rows in the parents' overall code range are grouped by the parents' code prefix: one grouped
    range query per level among the parents (children of one region share a level, so a page costs one query however
    many children it lists), never one per parent.
    """
    parents = list(parents)
    if not parents:
        return {}
    if all(parent.level == Region.Level.PROVINCE for parent in parents):
        # The national page groups every village-level row (a few hundred ms): keep it until the next load.
        try:
            key = f"regions:communities:{cache.get(VERSION_CACHE_KEY, 0)}:" + ",".join(p.code[:2] for p in parents)
            counts = cache.get(key)
            if counts is None:
                counts = _community_counts(parents)
                cache.set(key, counts, COUNTS_CACHE_SECONDS)
            return counts
        except DatabaseError:
            # The database cache's table is missing (`createcachetable` not run): count without it.
            if connection.in_atomic_block:
                raise
    return _community_counts(parents)


def _community_counts(parents: list[Region]) -> dict[str, int]:
    levels = {parent.level for parent in parents}
    counts = {parent.code: 0 for parent in parents}
    for level in levels:
        group = [parent for parent in parents if parent.level == level]
        if level == Region.Level.VILLAGE:
            continue
        length = PREFIX_LENGTHS[level]
        low = min(parent.subtree_bounds[0] for parent in group)
        high = max(parent.subtree_bounds[1] for parent in group)
        rows = (
            Region.objects.filter(level=Region.Level.VILLAGE, code__gte=low, code__lte=high)
            .annotate(head=Substr("code", 1, length))
            .values("head")
            .annotate(count=Count("code"))
            .order_by()
        )
        wanted = {parent.code[:length]: parent.code for parent in group}
        for row in rows:
            if row["head"] in wanted:
                counts[wanted[row["head"]]] = row["count"]
    return counts


def scope_roots(user) -> list[Region]:
    """Where `user` starts in the region browser: the regions of their assignments; provinces when they hold a
    nationwide assignment; their home region (or their agency's region) when they hold only agency assignments."""
    grants = grants_of(user)
    if not grants:
        return []
    if any(grant.nationwide for grant in grants):
        return list(provinces())
    codes = {grant.region_code for grant in grants if grant.region_code}
    if not codes:
        home = getattr(user, "home_region_id", None)
        agency = getattr(user, "home_agency", None)
        codes = {home or getattr(agency, "region_id", None)} - {None}
    if not codes:
        return list(provinces())
    rows = list(Region.objects.filter(code__in=codes).order_by("code"))
    # An assignment inside another one adds nothing to start from.
    return [row for row in rows if not any(other is not row and _contains(other, row) for other in rows)]


def _contains(outer: Region, inner: Region) -> bool:
    low, high = outer.subtree_bounds
    return low <= inner.code <= high and outer.level < inner.level


def _within_filter(rows: QuerySet[Region], within: list[Region] | None) -> QuerySet[Region]:
    if within is None:
        return rows
    on_the_way = {code for root in within for code in ancestor_codes(root.code, root.level)}
    return rows.filter(within_q(within) | Q(code__in=on_the_way))


def picker_options(parent: Region | None, within: list[Region] | None = None, *, user=None) -> list[Region]:
    """The choices one level below `parent` (provinces when None) for the region picker.

    With `within` (a scoped user's subtrees), only regions inside a root or on the way down to one are offered;
    None means no limit, an empty list nothing at all.
    """
    rows = regions(user).filter(level=Region.Level.PROVINCE) if parent is None else children(parent, user=user)
    return list(_within_filter(rows, within).order_by("code"))


def picker_choices(chain: list[Region], within: list[Region] | None = None) -> dict[str | None, list[Region]]:
    """Choices under each region of `chain` (and the provinces, under None) in one query, for rendering a picker
    with a value already chosen."""
    parents = [region.code for region in chain]
    rows = _within_filter(Region.objects.filter(Q(level=Region.Level.PROVINCE) | Q(parent_id__in=parents)), within)
    grouped: dict[str | None, list[Region]] = {None: [], **{code: [] for code in parents}}
    for row in rows.order_by("code"):
        grouped.setdefault(row.parent_id, []).append(row)
    return grouped


def common_ancestors(roots: list[Region]) -> list[Region]:
    """The regions above every root (not the roots themselves), province first: the part of a scoped picker that is
    already decided. One query."""
    if not roots:
        return []
    shared = set(ancestor_codes(roots[0].code, roots[0].level))
    for root in roots[1:]:
        shared &= set(ancestor_codes(root.code, root.level))
    shared -= {root.code for root in roots}
    return list(Region.objects.filter(code__in=shared).order_by("level"))


def in_within(region: Region, within: list[Region] | None) -> bool:
    """Whether `region` lies under (or is) one of `within`; None means no limit."""
    if within is None:
        return True
    return any(root.subtree_bounds[0] <= region.code <= root.subtree_bounds[1] for root in within)


def picker_within(user) -> list[Region] | None:
    """The subtrees a scoped user's pickers are limited to: None (no limit) for a nationwide assignment."""
    grants = grants_of(user)
    if any(grant.nationwide for grant in grants):
        return None
    return scope_roots(user)
