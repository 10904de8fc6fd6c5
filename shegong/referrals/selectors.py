"""Reads of referrals, scoped two ways.

Outgoing (the sending side): `scoped(Referral, actor, perm)` — the recipient's community in the actor's regions, the
sending station's agency, or referrals the actor made. Incoming (the receiving side): referrals addressed to a station
in the actor's regions or of the actor's agency, to the actor's agency, or to a station the actor heads today. A
referral is visible (detail page, API) when either side's scope holds it; anything else is a 404. A recipient whose
consent is withdrawn takes their referrals out of every list, export and answer (the rows stay).
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from shegong.core.scope import DataScope, scope_q, spec_q
from shegong.referrals import permissions
from shegong.referrals.models import Referral

CONSENTED = Q(recipient__consent_withdrawn_on__isnull=True)
RELATED = ("recipient", "region", "from_station", "to_station", "to_agency", "to_department", "case", "made_by")


def headed_station_ids(actor) -> list[int]:
    """The stations the actor is 站长 or 副站长 of today (through their worker profile)."""
    from shegong.stations.models import StaffAssignment
    from shegong.stations.rules import current_q

    if not getattr(actor, "is_authenticated", False):
        return []
    return list(
        StaffAssignment.objects.filter(
            worker__account=actor, role__in=[StaffAssignment.Role.HEAD, StaffAssignment.Role.DEPUTY]
        )
        .filter(current_q(timezone.localdate()))
        .values_list("station_id", flat=True)
    )


# The receiving side's scope: the target station's region or agency, or the target agency.
RECEIVING_STATION = DataScope(region="to_station__region", agency="to_station__agency")
RECEIVING_AGENCY = DataScope(agency="to_agency")


def incoming_q(actor, perm: str = permissions.VIEW) -> Q:
    """Referrals addressed to the actor's side: the union of the target station's region, the target station's or
    target agency's agency, and the stations the actor heads."""
    addressed = Q(to_station__isnull=False) | Q(to_agency__isnull=False)
    q = spec_q(actor, RECEIVING_STATION, perm) | spec_q(actor, RECEIVING_AGENCY, perm)
    q &= addressed
    headed = headed_station_ids(actor)
    if headed:
        q |= Q(to_station__in=headed)
    return q


def outgoing(actor, perm: str = permissions.VIEW) -> QuerySet[Referral]:
    return Referral.objects.filter(scope_q(actor, Referral, perm)).filter(CONSENTED).select_related(*RELATED)


def incoming(actor, perm: str = permissions.VIEW) -> QuerySet[Referral]:
    return Referral.objects.filter(incoming_q(actor, perm)).filter(CONSENTED).select_related(*RELATED)


def visible(actor) -> QuerySet[Referral]:
    """Either side's scope (view or answer on the receiving side)."""
    q = scope_q(actor, Referral, permissions.VIEW) | incoming_q(actor, permissions.VIEW)
    q |= incoming_q(actor, permissions.ANSWER)
    return Referral.objects.filter(q).filter(CONSENTED).select_related(*RELATED)


def referral_get(*, actor, pk: int) -> Referral:
    return _get(visible(actor), pk)


def _get(rows: QuerySet[Referral], pk: int) -> Referral:
    from django.http import Http404

    try:
        return rows.get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404 from None


def timeline(referral: Referral) -> list:
    return list(referral.events.select_related("actor").order_by("at", "id"))


def is_sender(actor, referral: Referral) -> bool:
    """The sending side: who made it, or whoever may make referrals where it was made."""
    if referral.made_by_id and referral.made_by_id == actor.pk:
        return True
    return actor.has_perm(permissions.ADD) and (
        Referral.objects.filter(scope_q(actor, Referral, permissions.ADD), pk=referral.pk).exists()
    )


def is_receiver(actor, referral: Referral) -> bool:
    """Who answers: for a station, its heads or anyone with answer_referral over it; for an agency, its admins
    (answer_referral on the agency); for a department outside the platform, the sender records the answer."""
    if referral.to_department_id:
        return is_sender(actor, referral)
    if referral.to_station_id:
        from shegong.stations.selectors import heads_of

        if actor in heads_of(referral.to_station):
            return True
    if not actor.has_perm(permissions.ANSWER):
        return False
    return Referral.objects.filter(incoming_q(actor, permissions.ANSWER), pk=referral.pk).exists()


def allowed_moves(actor, referral: Referral) -> list[str]:
    """The moves `actor` may make on `referral` now (for the detail page's buttons and the service's check)."""
    moves = []
    possible = Referral.MOVES[referral.state]
    receiver = is_receiver(actor, referral) if any(m != Referral.State.REVOKED for m in possible) else False
    for move in possible:
        if move == Referral.State.REVOKED:
            if is_sender(actor, referral):
                moves.append(move)
        elif receiver:
            moves.append(move)
    return moves


def may_open_recipient(actor, referral: Referral) -> bool:
    """Whether the recipient's own page is in the actor's scope (the receiving side often sees only the referral)."""
    from shegong.recipients.models import Recipient

    return scope_filter(Recipient, actor, "recipients.view_recipient").filter(pk=referral.recipient_id).exists()


def may_open_case(actor, referral: Referral) -> bool:
    if not referral.case_id:
        return False
    from shegong.casework.models import Case

    return scope_filter(Case, actor, "casework.view_case").filter(pk=referral.case_id).exists()


def scope_filter(model, actor, perm: str):
    return model._default_manager.filter(scope_q(actor, model, perm))
