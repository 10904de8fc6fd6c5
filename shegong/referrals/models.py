"""Referrals (转介): a recipient (and optionally their case) sent from one station to another station, an agency or a
department outside the platform (民政, 残联, 妇联, 法律援助, 医疗机构 …: items of the refdata dictionary
`referral_department`).

States: 转介中 (in_progress) → 已接收 (accepted) or 已拒绝 (rejected, with a reason) → 已完成 (done, from accepted);
the sender may revoke (已撤回) from in_progress or accepted, with a reason. Revoked is not done: the database keeps
`done_at` and `revoked_at` apart and ties each to its state. Every move is a ReferralEvent (the timeline), an audit
row and an inbox alert to the other side, all in one transaction (services.py).

The referral's region is the recipient's community (scope of the sending side, like the recipient's record); the
receiving side sees referrals addressed to it through `selectors.incoming` (target station's region or agency, the
target agency).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope

DEPARTMENT_DICTIONARY = "referral_department"


class Referral(models.Model):
    """One referral of a recipient to exactly one target: a station, an agency or a department."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("转介中")
        ACCEPTED = "accepted", _("已接收")
        REJECTED = "rejected", _("已拒绝")
        DONE = "done", _("已完成")
        REVOKED = "revoked", _("已撤回")

    class TargetKind(models.TextChoices):
        STATION = "station", _("站点")
        AGENCY = "agency", _("社工机构")
        DEPARTMENT = "department", _("部门")

    # The allowed moves (from → to). Revoking is the sender's; the others are the receiving side's (for a department,
    # recorded by the sender).
    MOVES = {
        State.IN_PROGRESS: (State.ACCEPTED, State.REJECTED, State.REVOKED),
        State.ACCEPTED: (State.DONE, State.REVOKED),
        State.REJECTED: (),
        State.DONE: (),
        State.REVOKED: (),
    }

    recipient = models.ForeignKey(
        "recipients.Recipient", verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="referrals"
    )
    case = models.ForeignKey(
        "casework.Case",
        verbose_name=_("个案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    from_station = models.ForeignKey(
        "stations.Station", verbose_name=_("转出站点"), on_delete=models.PROTECT, related_name="referrals_out"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("转出机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("转出站点的承接机构"),
    )
    to_station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("接收站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_in",
    )
    to_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("接收机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_in",
    )
    to_department = models.ForeignKey(
        "refdata.DictionaryItem",
        verbose_name=_("接收部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dictionary__code": DEPARTMENT_DICTIONARY},
    )
    to_unit = models.CharField(_("接收单位"), max_length=200, blank=True, help_text=_("具体单位名称，如某区法律援助处"))
    to_contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    reason = models.TextField(_("转介原因"))
    needs_summary = models.TextField(_("需求摘要"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    answer_note = models.TextField(_("接收方意见"), blank=True)
    reject_reason = models.CharField(_("拒绝原因"), max_length=500, blank=True)
    revoke_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
    outcome = models.TextField(_("服务结果"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转介人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("转介时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency", owner="made_by")

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-created_at", "-id"]
        permissions = [("answer_referral", _("答复转介（接收、拒绝、完成）"))]
        indexes = [
            models.Index(fields=["region", "state"], name="referral_region_state_idx"),
            models.Index(fields=["from_station", "state"], name="referral_from_station_idx"),
            models.Index(fields=["to_station", "state"], name="referral_to_station_idx"),
            models.Index(fields=["to_agency", "state"], name="referral_to_agency_idx"),
            models.Index(fields=["province_code", "created_at"], name="referral_province_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["in_progress", "accepted", "rejected", "done", "revoked"]),
                name="referral_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(to_station__isnull=False, to_agency__isnull=True, to_department__isnull=True)
                | models.Q(to_station__isnull=True, to_agency__isnull=False, to_department__isnull=True)
                | models.Q(to_station__isnull=True, to_agency__isnull=True, to_department__isnull=False),
                name="referral_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(to_station__isnull=True) | ~models.Q(to_station=models.F("from_station")),
                name="referral_not_to_itself",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="rejected") | models.Q(reject_reason__gt="", answered_at__isnull=False),
                name="referral_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=(models.Q(state="revoked") & models.Q(revoked_at__isnull=False, revoke_reason__gt=""))
                | (~models.Q(state="revoked") & models.Q(revoked_at__isnull=True)),
                name="referral_revoked_iff_revoked_at",
            ),
            models.CheckConstraint(
                condition=(models.Q(state="done") & models.Q(done_at__isnull=False, answered_at__isnull=False))
                | (~models.Q(state="done") & models.Q(done_at__isnull=True)),
                name="referral_done_iff_done_at",
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="referral_revoked_is_not_done",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="accepted") | models.Q(answered_at__isnull=False),
                name="referral_accepted_is_answered",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="referral_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} → {self.target_name}"

    @property
    def target_kind(self) -> str:
        if self.to_station_id:
            return self.TargetKind.STATION
        if self.to_agency_id:
            return self.TargetKind.AGENCY
        return self.TargetKind.DEPARTMENT

    @property
    def target_kind_label(self) -> str:
        return str(self.TargetKind(self.target_kind).label)

    @property
    def target_name(self) -> str:
        if self.to_station_id:
            return self.to_station.name
        if self.to_agency_id:
            return self.to_agency.name
        name = self.to_department.name if self.to_department_id else ""
        return f"{name}（{self.to_unit}）" if self.to_unit else name

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.IN_PROGRESS, self.State.ACCEPTED)


class ReferralEvent(models.Model):
    """One move of a referral (the timeline): from which state to which, by whom, when, with the note given."""

    referral = models.ForeignKey(Referral, verbose_name=_("转介"), on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("原状态"), max_length=12, choices=Referral.State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=Referral.State.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    data_scope = DataScope(region="referral__region", agency="referral__agency", owner="referral__made_by")

    class Meta:
        verbose_name = _("转介记录")
        verbose_name_plural = _("转介记录")
        ordering = ["referral", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_state__in=["in_progress", "accepted", "rejected", "done", "revoked"]),
                name="referral_event_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_state or '—'} → {self.to_state}"
