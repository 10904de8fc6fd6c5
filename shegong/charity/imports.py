"""Excel import of donations (捐赠登记) received at charity points, through the tabular framework: one row per donation.

The point is named by its station's code. Each row is checked by `donation_receive` itself in a savepoint
(volunteers.imports.dry_run: the scope, an open point, the fields of money or goods, donor or anonymous, purpose,
dates) and the good rows are then received by it in file order, so each gets the point's next receipt number under
the point's lock, exactly as the form draws them; each is audited.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.charity import permissions, services
from shegong.charity.models import CharityPoint, Kind, PurposeKind
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.volunteers.imports import dry_run

VALUES = (
    "received_on",
    "kind",
    "amount",
    "items",
    "quantity",
    "estimated_value",
    "donor_name",
    "donor_phone",
    "purpose",
    "handler",
)


class DonationImport(ImportSpec):
    kind = "charity-donations"
    title = gettext_lazy("捐赠登记")
    permission = permissions.ADD_DONATION
    columns = [
        Column(
            "station",
            gettext_lazy("站点编码"),
            required=True,
            parse=parsers.text(16),
            example="S440104003",
            help=gettext_lazy("设有慈善捐赠站点的站点编码"),
            width=14,
        ),
        Column("received_on", gettext_lazy("接收日期"), required=True, parse=parsers.date(), example="2026-03-01"),
        Column(
            "kind",
            gettext_lazy("捐赠类型"),
            required=True,
            parse=parsers.choice(dict(Kind.choices)),
            example="善款",
            help=gettext_lazy("善款或物资"),
            width=10,
        ),
        Column(
            "amount",
            gettext_lazy("金额（元）"),
            parse=parsers.decimal(2),
            example="500",
            help=gettext_lazy("善款填写"),
            width=12,
        ),
        Column("items", gettext_lazy("物资名称"), parse=parsers.text(200), help=gettext_lazy("物资填写"), width=14),
        Column("quantity", gettext_lazy("数量"), parse=parsers.integer(1), help=gettext_lazy("物资填写"), width=8),
        Column(
            "estimated_value",
            gettext_lazy("估值（元）"),
            parse=parsers.decimal(2),
            help=gettext_lazy("物资填写"),
            width=12,
        ),
        Column(
            "anonymous",
            gettext_lazy("匿名捐赠"),
            parse=parsers.boolean(),
            example="否",
            help=gettext_lazy("是或否，留空为否；匿名不填捐赠人"),
            width=10,
        ),
        Column("donor_name", gettext_lazy("捐赠人"), parse=parsers.text(100), example="陈善人", width=14),
        Column("donor_phone", gettext_lazy("捐赠人电话"), parse=parsers.phone(), width=14),
        Column(
            "purpose_kind",
            gettext_lazy("用途类型"),
            parse=parsers.choice(dict(PurposeKind.choices)),
            example="非定向",
            help=gettext_lazy("定向或非定向，留空为非定向"),
            width=10,
        ),
        Column("purpose", gettext_lazy("定向用途"), parse=parsers.text(200), width=16),
        Column("handler", gettext_lazy("经办人"), required=True, parse=parsers.text(50), example="李经办", width=10),
    ]

    def prepare(self, actor) -> dict:
        return {"points": {}}

    def _receive(self, values: dict, actor):
        fields = {key: values[key] for key in VALUES}
        for key in ("items", "donor_name", "donor_phone", "purpose"):
            fields[key] = fields[key] or ""
        return services.donation_receive(
            actor=actor,
            point=values["_point"],
            anonymous=bool(values["anonymous"]),
            purpose_kind=values["purpose_kind"] or PurposeKind.UNDIRECTED,
            **fields,
        )

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        code = values["station"].upper()
        if code not in context["points"]:
            context["points"][code] = CharityPoint.objects.filter(station__code=code).first()
        point = context["points"][code]
        if point is None:
            return [_("站点编码：该站点没有设立慈善捐赠站点")]
        values["_point"] = point
        return dry_run(lambda: self._receive(values, actor))

    def write(self, rows: list[dict], context: dict, actor) -> int:
        for row in rows:
            self._receive(row, actor)
        return len(rows)


def register_all() -> None:
    register(DonationImport())
