"""Excel import of a plan's targets (ImportSpec "inspection-targets", at /tabular/import/inspection-targets/): one
target per row, a station by its code or an agency by its 统一社会信用代码, with the plan's number (shown on the plan's
page; the template downloaded there has it filled in) and an optional planned date. A file may fill several plans
(the four quarterly rounds of a year often visit the same stations).

The framework reads the workbook, parses each cell, refuses a target repeated for one plan inside the file, and writes
the good rows in one transaction with one import entry in the log. The row checks are services.inspection_add's own
rules, run against what was looked up (each plan, station and agency once, whatever the number of rows): the plan in
the importer's scope, exactly one of station and agency, the target inside the plan's region, a revoked station, a
target already in the plan. The write calls inspection_add for each row, which locks the plan and checks again, so a
target added by someone else meanwhile fails the whole write (rolled back and reported), never half of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.agencies.models import Agency
from shegong.core.scope import scoped
from shegong.inspections import services
from shegong.inspections.models import Inspection, InspectionPlan
from shegong.inspections.selectors import CHANGE_PLAN
from shegong.regions.codes import subtree_bounds
from shegong.stations.imports import upper_code
from shegong.stations.models import Station
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register

KIND = "inspection-targets"


@dataclass
class PlanRef:
    """A plan named in the file, with what the row checks need: its region's bounds and the targets it holds."""

    plan: InspectionPlan
    low: str
    high: str
    stations: set[int]
    agencies: set[int]

    def holds(self, region_id: str | None) -> bool:
        return bool(region_id) and self.low <= region_id <= self.high


class Lookups:
    """Plans (in the importer's scope for CHANGE_PLAN), stations and agencies, each read once when first named."""

    def __init__(self, actor):
        self.plan_rows = scoped(InspectionPlan, actor, CHANGE_PLAN).select_related("region")
        self.plans: dict[int, PlanRef | None] = {}
        self.stations: dict[str, Station | None] = {}
        self.agencies: dict[str, Agency | None] = {}

    def plan(self, pk: int) -> PlanRef | None:
        if pk not in self.plans:
            plan = self.plan_rows.filter(pk=pk).first()
            if plan is None:
                self.plans[pk] = None
            else:
                targets = list(Inspection.objects.filter(plan=plan).values_list("station_id", "agency_id"))
                self.plans[pk] = PlanRef(
                    plan,
                    *subtree_bounds(plan.region_id, plan.region.level),
                    stations={station for station, _agency in targets if station},
                    agencies={agency for _station, agency in targets if agency},
                )
        return self.plans[pk]

    def station(self, code: str) -> Station | None:
        if code not in self.stations:
            self.stations[code] = Station.objects.filter(code=code).first()
        return self.stations[code]

    def agency(self, credit_code: str) -> Agency | None:
        if credit_code not in self.agencies:
            self.agencies[credit_code] = Agency.objects.filter(credit_code=credit_code).first()
        return self.agencies[credit_code]


class PlanTargetImport(ImportSpec):
    kind = KIND
    title = gettext_lazy("督查对象")
    permission = CHANGE_PLAN
    columns = [
        Column(
            "plan",
            gettext_lazy("计划编号"),
            required=True,
            parse=parsers.integer(minimum=1),
            example=1,
            help=gettext_lazy("督查计划页面上显示的计划编号；计划须在您的管辖范围内"),
            width=10,
        ),
        Column(
            "station",
            gettext_lazy("站点编码"),
            parse=upper_code(16),
            example="S440104003",
            help=gettext_lazy("督查站点时填写站点页面上的站点编码；与统一社会信用代码二选一"),
        ),
        Column(
            "agency",
            gettext_lazy("统一社会信用代码"),
            parse=parsers.credit_code(),
            example="",
            help=gettext_lazy("督查机构时填写机构的 18 位统一社会信用代码；与站点编码二选一"),
            width=22,
        ),
        Column(
            "scheduled_on",
            gettext_lazy("计划日期"),
            parse=parsers.date(),
            example="",
            help=gettext_lazy("可不填"),
            width=12,
        ),
    ]
    unique_together = [("plan", "station"), ("plan", "agency")]

    def for_plan(self, plan: InspectionPlan) -> PlanTargetImport:
        """The same spec with the plan's number as the template's example (the plan page's template download)."""
        spec = PlanTargetImport()
        spec.columns = [replace(column, example=plan.pk) if column.key == "plan" else column for column in self.columns]
        return spec

    def prepare(self, actor) -> dict:
        return {"lookups": Lookups(actor)}

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        lookups: Lookups = context["lookups"]
        ref = lookups.plan(values["plan"])
        if ref is None:
            return [_("计划编号：您的管辖范围内没有编号为 %(number)s 的督查计划") % {"number": values["plan"]}]
        if (values["station"] is None) == (values["agency"] is None):
            return [_("请填写站点编码或统一社会信用代码（二选一）")]
        if values["station"] is not None:
            station = lookups.station(values["station"])
            if station is None or not ref.holds(station.region_id):
                return [
                    _("站点编码：%(region)s内没有编码为 %(code)s 的站点")
                    % {"region": ref.plan.region.name, "code": values["station"]}
                ]
            if station.status == Station.Status.REVOKED:
                return [_("站点编码：%(station)s 已撤销，不能督查") % {"station": station.name}]
            if station.pk in ref.stations:
                return [_("%(target)s 已在本计划中") % {"target": station.name}]
            values["_target"] = {"station": station}
            return []
        agency = lookups.agency(values["agency"])
        if agency is None or not ref.holds(agency.region_id):
            return [
                _("统一社会信用代码：%(region)s内没有代码为 %(code)s 的机构")
                % {"region": ref.plan.region.name, "code": values["agency"]}
            ]
        if agency.pk in ref.agencies:
            return [_("%(target)s 已在本计划中") % {"target": agency.name}]
        values["_target"] = {"agency": agency}
        return []

    def write(self, rows: list[dict], context: dict, actor) -> int:
        lookups: Lookups = context["lookups"]
        for values in rows:
            services.inspection_add(
                actor=actor,
                plan=lookups.plan(values["plan"]).plan,
                scheduled_on=values["scheduled_on"],
                **values["_target"],
            )
        return len(rows)


def register_all() -> None:
    register(PlanTargetImport())
