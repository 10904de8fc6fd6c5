"""Excel imports of the station network, through the tabular framework (template, per-row error report, background
run, all-or-nothing or good rows only, the good rows written in one transaction with one import entry in the log):

- "stations" (站点): name, kind by its Chinese label, region code, operating agency's credit code, host institution,
  opening date, address, coordinates, phone, service hours, status;
- "station-services" (服务清单): station code, service domain by name, title, description;
- "station-assignments" (站点人员): station code, worker's ID number, role label, full-time 是/否, from, to.

The row checks are the services' own rules, run in memory against what `prepare` loaded, so that a file of thousands
of rows is judged without a query per row in the usual case and every refusal lands in the error report beside its
row instead of stopping the import: the kind against the region's level (一区县一中心、一镇街一站、一村社一室), the
importer's scope, one live station per region and network kind (inside the file and against the database), unknown
agencies, stations and workers (a worker is found by the keyed hash of the ID number, never by the number itself), a
blacklisted or inactive worker, and two full-time posts of one worker sharing a day (inside the file and against the
database).

The write goes through the stations services (station_create, station_service_add, staff_assign), row by row inside
the framework's transaction: each keeps its own guarantees (the lock on the worker for full-time posts, the status
history, the audit entry of each record), so an import can never write what the pages would refuse. They cost a
few queries per row; the benchmark `./dev bench stations-import` measures it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.agencies.models import Agency
from shegong.core.fields import blind_index_for
from shegong.core.scope import scoped
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.stations import selectors
from shegong.stations.models import StaffAssignment, Station, StationService
from shegong.stations.rules import overlap_q
from shegong.stations.services import PHONE, WORKERS_VIEW
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.workers.models import CreditEvent, SocialWorker
from shegong.workers.selectors import ScopeCheck, blacklist_q

Kind = Station.Kind
Status = Station.Status
Role = StaffAssignment.Role

# Other names people write for the specialised kinds in a spreadsheet.
KIND_ALIASES = {
    "两站合一": Kind.MINOR_PROTECTION,
    "未成年人保护工作站": Kind.MINOR_PROTECTION,
    "区县中心": Kind.CENTRE,
    "社工站": Kind.STATION,
    "社工室": Kind.ROOM,
}
ONE_FULL_TIME = gettext_lazy("同一人同一天只能在一个站点专职")
SPECIALISED_LEVELS = (Region.Level.COUNTY, Region.Level.TOWNSHIP, Region.Level.VILLAGE)


def _labels(choices) -> str:
    return "、".join(str(label) for _code, label in choices)


def station_kind() -> parsers.Parser:
    """A kind by its label (镇街社工站), its code, or a common short name (两站合一)."""
    parse_choice = parsers.choice(dict(Kind.choices))

    def parse(value):
        raw = parsers.as_text(value)
        if raw in KIND_ALIASES:
            return KIND_ALIASES[raw]
        return parse_choice(raw)

    return parse


def region_code() -> parsers.Parser:
    def parse(value):
        raw = parsers.as_text(value)
        try:
            return canonical(raw)
        except InvalidCode:
            raise ValidationError(_("“%(value)s”不是 6、9 或 12 位的区划代码。") % {"value": raw}) from None

    return parse


def upper_code(max_length: int = 30) -> parsers.Parser:
    as_text = parsers.text(max_length)

    def parse(value):
        return as_text(value).upper().replace(" ", "")

    return parse


def coordinate(low: int, high: int) -> parsers.Parser:
    as_decimal = parsers.decimal(places=6)

    def parse(value):
        number = as_decimal(value)
        if not low <= number <= high:
            raise ValidationError(_("应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high})
        return number

    return parse


def id_number() -> parsers.Parser:
    """The ID number, checked (GB 11643) and turned straight into its keyed hash: the number itself goes no further."""
    check = parsers.id_number()

    def parse(value):
        return blind_index_for(SocialWorker, "id_number", check(value))

    return parse


def phone() -> parsers.Parser:
    """A phone as the stations service accepts it: digits with spaces, dashes, a plus, brackets, 转 (extension)."""
    as_text = parsers.text(30)

    def parse(value):
        raw = as_text(value)
        if not PHONE.fullmatch(raw):
            raise ValidationError(_("“%(value)s”不是有效的电话号码（例如 020-83331234）。") % {"value": raw})
        return raw

    return parse


@dataclass(frozen=True)
class StationRef:
    """What the row checks need to know about a station named in a file."""

    pk: int
    code: str
    name: str
    kind: str
    status: str
    region_id: str


class StationLookup:
    """Stations by code within the importer's scope for a permission, each read once per import (a file names a few
    hundred stations; the whole province's list is not loaded up front)."""

    def __init__(self, actor, perm: str):
        self.rows = scoped(Station, actor, perm)
        self.cache: dict[str, StationRef | None] = {}

    def get(self, code: str) -> StationRef | None:
        if code not in self.cache:
            found = self.rows.filter(code=code).values_list("pk", "code", "name", "kind", "status", "region_id").first()
            self.cache[code] = StationRef(*found) if found else None
        return self.cache[code]


def _unknown_station(code: str) -> str:
    return _("站点编码：没有编码为 %(code)s 的站点，或不在您的管辖范围内") % {"code": code}


# --- Stations --------------------------------------------------------------------------------------------------------


class StationImport(ImportSpec):
    kind = "stations"
    title = gettext_lazy("社工站点")
    permission = selectors.ADD
    columns = [
        Column(
            "name", gettext_lazy("站点名称"), required=True, parse=parsers.text(200), example="北京街社工站", width=28
        ),
        Column(
            "kind",
            gettext_lazy("站点类型"),
            required=True,
            parse=station_kind(),
            example=str(Kind.STATION.label),
            help=gettext_lazy(
                "区县社会工作指导中心（区县）、镇街社工站（街道、乡镇）、村社社工室（村、社区），"
                "或专门站点：学校社工站、两站合一"
            ),
            width=20,
        ),
        Column(
            "region",
            gettext_lazy("所在区划代码"),
            required=True,
            parse=region_code(),
            example="440104003000",
            help=gettext_lazy("统计用区划代码（6、9 或 12 位），级别须与站点类型一致，且在您的管辖范围内"),
            width=16,
        ),
        Column(
            "agency",
            gettext_lazy("承接机构统一社会信用代码"),
            parse=upper_code(18),
            example="",
            help=gettext_lazy("承接运营的社工机构，须已在系统中登记；可留空"),
            width=22,
        ),
        Column(
            "host_institution",
            gettext_lazy("依托单位"),
            parse=parsers.text(200),
            example="",
            help=gettext_lazy("学校社工站、两站合一等专门站点必须填写（例如所在学校）"),
            width=20,
        ),
        Column(
            "opened_on",
            gettext_lazy("启用日期"),
            parse=parsers.date(),
            example="2021-06-01",
            help=gettext_lazy("例如 2021-06-01；除筹建中的站点外不能晚于今天"),
            width=12,
        ),
        Column("address", gettext_lazy("地址"), parse=parsers.text(300), example="广州市越秀区北京路 1 号", width=28),
        Column("latitude", gettext_lazy("纬度"), parse=coordinate(-90, 90), example="23.125178", width=12),
        Column("longitude", gettext_lazy("经度"), parse=coordinate(-180, 180), example="113.270791", width=12),
        Column("phone", gettext_lazy("联系电话"), parse=phone(), example="020-83330000", width=14),
        Column(
            "service_hours",
            gettext_lazy("服务时间"),
            parse=parsers.text(200),
            example="周一至周五 9:00-18:00",
            width=20,
        ),
        Column(
            "status",
            gettext_lazy("状态"),
            parse=parsers.choice(dict(Status.choices)),
            example=str(Status.OPERATING.label),
            help=gettext_lazy("筹建、运营或暂停；留空时有启用日期为运营，否则为筹建"),
            width=8,
        ),
    ]

    def prepare(self, actor) -> dict:
        return {
            "scope": ScopeCheck(actor, self.permission),
            "regions": {},  # code -> (level, name), or None when unknown: read once per distinct code
            "agencies": {},  # credit code -> (pk, name, refusal or ""), or None when unknown
            "in_file": {},  # (region, kind) -> station name of the first live row of the file
            "today": timezone.localdate(),
        }

    @staticmethod
    def _region(code: str, context: dict):
        cache = context["regions"]
        if code not in cache:
            cache[code] = Region.objects.filter(pk=code).values_list("level", "name").first()
        return cache[code]

    @staticmethod
    def _agency(credit_code: str, context: dict):
        """The agency and, when it is on the abnormal list or the blacklist today, why it cannot operate a station
        (agencies.services.assert_agency_contractable, as station_create checks)."""
        from shegong.agencies.services import assert_agency_contractable

        cache = context["agencies"]
        if credit_code not in cache:
            agency = Agency.objects.filter(credit_code=credit_code).first()
            refusal = ""
            if agency is not None:
                try:
                    assert_agency_contractable(agency, context["today"])
                except ValidationError as exc:
                    refusal = "；".join(exc.messages)
            cache[credit_code] = (agency.pk, agency.name, refusal) if agency is not None else None
        return cache[credit_code]

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors: list[str] = []
        kind, code = values["kind"], values["region"]
        status = values["status"] or (Status.OPERATING if values["opened_on"] else Status.PREPARING)
        values["status"] = status
        if status == Status.REVOKED:
            errors.append(_("状态：不能导入已撤销的站点（撤销请在站点页面办理）"))
        agency_id = None
        if values["agency"]:
            found = self._agency(values["agency"], context)
            if found is None:
                errors.append(
                    _("承接机构：统一社会信用代码为 %(code)s 的机构未在系统中登记，请先登记机构")
                    % {"code": values["agency"]}
                )
            elif found[2]:
                errors.append(_("承接机构：%(reason)s") % {"reason": found[2]})
            else:
                agency_id = found[0]
        values["_agency_id"] = agency_id
        region = self._region(code, context)
        if region is None:
            errors.append(_("所在区划代码：没有代码为 %(code)s 的行政区划") % {"code": code})
            return errors
        level, region_name = region
        errors.extend(self._kind_fits(kind, level, region_name))
        # station_create asks whether the importer's assignments cover the region (an agency assignment does not).
        if not context["scope"].allows(code, None):
            errors.append(_("所在区划：%(name)s（%(code)s）不在您的管辖范围内") % {"name": region_name, "code": code})
        if kind not in Station.NETWORK_KINDS and not values["host_institution"]:
            errors.append(_("依托单位：%(kind)s必须填写依托单位（如所在学校）") % {"kind": Kind(kind).label})
        if (values["latitude"] is None) != (values["longitude"] is None):
            errors.append(_("经纬度：纬度和经度须同时填写或同时留空"))
        if values["opened_on"] and values["opened_on"] > context["today"] and status != Status.PREPARING:
            errors.append(_("启用日期：不能晚于今天（筹建中的站点除外）"))
        if not errors and kind in Station.NETWORK_KINDS:
            errors.extend(self._duplicate(values, region_name, context))
        return errors

    @staticmethod
    def _kind_fits(kind: str, level: int, region_name: str) -> list[str]:
        wanted = Station.LEVEL_OF_KIND.get(kind)
        if wanted is not None and level != wanted:
            return [
                _("站点类型：%(kind)s须设在%(level)s区划上，而%(region)s是%(actual)s区划")
                % {
                    "kind": Kind(kind).label,
                    "level": Region.Level(wanted).label,
                    "region": region_name,
                    "actual": Region.Level(level).label,
                }
            ]
        if wanted is None and level not in SPECIALISED_LEVELS:
            return [
                _("站点类型：%(kind)s须设在区县、乡镇（街道）或村（社区）上，而不是%(region)s")
                % {"kind": Kind(kind).label, "region": region_name}
            ]
        return []

    @staticmethod
    def _duplicate(values: dict, region_name: str, context: dict) -> list[str]:
        key = (values["region"], values["kind"])
        label = Kind(values["kind"]).label
        if key in context["in_file"]:
            return [
                _("重复：文件中已有%(region)s的%(kind)s“%(name)s”（一个区划只设一个）")
                % {"region": region_name, "kind": label, "name": context["in_file"][key]}
            ]
        existing = (
            Station.objects.filter(region_id=values["region"], kind=values["kind"])
            .exclude(status=Status.REVOKED)
            .values_list("name", "code")
            .first()
        )
        if existing is not None:
            return [
                _("重复：%(region)s已有%(kind)s“%(name)s”（编码 %(code)s），一个区划只设一个")
                % {"region": region_name, "kind": label, "name": existing[0], "code": existing[1]}
            ]
        context["in_file"][key] = values["name"]
        return []

    def write(self, rows: list[dict], context: dict, actor) -> int:
        from shegong.stations import services

        regions = Region.objects.in_bulk([row["region"] for row in rows])
        agencies = Agency.objects.in_bulk([row["_agency_id"] for row in rows if row["_agency_id"]])
        for row in rows:
            station = services.station_create(
                actor=actor,
                name=row["name"],
                kind=row["kind"],
                region=regions[row["region"]],
                agency=agencies.get(row["_agency_id"]),
                host_institution=row["host_institution"] or "",
                opened_on=row["opened_on"],
                address=row["address"] or "",
                latitude=row["latitude"],
                longitude=row["longitude"],
                phone=row["phone"] or "",
                service_hours=row["service_hours"] or "",
                status=Status.PREPARING if row["status"] == Status.PREPARING else Status.OPERATING,
            )
            if row["status"] == Status.SUSPENDED:
                services.station_set_status(
                    actor=actor, station=station, status=Status.SUSPENDED, reason=_("Excel 导入时为暂停状态")
                )
        return len(rows)


# --- Service lists ---------------------------------------------------------------------------------------------------


class StationServiceImport(ImportSpec):
    kind = "station-services"
    title = gettext_lazy("站点服务清单")
    permission = selectors.CHANGE
    columns = [
        Column(
            "station",
            gettext_lazy("站点编码"),
            required=True,
            parse=upper_code(16),
            example="",
            help=gettext_lazy("站点页面上显示的站点编码；站点须在您的管辖范围内"),
            width=18,
        ),
        Column(
            "domain",
            gettext_lazy("服务领域"),
            required=True,
            parse=parsers.text(50),
            example="社会救助",
            help=gettext_lazy("系统字典“服务领域”中的名称"),
            width=14,
        ),
        Column(
            "title", gettext_lazy("服务项目"), required=True, parse=parsers.text(200), example="困难群众探访", width=24
        ),
        Column(
            "description",
            gettext_lazy("说明"),
            parse=parsers.text(2000),
            example="每月走访低保、特困家庭，了解需求并链接资源",
            width=36,
        ),
    ]
    unique_together = [("station", "title")]

    def prepare(self, actor) -> dict:
        from shegong.refdata.selectors import items

        domains = {}
        for code, name in items(selectors.SERVICE_DOMAIN_DICTIONARY).values_list("code", "name"):
            domains[name] = code
            domains[code] = code
        return {"stations": StationLookup(actor, self.permission), "domains": domains, "titles": {}}

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors = []
        station = context["stations"].get(values["station"])
        if station is None:
            errors.append(_unknown_station(values["station"]))
        elif station.status == Status.REVOKED:
            errors.append(_("站点编码：站点“%(name)s”已撤销") % {"name": station.name})
        domain = context["domains"].get(values["domain"])
        if domain is None:
            errors.append(_("服务领域：“%(value)s”不在系统字典中") % {"value": values["domain"]})
        values["domain"] = domain
        if station is not None and not errors:
            titles = context["titles"].get(station.pk)
            if titles is None:
                titles = context["titles"][station.pk] = set(
                    StationService.objects.filter(station_id=station.pk).values_list("title", flat=True)
                )
            if values["title"] in titles:
                errors.append(
                    _("服务项目：站点“%(name)s”的服务清单中已有“%(title)s”")
                    % {"name": station.name, "title": values["title"]}
                )
        values["_station_id"] = station.pk if station else None
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        from shegong.stations import services

        stations = Station.objects.in_bulk([row["_station_id"] for row in rows])
        for row in rows:
            services.station_service_add(
                actor=actor,
                station=stations[row["_station_id"]],
                domain=row["domain"],
                title=row["title"],
                description=row["description"] or "",
            )
        return len(rows)


# --- Staff assignments -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A post of an earlier good row of the file, to compare later rows with."""

    station_id: int
    station_code: str
    start: datetime.date
    end: datetime.date | None
    full_time: bool
    resident: bool

    def overlaps(self, start: datetime.date, end: datetime.date | None) -> bool:
        return (self.end is None or self.end >= start) and (end is None or end >= self.start)

    def describe(self) -> str:
        return describe_period(self.station_code, self.start, self.end)


def describe_period(station_code: str, start: datetime.date, end: datetime.date | None) -> str:
    if end is None:
        return _("%(code)s，%(start)s 起至今") % {"code": station_code, "start": start}
    return _("%(code)s，%(start)s 至 %(end)s") % {"code": station_code, "start": start, "end": end}


class StaffAssignmentImport(ImportSpec):
    kind = "station-assignments"
    title = gettext_lazy("站点人员")
    permission = selectors.ASSIGN
    columns = [
        Column(
            "station",
            gettext_lazy("站点编码"),
            required=True,
            parse=upper_code(16),
            example="S440104003",
            help=gettext_lazy("站点页面上显示的站点编码；站点须在您的管辖范围内"),
            width=18,
        ),
        Column(
            "worker",
            gettext_lazy("身份证号"),
            required=True,
            parse=id_number(),
            example="440104199001010010",
            help=gettext_lazy("社会工作者的身份证号，此人须已在人才库中登记且在您的管辖范围内"),
            width=22,
        ),
        Column(
            "role",
            gettext_lazy("岗位"),
            required=True,
            parse=parsers.choice(dict(Role.choices)),
            example=str(Role.FULL_TIME.label),
            help=gettext_lazy("站长、副站长、专职社工、辅助岗、驻点社工（仅村社社工室）或督导"),
            width=10,
        ),
        Column(
            "full_time",
            gettext_lazy("专职"),
            required=True,
            parse=parsers.boolean(),
            example="是",
            help=gettext_lazy("是或否；同一人同一天只能在一个站点专职"),
            width=8,
        ),
        Column("start_date", gettext_lazy("起始日期"), required=True, parse=parsers.date(), example="2024-01-01"),
        Column(
            "end_date",
            gettext_lazy("结束日期"),
            parse=parsers.date(),
            example="",
            help=gettext_lazy("含当日；留空表示至今"),
        ),
    ]

    def prepare(self, actor) -> dict:
        return {
            "stations": StationLookup(actor, self.permission),
            "workers": scoped(SocialWorker, actor, WORKERS_VIEW),
            "found": {},  # keyed hash -> (pk, name, status), or None when unknown or out of scope
            "posts": {},  # worker pk -> posts of earlier good rows of the file
            "residents": {},  # room pk -> resident posts of earlier good rows of the file
            "today": timezone.localdate(),
        }

    @staticmethod
    def _worker(index: str, context: dict):
        cache = context["found"]
        if index not in cache:
            cache[index] = context["workers"].filter(id_number_index=index).values_list("pk", "name", "status").first()
        return cache[index]

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        """The rules of services.staff_assign, in the same order, each refusal worded for the error report."""
        errors = []
        start, end = values["start_date"], values["end_date"]
        if end is not None and end < start:
            errors.append(_("结束日期：不能早于起始日期"))
        station = context["stations"].get(values["station"])
        if station is None:
            errors.append(_unknown_station(values["station"]))
        elif station.status == Status.REVOKED:
            errors.append(_("站点编码：站点“%(name)s”已撤销，不能再安排人员") % {"name": station.name})
        elif values["role"] == Role.RESIDENT and station.kind != Kind.ROOM:
            errors.append(_("岗位：驻点社工只能安排在村社社工室（一社区一社工）"))
        worker = self._worker(values["worker"], context)
        if worker is None:
            errors.append(_("身份证号：人才库中没有此人，或不在您的管辖范围内；请先登记人员"))
        values["_station_id"] = station.pk if station else None
        values["_worker_id"] = worker[0] if worker else None
        if errors:
            return errors
        pk, name, status = worker
        errors.extend(self._assignable(pk, name, status, start, end, context["today"]))
        if not errors:
            errors.extend(self._clashes(values, station, pk, name, context))
        if not errors:
            post = Period(station.pk, station.code, start, end, values["full_time"], values["role"] == Role.RESIDENT)
            context["posts"].setdefault(pk, []).append(post)
            if post.resident:
                context["residents"].setdefault(station.pk, []).append(post)
        return errors

    @staticmethod
    def _assignable(pk: int, name: str, status: str, start, end, today) -> list[str]:
        """workers.selectors.assert_worker_assignable, judged as the service judges it: on the first day of the post
        and, for a post that has begun and still runs, today."""
        if status != SocialWorker.Status.ACTIVE:
            return [
                _("身份证号：%(name)s 当前状态为“%(status)s”，不能安排到岗位")
                % {"name": name, "status": SocialWorker.Status(status).label}
            ]
        days = [start]
        if start < today and (end is None or end >= today):
            days.append(today)
        listed = Q()
        for day in days:
            listed |= blacklist_q(day)
        entry = (
            CreditEvent.objects.filter(worker_id=pk)
            .filter(listed)
            .order_by("-occurred_on", "-id")
            .values_list("title", "occurred_on")
            .first()
        )
        if entry is not None:
            return [
                _("身份证号：%(name)s 已被列入黑名单（%(title)s，%(since)s 起），期间不能安排到岗位")
                % {"name": name, "title": entry[0], "since": entry[1]}
            ]
        return []

    @staticmethod
    def _clashes(values: dict, station: StationRef, pk: int, name: str, context: dict) -> list[str]:
        """Posts sharing a day with this one: at the same station (any role), full-time anywhere (for a full-time
        row), and the room's resident (for a resident row); earlier rows of the file first, then the database."""
        start, end, full_time = values["start_date"], values["end_date"], values["full_time"]
        resident = values["role"] == Role.RESIDENT
        for post in context["posts"].get(pk, []):
            if not post.overlaps(start, end):
                continue
            if post.station_id == station.pk:
                return [
                    _("重复：%(name)s 在文件中另有一行同一站点的安排（%(other)s）与本行时间重叠")
                    % {"name": name, "other": post.describe()}
                ]
            if full_time and post.full_time:
                return [
                    _("专职：%(name)s 在文件中另有一行专职安排（%(other)s）与本行时间重叠，%(rule)s")
                    % {"name": name, "other": post.describe(), "rule": ONE_FULL_TIME}
                ]
        if resident:
            for post in context["residents"].get(station.pk, []):
                if post.overlaps(start, end):
                    return [
                        _("岗位：文件中另有一行为本社工室安排了驻点社工（%(other)s），一社区一社工，同一时间只能有一名")
                        % {"other": post.describe()}
                    ]
        others = StaffAssignment.objects.filter(worker_id=pk).filter(overlap_q(start, end))
        fields = ("station_id", "station__code", "station__name", "start_date", "end_date", "full_time")
        for station_id, code, station_name, other_start, other_end, other_full_time in others.values_list(*fields):
            period = describe_period(code, other_start, other_end)
            if station_id == station.pk:
                return [
                    _("重复：%(name)s 在这段时间已在本站任职（%(period)s），请修改原来的安排")
                    % {"name": name, "period": period}
                ]
            if full_time and other_full_time:
                return [
                    _("专职：%(name)s 已在“%(station)s”专职（%(period)s），与本行时间重叠，%(rule)s")
                    % {"name": name, "station": station_name, "period": period, "rule": ONE_FULL_TIME}
                ]
        if resident:
            found = (
                StaffAssignment.objects.filter(station_id=station.pk, role=Role.RESIDENT)
                .filter(overlap_q(start, end))
                .values_list("worker__name", "start_date", "end_date")
                .first()
            )
            if found is not None:
                return [
                    _("岗位：本社工室在这段时间已有驻点社工 %(name)s（%(period)s），一社区一社工，同一时间只能有一名")
                    % {"name": found[0], "period": describe_period(station.code, found[1], found[2])}
                ]
        return []

    def write(self, rows: list[dict], context: dict, actor) -> int:
        from shegong.stations import services

        stations = Station.objects.in_bulk([row["_station_id"] for row in rows])
        workers = SocialWorker.objects.in_bulk([row["_worker_id"] for row in rows])
        for row in rows:
            services.staff_assign(
                actor=actor,
                station=stations[row["_station_id"]],
                worker=workers[row["_worker_id"]],
                role=row["role"],
                full_time=row["full_time"],
                start_date=row["start_date"],
                end_date=row["end_date"],
            )
        return len(rows)


def register_all() -> None:
    register(StationImport())
    register(StationServiceImport())
    register(StaffAssignmentImport())
