"""Volunteer service certificates (志愿服务记录证明, 《志愿服务记录与证明出具办法》 2021): issue, revoke, the
printable page and PDF, and the staff and volunteer pages.

Who issues ("谁记录谁证明"): the organisation that recorded the service. A service record's organisation is its
station when it has one, else its agency; a certificate covers only the CONFIRMED records of that one organisation in
the period asked for, and is refused when there are none. Two kinds of people may ask for one:
- a keeper of the issuer (a user whose role grants `volunteers.add_certificate` over the station or agency), for any
  volunteer who served with it, naming the handler (经办人);
- the volunteer themselves (the owner of the Volunteer row), for an organisation that confirmed their hours
  (self-service download; the handler then reads 线上自助出具).
Either way it is free of charge, and the issue is written to the audit log in the same transaction.

Numbers: `<issuer code>-<year>-<6-digit sequence>`, the sequence per issuer and year taken from CertificateSequence
under a row lock, so concurrent issues by one issuer get consecutive, distinct numbers.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from shegong.accounts.forms import style_fields
from shegong.agencies.models import Agency
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.api_helpers import Paging, check_filters, query_dict, require, run_service
from shegong.core.listing import (
    ListFilterForm,
    Sort,
    blank,
    export_refused,
    export_response,
    page_context,
    permission,
)
from shegong.core.masking import mask_id_number
from shegong.core.scope import get_scoped_or_404, scoped
from shegong.stations import qr
from shegong.stations.models import Station
from shegong.stations.posters import BRAND, CJK_FONT, GREY, NOTICE, draw_qr, wrap
from shegong.stations.selectors import heads_of
from shegong.volunteers.models import Certificate, CertificateSequence, ServiceRecord, Volunteer

VIEW = "volunteers.view_certificate"
ISSUE = "volunteers.add_certificate"
REVOKE = "volunteers.change_certificate"


# --- Issuers --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """The organisation that recorded the service: a station or an agency."""

    station: Station | None = None
    agency: Agency | None = None

    @property
    def key(self) -> str:
        return f"s:{self.station.pk}" if self.station else f"a:{self.agency.pk}"

    @property
    def code(self) -> str:
        return self.station.code if self.station else self.agency.credit_code

    @property
    def name(self) -> str:
        return self.station.name if self.station else self.agency.name

    @property
    def region_id(self) -> str:
        return self.station.region_id if self.station else self.agency.region_id

    @property
    def agency_id(self):
        return self.station.agency_id if self.station else self.agency.pk

    def records(self) -> QuerySet:
        """Service records this organisation recorded: a station's own; an agency's without a station."""
        if self.station:
            return ServiceRecord.objects.filter(station=self.station)
        return ServiceRecord.objects.filter(agency=self.agency, station__isnull=True)

    def person_in_charge(self) -> str:
        if self.station:
            heads = heads_of(self.station)
            return str(heads[0]) if heads else ""
        return self.agency.contact_person

    def contact_phone(self) -> str:
        return self.station.phone if self.station else (self.agency.contact_phone or "")

    def __str__(self) -> str:
        return self.name


def issuer_from_key(key: str) -> Issuer | None:
    """`s:<station pk>` or `a:<agency pk>` (the issue forms' choice values); None when it names nothing."""
    kind, _sep, pk = (key or "").partition(":")
    if not pk.isdigit():
        return None
    if kind == "s":
        station = Station.objects.filter(pk=pk).first()
        return Issuer(station=station) if station else None
    if kind == "a":
        agency = Agency.objects.filter(pk=pk).first()
        return Issuer(agency=agency) if agency else None
    return None


def issuers_kept_by(user) -> list[Issuer]:
    """The stations and agencies `user` may issue certificates for."""
    stations = scoped(Station.objects.order_by("name"), user, ISSUE)
    agencies = scoped(Agency.objects.order_by("name"), user, ISSUE)
    return [Issuer(station=s) for s in stations[:500]] + [Issuer(agency=a) for a in agencies[:500]]


def issuers_of_volunteer(volunteer: Volunteer) -> list[Issuer]:
    """The organisations that confirmed hours of this volunteer (what the volunteer may ask a certificate of)."""
    confirmed = ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.CONFIRMED)
    stations = Station.objects.filter(pk__in=confirmed.filter(station__isnull=False).values("station")).order_by("name")
    agencies = Agency.objects.filter(
        pk__in=confirmed.filter(station__isnull=True, agency__isnull=False).values("agency")
    ).order_by("name")
    return [Issuer(station=s) for s in stations] + [Issuer(agency=a) for a in agencies]


def may_issue(user, issuer: Issuer) -> bool:
    if issuer.station:
        return scoped(Station, user, ISSUE).filter(pk=issuer.station.pk).exists()
    return scoped(Agency, user, ISSUE).filter(pk=issuer.agency.pk).exists()


# --- Services -------------------------------------------------------------------------------------------------------


def _next_sequence(issuer_code: str, year: int) -> int:
    """The next number of this issuer in this year, taken under a lock on the sequence row."""
    row, _created = CertificateSequence.objects.get_or_create(issuer_code=issuer_code, year=year)
    row = CertificateSequence.objects.select_for_update().get(pk=row.pk)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def format_number(issuer_code: str, year: int, sequence: int) -> str:
    return f"{issuer_code}-{year}-{sequence:06d}"


@transaction.atomic
def certificate_issue(
    *,
    volunteer: Volunteer,
    issuer: Issuer,
    period_start: datetime.date,
    period_end: datetime.date,
    handler: str = "",
    actor,
) -> Certificate:
    """Issue a certificate of `volunteer`'s confirmed hours recorded by `issuer` in the period (both days included).

    A keeper of the issuer may issue for anyone who served with it; the volunteer may issue their own (self-service).
    """
    if may_issue(actor, issuer):
        self_service = False
    elif volunteer.account_id is not None and volunteer.account_id == actor.pk:
        self_service = True
    else:
        raise PermissionDenied
    today = timezone.localdate()
    errors = {}
    if period_start is None:
        errors["period_start"] = [ValidationError(_("请填写服务起始日期。"), code="required")]
    if period_end is None:
        errors["period_end"] = [ValidationError(_("请填写服务截止日期。"), code="required")]
    elif period_end > today:
        errors["period_end"] = [ValidationError(_("服务截止日期不能晚于今天。"), code="future")]
    if period_start and period_end and period_start > period_end:
        errors["period_start"] = [ValidationError(_("服务起始日期不能晚于截止日期。"), code="order")]
    if errors:
        raise ValidationError(errors)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    records = list(
        issuer.records()
        .filter(
            volunteer=volunteer,
            status=ServiceRecord.Status.CONFIRMED,
            service_date__gte=period_start,
            service_date__lte=period_end,
        )
        .order_by("service_date", "pk")
    )
    if not records:
        raise ValidationError(
            {
                "period_start": [
                    ValidationError(_("该期间内没有本单位确认的志愿服务时长，无法出具证明。"), code="no_hours")
                ]
            }
        )
    lines = [
        {"date": r.service_date.isoformat(), "hours": str(r.hours), "content": r.content, "place": r.place}
        for r in records
    ]
    total = sum((r.hours for r in records), Decimal("0"))
    year = today.year
    sequence = _next_sequence(issuer.code, year)
    certificate = Certificate(
        number=format_number(issuer.code, year, sequence),
        volunteer=volunteer,
        volunteer_name=volunteer.name,
        volunteer_number=volunteer.number,
        id_number_masked=mask_id_number(volunteer.id_number or ""),
        station=issuer.station,
        agency=issuer.agency if issuer.agency else issuer.station.agency,
        region_id=issuer.region_id,
        issuer_code=issuer.code,
        issuer_name=issuer.name,
        person_in_charge=issuer.person_in_charge()[:50],
        handler="" if self_service else ((handler or "").strip() or str(actor))[:50],
        contact_phone=issuer.contact_phone()[:30],
        year=year,
        sequence=sequence,
        issued_on=today,
        period_start=period_start,
        period_end=period_end,
        total_hours=total,
        lines=lines,
        self_service=self_service,
        issued_by=actor,
    )
    certificate.province_code = str(certificate.region_id)[:2]
    certificate.full_clean()
    certificate.save()
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=certificate,
        changes={
            "number": [None, certificate.number],
            "volunteer": [None, volunteer.number],
            "total_hours": [None, str(total)],
            "records": [None, [r.pk for r in records]],
        },
        note=_("志愿者自助申请，免费出具") if self_service else _("免费出具志愿服务记录证明"),
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, actor) -> Certificate:
    """Revoke an issued certificate (the public page then says so); the row and its number stay."""
    if not actor.has_perm(REVOKE):
        raise PermissionDenied
    certificate = get_scoped_or_404(Certificate.objects.select_for_update(), actor, REVOKE, pk=certificate.pk)
    if not may_issue_cert(actor, certificate):
        raise PermissionDenied
    reason = (reason or "").strip()
    if certificate.is_revoked:
        raise ValidationError({"reason": [ValidationError(_("该证明已撤销。"), code="already_revoked")]})
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("请填写撤销原因。"), code="required")]})
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason[:300]
    certificate.revoked_by = actor
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=certificate,
        changes={"revoked": [False, True], "revoked_reason": ["", certificate.revoked_reason]},
        note=_("撤销志愿服务记录证明"),
    )
    return certificate


def may_issue_cert(user, certificate: Certificate) -> bool:
    """Whether `user` keeps the certificate's issuer (an owner is not, unless they also keep it)."""
    issuer = Issuer(station=certificate.station) if certificate.station_id else Issuer(agency=certificate.agency)
    return may_issue(user, issuer)


# --- Selectors ------------------------------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明: the public page shows no full name."""
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def certificates_for(user) -> QuerySet:
    """The certificates `user` may read: those of the issuers in their scope, and their own."""
    return scoped(Certificate.objects.select_related("volunteer"), user, VIEW)


def own_volunteer(user) -> Volunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(account=user).first()


def verify_path(number: str) -> str:
    return reverse("certificate_verify:verify", args=[number])


def verify_url(number: str, request=None) -> str:
    """The absolute address the certificate's QR code encodes (PUBLIC_BASE_URL first, as for the station posters)."""
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + verify_path(number)
    return request.build_absolute_uri(verify_path(number))


def public_summary(number: str) -> dict:
    """What the public page may say about a number: nothing but validity, masked name, hours, issuer and date."""
    certificate = Certificate.objects.filter(number=(number or "").strip()).first()
    if certificate is None:
        return {"found": False, "number": number}
    return {
        "found": True,
        "number": certificate.number,
        "revoked": certificate.is_revoked,
        "name": mask_name(certificate.volunteer_name),
        "total_hours": certificate.total_hours,
        "issuer_name": certificate.issuer_name,
        "issued_on": certificate.issued_on,
    }


# --- PDF ------------------------------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56


def certificate_pdf_bytes(certificate: Certificate, url: str) -> bytes:
    """The certificate as an A4 PDF (CJK font STSong-Light as on the station posters; the QR code as vector)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"{_('志愿服务记录证明')} {certificate.number}")
    width = PAGE_WIDTH - 2 * MARGIN

    def header(y: float) -> float:
        canvas.setFillColor(BRAND)
        canvas.setFont(CJK_FONT, 22)
        canvas.drawCentredString(PAGE_WIDTH / 2, y, _("志愿服务记录证明"))
        canvas.setFillColor(GREY)
        canvas.setFont(CJK_FONT, 10)
        canvas.drawCentredString(PAGE_WIDTH / 2, y - 20, _("证明编号：%(number)s") % {"number": certificate.number})
        canvas.setFillColorRGB(0, 0, 0)
        return y - 50

    y = header(PAGE_HEIGHT - MARGIN - 10)
    canvas.setFont(CJK_FONT, 11)
    identity = [
        (_("姓名"), certificate.volunteer_name),
        (_("证件类型"), _("居民身份证")),
        (_("证件号码"), certificate.id_number_masked),
        (_("志愿者编号"), certificate.volunteer_number),
        (_("服务期间"), f"{certificate.period_start:%Y-%m-%d} — {certificate.period_end:%Y-%m-%d}"),
        (_("服务总时长"), _("%(hours)s 小时") % {"hours": certificate.total_hours}),
    ]
    for label, value in identity:
        canvas.drawString(MARGIN, y, f"{label}：{value}")
        y -= 18
    y -= 6
    canvas.setFont(CJK_FONT, 12)
    canvas.drawString(MARGIN, y, _("服务记录"))
    y -= 18
    canvas.setFont(CJK_FONT, 10)
    columns = (MARGIN, MARGIN + 80, MARGIN + 130)
    canvas.drawString(columns[0], y, _("日期"))
    canvas.drawString(columns[1], y, _("时长"))
    canvas.drawString(columns[2], y, _("服务内容"))
    y -= 14
    for line in certificate.lines:
        content_lines = wrap(line["content"], 10, width - (columns[2] - MARGIN)) or [""]
        if y - 13 * len(content_lines) < MARGIN + 200:
            canvas.showPage()
            y = header(PAGE_HEIGHT - MARGIN - 10)
            canvas.setFont(CJK_FONT, 10)
        canvas.drawString(columns[0], y, line["date"])
        canvas.drawString(columns[1], y, line["hours"])
        for part in content_lines:
            canvas.drawString(columns[2], y, part)
            y -= 13
        y -= 2
    y -= 12
    canvas.setFont(CJK_FONT, 11)
    issuer = [
        (_("出具单位"), certificate.issuer_name),
        (_("负责人"), certificate.person_in_charge or "—"),
        (_("经办人"), certificate.handler or _("线上自助出具")),
        (_("联系电话"), certificate.contact_phone or "—"),
        (_("出具日期"), f"{certificate.issued_on:%Y-%m-%d}"),
    ]
    for label, value in issuer:
        canvas.drawString(MARGIN, y, f"{label}：{value}")
        y -= 18
    canvas.setFillColor(NOTICE if certificate.is_revoked else GREY)
    canvas.setFont(CJK_FONT, 10)
    if certificate.is_revoked:
        canvas.drawString(MARGIN, y, _("本证明已撤销：%(reason)s") % {"reason": certificate.revoked_reason})
        y -= 16
        canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, y, _("本证明依据《志愿服务记录与证明出具办法》免费出具。"))
    y -= 14
    canvas.drawString(MARGIN, y, _("扫描二维码或访问下列地址核验证明真伪："))
    y -= 14
    for part in wrap(url, 9, width - 130, "Helvetica"):
        canvas.setFont("Helvetica", 9)
        canvas.drawString(MARGIN, y, part)
        y -= 12
    canvas.setFillColorRGB(0, 0, 0)
    draw_qr(canvas, qr.qr_modules(url), PAGE_WIDTH - MARGIN - 110, MARGIN, 110)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- Forms ----------------------------------------------------------------------------------------------------------


def _date_field(label) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class IssueForm(forms.Form):
    issuer = forms.ChoiceField(label=gettext_lazy("出具单位"))
    volunteer_number = forms.CharField(label=gettext_lazy("志愿者编号"), max_length=20)
    period_start = _date_field(gettext_lazy("服务起始日期"))
    period_end = _date_field(gettext_lazy("服务截止日期"))
    handler = forms.CharField(label=gettext_lazy("经办人"), max_length=50, required=False)

    def __init__(self, *args, issuers: list[Issuer], self_service: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuers = {issuer.key: issuer for issuer in issuers}
        self.fields["issuer"].choices = [(key, issuer.name) for key, issuer in self.issuers.items()]
        if self_service:
            del self.fields["volunteer_number"]
            del self.fields["handler"]
        else:
            self.fields["handler"].help_text = _("留空则为当前操作人")
        style_fields(self)

    def clean_volunteer_number(self):
        number = self.cleaned_data["volunteer_number"].strip()
        volunteer = Volunteer.objects.filter(number=number).first()
        if volunteer is None:
            raise ValidationError(_("没有这个志愿者编号。"), code="unknown_volunteer")
        return volunteer

    def clean_issuer(self):
        return self.issuers[self.cleaned_data["issuer"]]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class CertificateFilterForm(ListFilterForm):
    SORTS = {
        "-issued": Sort(gettext_lazy("出具日期（新→旧）"), ("-issued_on", "-id")),
        "issued": Sort(gettext_lazy("出具日期（旧→新）"), ("issued_on", "id")),
        "-hours": Sort(gettext_lazy("时长（多→少）"), ("-total_hours", "-id")),
    }
    DEFAULT_SORT = "-issued"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("证明编号 / 志愿者"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=blank([("valid", gettext_lazy("有效")), ("revoked", gettext_lazy("已撤销"))]),
    )
    issued_from = _date_field(gettext_lazy("出具日期起"))
    issued_to = _date_field(gettext_lazy("出具日期止"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_from"].required = False
        self.fields["issued_to"].required = False

    def filter(self, qs: QuerySet) -> QuerySet:
        if text := self.value("q"):
            text = text.strip()
            qs = qs.filter(Q(number__icontains=text) | Q(volunteer_name__icontains=text) | Q(volunteer_number=text))
        status = self.value("status")
        if status == "valid":
            qs = qs.filter(revoked_at__isnull=True)
        elif status == "revoked":
            qs = qs.filter(revoked_at__isnull=False)
        if start := self.value("issued_from"):
            qs = qs.filter(issued_on__gte=start)
        if end := self.value("issued_to"):
            qs = qs.filter(issued_on__lte=end)
        return qs


# --- Views ----------------------------------------------------------------------------------------------------------


def _filtered(request):
    form = CertificateFilterForm(request.GET)
    return form, form.apply(certificates_for(request.user))


@permission(VIEW)
def certificate_list(request):
    form, rows = _filtered(request)
    context = page_context(request, rows)
    context.update(form=form, can_issue=request.user.has_perm(ISSUE))
    return render(request, "volunteers/certificate_list.html", context)


@permission(VIEW)
@require_POST
def certificate_export(request):
    """The filtered list as .xlsx (ID numbers are stored masked already); audited."""
    form, rows = _filtered(request)
    refused = export_refused(request, rows, "volunteers:certificate_list")
    if refused is not None:
        return refused
    headers = [
        _("证明编号"),
        _("姓名"),
        _("证件号码"),
        _("志愿者编号"),
        _("出具单位"),
        _("服务起始日期"),
        _("服务截止日期"),
        _("服务总时长（小时）"),
        _("出具日期"),
        _("状态"),
    ]
    data = [
        [
            row.number,
            row.volunteer_name,
            row.id_number_masked,
            row.volunteer_number,
            row.issuer_name,
            row.period_start,
            row.period_end,
            row.total_hours,
            row.issued_on,
            _("已撤销") if row.is_revoked else _("有效"),
        ]
        for row in rows.iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user,
        title=_("志愿服务记录证明"),
        headers=headers,
        rows=data,
        object_type="volunteers.certificate",
        form=form,
    )


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@permission(ISSUE)
def certificate_issue_view(request):
    issuers = issuers_kept_by(request.user)
    if not issuers:
        raise PermissionDenied
    form = IssueForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificate_issue(
                volunteer=form.cleaned_data["volunteer_number"],
                issuer=form.cleaned_data["issuer"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                handler=form.cleaned_data["handler"],
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已出具证明 %(number)s。") % {"number": certificate.number})
            return redirect("volunteers:certificate_detail", certificate.pk)
    return render(request, "volunteers/certificate_form.html", {"form": form, "self_service": False})


def _readable(request, pk: int) -> Certificate:
    """A certificate the user may read (their scope or their own); 403 for users who read none at all."""
    if not request.user.has_perm(VIEW) and own_volunteer(request.user) is None:
        raise PermissionDenied
    return get_scoped_or_404(
        Certificate.objects.select_related("volunteer", "station", "agency"), request.user, VIEW, pk=pk
    )


@login_required
def certificate_detail(request, pk: int):
    certificate = _readable(request, pk)
    url = verify_url(certificate.number, request)
    context = {
        "certificate": certificate,
        "verify_url": url,
        "qr_uri": qr.qr_svg_data_uri(url),
        "can_revoke": request.user.has_perm(REVOKE)
        and not certificate.is_revoked
        and may_issue_cert(request.user, certificate),
        "revoke_form": RevokeForm(),
    }
    return render(request, "volunteers/certificate_detail.html", context)


@login_required
def certificate_pdf(request, pk: int):
    certificate = _readable(request, pk)
    data = certificate_pdf_bytes(certificate, verify_url(certificate.number, request))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    return response


@permission(REVOKE)
@require_POST
def certificate_revoke_view(request, pk: int):
    certificate = get_scoped_or_404(Certificate, request.user, REVOKE, pk=pk)
    if not may_issue_cert(request.user, certificate):
        raise Http404
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            certificate_revoke(certificate=certificate, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            for field_errors in error.message_dict.values():
                for message in field_errors:
                    messages.error(request, message)
        else:
            messages.success(request, _("证明已撤销。"))
    else:
        messages.error(request, _("请填写撤销原因。"))
    return redirect("volunteers:certificate_detail", certificate.pk)


@login_required
def my_certificates(request):
    """The volunteer's own certificates, and the self-service request for one organisation that confirmed hours."""
    volunteer = own_volunteer(request.user)
    if volunteer is None:
        raise PermissionDenied
    issuers = issuers_of_volunteer(volunteer)
    form = IssueForm(request.POST or None, issuers=issuers, self_service=True)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificate_issue(
                volunteer=volunteer,
                issuer=form.cleaned_data["issuer"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已出具证明 %(number)s。") % {"number": certificate.number})
            return redirect("volunteers:certificate_detail", certificate.pk)
    confirmed = ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.CONFIRMED)
    context = {
        "volunteer": volunteer,
        "certificates": volunteer.certificates.all(),
        "form": form,
        "has_issuers": bool(issuers),
        "confirmed_hours": confirmed.aggregate(total=Sum("hours"))["total"] or Decimal("0"),
    }
    return render(request, "volunteers/certificate_mine.html", context)


# --- REST (mounted by api.py at /api/v1/volunteers/certificates/) --------------------------------------------------

api_router = Router(tags=["volunteers"])


class CertificateQuery(Paging):
    q: str = Field("", description="certificate number, volunteer name or volunteer number")
    status: str = Field("", description="valid or revoked")


class CertificateLineOut(Schema):
    date: datetime.date
    hours: Decimal
    content: str


class CertificateOut(Schema):
    id: int
    number: str
    volunteer_name: str
    volunteer_number: str
    id_type: str = "居民身份证"
    id_number: str = Field(description="masked")
    issuer_name: str
    issuer_code: str
    person_in_charge: str
    handler: str
    contact_phone: str
    period_start: datetime.date
    period_end: datetime.date
    total_hours: Decimal
    issued_on: datetime.date
    revoked: bool
    lines: list[CertificateLineOut]


class CertificateIn(Schema):
    volunteer_number: str
    issuer: str = Field(description="s:<station id> or a:<agency id>")
    period_start: datetime.date
    period_end: datetime.date
    handler: str = ""


class RevokeIn(Schema):
    reason: str


def _out(certificate: Certificate) -> dict:
    return {
        "id": certificate.pk,
        "number": certificate.number,
        "volunteer_name": certificate.volunteer_name,
        "volunteer_number": certificate.volunteer_number,
        "id_number": certificate.id_number_masked,
        "issuer_name": certificate.issuer_name,
        "issuer_code": certificate.issuer_code,
        "person_in_charge": certificate.person_in_charge,
        "handler": certificate.handler,
        "contact_phone": certificate.contact_phone,
        "period_start": certificate.period_start,
        "period_end": certificate.period_end,
        "total_hours": certificate.total_hours,
        "issued_on": certificate.issued_on,
        "revoked": certificate.is_revoked,
        "lines": [
            {"date": line["date"], "hours": line["hours"], "content": line["content"]} for line in certificate.lines
        ],
    }


@api_router.get("/", response=list[CertificateOut], summary="Volunteer service certificates in the caller's scope")
def api_certificate_list(request, query: Query[CertificateQuery]):
    require(request, VIEW)
    form = CertificateFilterForm(query_dict(q=query.q, status=query.status))
    check_filters(form)
    return [_out(row) for row in query.window(form.apply(certificates_for(request.user)))]


@api_router.get("/{int:certificate_id}", response=CertificateOut, summary="One certificate (in scope, or one's own)")
def api_certificate_detail(request, certificate_id: int):
    if not request.user.has_perm(VIEW) and own_volunteer(request.user) is None:
        raise HttpError(403, _("您没有执行此操作的权限。"))
    return _out(get_scoped_or_404(Certificate, request.user, VIEW, pk=certificate_id))


@api_router.post("/", response={201: CertificateOut}, summary="Issue a certificate (free of charge, 谁记录谁证明)")
def api_certificate_issue(request, payload: CertificateIn):
    require(request, ISSUE)
    issuer = issuer_from_key(payload.issuer)
    volunteer = Volunteer.objects.filter(number=payload.volunteer_number.strip()).first()
    if issuer is None or not may_issue(request.user, issuer):
        raise HttpError(404, _("没有这个出具单位。"))
    if volunteer is None:
        raise HttpError(400, _("没有这个志愿者编号。"))
    certificate = run_service(
        lambda: certificate_issue(
            volunteer=volunteer,
            issuer=issuer,
            period_start=payload.period_start,
            period_end=payload.period_end,
            handler=payload.handler,
            actor=request.user,
        )
    )
    return Status(201, _out(certificate))


@api_router.post("/{int:certificate_id}/revoke", response=CertificateOut, summary="Revoke a certificate with a reason")
def api_certificate_revoke(request, certificate_id: int, payload: RevokeIn):
    require(request, REVOKE)
    certificate = get_scoped_or_404(Certificate, request.user, REVOKE, pk=certificate_id)
    if not may_issue_cert(request.user, certificate):
        raise HttpError(404, _("没有这个证明。"))
    certificate = run_service(
        lambda: certificate_revoke(certificate=certificate, reason=payload.reason, actor=request.user)
    )
    return _out(certificate)
