"""Talent-pool search for list pages whose rows belong to a worker (talent and recruitment). The generic list helpers
(filter form, paging, export, permission decorator) are in shegong.core.listing."""

from django.db.models import Q


def worker_search_q(text: str, path: str = "worker") -> Q:
    """Rows whose worker matches the talent pool's search (workers.selectors.search_q: exact ID or mobile number
    through their keyed hashes, pinyin initials, or the start of the name), as a semi-join on the worker's indexes."""
    from shegong.workers.models import SocialWorker
    from shegong.workers.selectors import search_q

    if not (text or "").strip():
        return Q()
    if not path:
        return search_q(text)
    return Q(**{f"{path}__in": SocialWorker.objects.filter(search_q(text)).values("pk")})
