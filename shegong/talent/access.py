"""Who may act on a social worker's records: a grant of the permission that covers the worker's work region (or the
whole country) or the worker's agency.

Reads go through core.scope, which also lets a worker see their own rows (the DataScope owner). Writes and the pay
pages must not: holding the permission for the worker's region or employer is what counts, never being the worker.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shegong.core.scope import grants_of
from shegong.regions.codes import subtree_bounds


def covers_worker(user, perm: str, worker) -> bool:
    for grant in grants_of(user):
        if perm not in grant.permissions:
            continue
        if grant.nationwide:
            return True
        if grant.agency_id and worker.agency_id == grant.agency_id:
            return True
        if grant.region_code:
            low, high = subtree_bounds(grant.region_code, grant.region_level)
            if low <= worker.region_id <= high:
                return True
    return False


def require_worker(user, perm: str, worker) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    if not covers_worker(user, perm, worker):
        raise PermissionDenied(_("该社会工作者不在您的管辖范围内。"))
