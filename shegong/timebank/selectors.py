"""Reading the time bank, always through the data scope. An account whose resident withdrew consent vanishes from
every list, export and API answer (its movements stay in the ledger), as do the offers they posted or answered."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shegong.core.fields import matching
from shegong.core.scope import get_scoped_or_404, scoped
from shegong.timebank import permissions
from shegong.timebank.models import Account, Movement, Offer, Transfer

CONSENTED = Q(recipient__isnull=True) | Q(recipient__consent_withdrawn_on__isnull=True)


def accounts(actor, perm: str = permissions.VIEW) -> QuerySet[Account]:
    rows = scoped(Account.objects.filter(CONSENTED), actor, perm)
    return rows.select_related("region", "station", "agency", "volunteer", "recipient")


def account_get(actor, pk: int, perm: str = permissions.VIEW) -> Account:
    return get_scoped_or_404(accounts(actor, perm), actor, perm, pk=pk)


def pool_get(actor, station_pk: int) -> Account:
    return get_scoped_or_404(accounts(actor), actor, permissions.VIEW, station_id=station_pk, kind=Account.Kind.POOL)


def my_account(user) -> Account | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Account.objects.filter(volunteer__account=user).select_related("region", "volunteer").first()


def statement(account: Account) -> QuerySet[Movement]:
    """The account's movements, newest first, each with its balance after the movement (the running balance)."""
    return (
        Movement.objects.filter(account=account)
        .select_related("transfer", "transfer__reversal_of")
        .prefetch_related("transfer__movements__account")
        .order_by("-pk")
    )


def transfer_get(actor, pk: int) -> Transfer:
    """A transfer whose every account the actor keeps (TRANSFER scope), else 404."""
    visible = accounts(actor, permissions.TRANSFER).values("pk")
    transfer = Transfer.objects.filter(pk=pk).prefetch_related("movements__account").first()
    if transfer is None or transfer.movements.exclude(account__in=visible).exists():
        from django.http import Http404

        raise Http404
    return transfer


def offers(actor) -> QuerySet[Offer]:
    consented = Q(poster__recipient__isnull=True) | Q(poster__recipient__consent_withdrawn_on__isnull=True)
    responder_ok = (
        Q(responder__isnull=True)
        | Q(responder__recipient__isnull=True)
        | Q(responder__recipient__consent_withdrawn_on__isnull=True)
    )
    rows = scoped(Offer.objects.filter(consented & responder_ok), actor, permissions.VIEW_OFFER)
    return rows.select_related("poster", "responder", "region")


def offer_get(actor, pk: int) -> Offer:
    return get_scoped_or_404(offers(actor), actor, permissions.VIEW_OFFER, pk=pk)


def acting_accounts(actor) -> QuerySet[Account]:
    """The personal accounts the actor may act for: their own, and those a keeper keeps."""
    own = Q(volunteer__account=actor)
    rows = Account.objects.filter(CONSENTED, kind__in=[Account.Kind.VOLUNTEER, Account.Kind.RESIDENT])
    if actor.has_perm(permissions.TRANSFER):
        return scoped(rows, actor, permissions.TRANSFER) | rows.filter(own)
    return rows.filter(own)


def family_target(source: Account, pk) -> Account | None:
    """The personal account (a volunteer's or a resident's, consent not withdrawn) a member may give hours to as family:
    any such account of the same province, found by its number (family live apart; the province keeps the ledger's
    transfers inside one shard)."""
    return Account.objects.filter(
        CONSENTED,
        pk=pk,
        kind__in=[Account.Kind.VOLUNTEER, Account.Kind.RESIDENT],
        province_code=source.province_code,
    ).first()


def account_owner(*, kind: str, volunteer_number: str = "", name: str = "", phone: str = "", station_code: str = ""):
    """The member a keeper opens an account for (the page and the Excel import): a volunteer by volunteer number or
    by name and phone, a resident (recipient, consent not withdrawn) by name and phone, a station (its own account or
    its pool) by station code. Raises ValidationError with the reason in Chinese. Whether the keeper may open it (the
    data scope) is the service's check."""
    from shegong.recipients.models import Recipient
    from shegong.stations.models import Station
    from shegong.volunteers.models import Volunteer

    volunteer_number, name, phone = (
        (volunteer_number or "").strip().upper(),
        (name or "").strip(),
        (phone or "").strip(),
    )
    if kind == Account.Kind.VOLUNTEER:
        if volunteer_number:
            owner = Volunteer.objects.filter(number=volunteer_number).first()
            if owner is None:
                raise ValidationError({"volunteer_number": _("没有这个志愿者编号。")}, code="not_found")
            return owner
        rows, field = Volunteer.objects.all(), "volunteer_number"
    elif kind == Account.Kind.RESIDENT:
        rows, field = Recipient.objects.all(), "name"
    elif kind in (Account.Kind.STATION, Account.Kind.POOL):
        owner = Station.objects.filter(code=(station_code or "").strip().upper()).first() if station_code else None
        if owner is None:
            raise ValidationError({"station_code": _("没有这个站点编码。")}, code="not_found")
        return owner
    else:
        raise ValidationError({"kind": _("请选择账户类型：志愿者、居民、站点或站点互助池。")}, code="invalid_kind")
    if not (name and phone):
        message = (
            _("请填写志愿者编号，或填写姓名和联系电话。")
            if kind == Account.Kind.VOLUNTEER
            else _("居民请填写姓名和联系电话。")
        )
        raise ValidationError({field: message}, code="required")
    found = list(matching(rows.filter(name=name), "phone", phone)[:2])
    if not found:
        raise ValidationError({field: _("没有姓名和联系电话都相符的登记。")}, code="not_found")
    if len(found) > 1:
        raise ValidationError({field: _("姓名和联系电话相符的登记不止一个，请改用编号。")}, code="ambiguous")
    return found[0]
