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

The write is each service's writes done in bulk (station_create, station_service_add, staff_assign), inside the
framework's one transaction, with one audit entry for the import (the registries' way, tabular.services): the
services cost some twenty queries per row (locks, checks, savepoints, an audit entry each), about 45 rows a second on
PostgreSQL, where a province's file has tens of thousands of rows. The write takes the services' locks in their order
(workers, then stations, then regions), checks their rules once more against the database under those locks, so that
a post, a station or a listing written by someone else since the check cannot slip through, and inserts everything
at once; any such change fails the whole write, which the framework rolls back and reports. The PostgreSQL
exclusion constraint on full-time periods and the one-live-station constraint back the checks up.
`./dev bench stations-import` measures it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.agencies.models import Agency
from shegong.analytics import maintenance
from shegong.core.fields import blind_index_for
from shegong.core.scope import scoped
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.stations import selectors
from shegong.stations.models import StaffAssignment, Station, StationService, StationStatusEvent
from shegong.stations.services import KIND_LETTERS, MAX_CODE_SUFFIX, PHONE, WORKERS_VIEW
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.workers.models import CreditEvent, SocialWorker
from shegong.workers.selectors import ScopeCheck

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
ONE_RESIDENT = gettext_lazy("一社区一社工，同一时间只能有一名")
BULK_BATCH = 2000
PRELOAD_STATIONS = 50_000
PRELOAD_WORKERS = 100_000
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


def station_code_column(*, example: str) -> Column:
    """The column that names a station of the importer's scope by its code (service lists and staff both use it)."""
    return Column(
        "station",
        gettext_lazy("站点编码"),
        required=True,
        parse=upper_code(16),
        example=example,
        help=gettext_lazy("站点页面上显示的站点编码；站点须在您的管辖范围内"),
        width=18,
    )


@dataclass(frozen=True)
class StationRef:
    """What the row checks need to know about a station named in a file."""

    pk: int
    code: str
    name: str
    kind: str
    status: str
    region_id: str

    FIELDS = ("pk", "code", "name", "kind", "status", "region_id")


class StationLookup:
    """Stations by code within the importer's scope for a permission. Up to PRELOAD_STATIONS of them (a province's
    network) are read in one query up front, so a file of thousands of rows looks each up in memory; beyond that
    (a nationwide importer) each code is read once, when a row first names it."""

    def __init__(self, actor, perm: str):
        self.rows = scoped(Station, actor, perm)
        self.cache: dict[str, StationRef | None] = {}
        self.complete = self.rows.count() <= PRELOAD_STATIONS
        if self.complete:
            for found in self.rows.order_by().values_list(*StationRef.FIELDS).iterator(chunk_size=5000):
                self.cache[found[1]] = StationRef(*found)

    def get(self, code: str) -> StationRef | None:
        if code not in self.cache:
            found = None if self.complete else self.rows.filter(code=code).values_list(*StationRef.FIELDS).first()
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
        """The importer's regions and their live stations, read up front when the scope is a few regional subtrees
        (a province: some 30,000 regions); a nationwide importer's rows read them per distinct region instead."""
        scope = ScopeCheck(actor, self.permission)
        regions: dict[str, tuple | None] = {}
        live: dict[tuple[str, str], tuple[str, str]] = {}
        if not scope.everywhere:
            for low, high in scope.bounds:
                rows = Region.objects.filter(code__gte=low, code__lte=high, level__gte=Region.Level.COUNTY)
                for code, level, name in rows.order_by().values_list("code", "level", "name").iterator(20000):
                    regions[code] = (level, name)
                stations = (
                    Station.objects.filter(region_id__gte=low, region_id__lte=high, kind__in=Station.NETWORK_KINDS)
                    .exclude(status=Status.REVOKED)
                    .order_by()
                    .values_list("region_id", "kind", "name", "code")
                )
                for region_id, kind, name, code in stations.iterator(20000):
                    live[(region_id, kind)] = (name, code)
        return {
            "scope": scope,
            "regions": regions,  # code -> (level, name), or None when unknown
            "live": live,  # (region, kind) -> (name, code) of the live network stations in the scope
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
        if context["scope"].allows(values["region"], None) and not context["scope"].everywhere:
            existing = context["live"].get(key)
        else:
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
        """station_create's writes in bulk: the regions locked (the service's lock for "one live station per region
        and kind" and for the codes), that rule checked again under the lock, codes made as services.new_code
        makes them, each station's first status entry (and a second one for a station imported as 暂停)."""
        codes = sorted({row["region"] for row in rows})
        regions = {
            region.pk: region for region in Region.objects.select_for_update().filter(pk__in=codes).order_by("pk")
        }
        live = set(
            Station.objects.filter(region_id__in=codes, kind__in=Station.NETWORK_KINDS)
            .exclude(status=Status.REVOKED)
            .values_list("region_id", "kind")
        )
        today = context["today"]
        stations, events = [], []
        taken = _codes_taken([KIND_LETTERS[row["kind"]] + regions[row["region"]].short_code for row in rows])
        for row in rows:
            region = regions[row["region"]]
            if (region.pk, row["kind"]) in live:
                raise ValidationError(
                    _("%(region)s在检查之后已有人新建了%(kind)s，请重新导入。")
                    % {"region": region.name, "kind": Kind(row["kind"]).label}
                )
            if row["kind"] in Station.NETWORK_KINDS:
                live.add((region.pk, row["kind"]))
            status = Status.PREPARING if row["status"] == Status.PREPARING else Status.OPERATING
            station = Station(
                code=_next_code(KIND_LETTERS[row["kind"]] + region.short_code, taken),
                name=row["name"],
                kind=row["kind"],
                region=region,
                province_code=region.pk[:2],
                agency_id=row["_agency_id"],
                host_institution=row["host_institution"] or "",
                opened_on=row["opened_on"],
                address=row["address"] or "",
                latitude=row["latitude"],
                longitude=row["longitude"],
                phone=row["phone"] or "",
                service_hours=row["service_hours"] or "",
                status=row["status"],
            )
            # Field rules (lengths, choices) without the per-row queries of unique and constraint checks: the
            # lock and the checks above stand for those, and the database constraints back them up.
            station.full_clean(validate_unique=False, validate_constraints=False)
            stations.append(station)
            first_day = row["opened_on"] if status == Status.OPERATING and row["opened_on"] else today
            events.append((station, status, first_day, _("新建站点（Excel 导入）")))
            if row["status"] == Status.SUSPENDED:
                events.append((station, Status.SUSPENDED, max(first_day, today), _("Excel 导入时为暂停状态")))
        Station.objects.bulk_create(stations, batch_size=BULK_BATCH)
        recorder = actor if getattr(actor, "is_authenticated", False) else None
        StationStatusEvent.objects.bulk_create(
            [
                StationStatusEvent(
                    station=station, status=status, effective_on=day, reason=reason, recorded_by=recorder
                )
                for station, status, day, reason in events
            ],
            batch_size=BULK_BATCH,
        )
        # Bulk inserts send no signals: count the new stations (and their status history) in the aggregates.
        station_ids = [station.pk for station in stations]
        maintenance.created_in_bulk(Station, Q(pk__in=station_ids))
        maintenance.created_in_bulk(StationStatusEvent, Q(station_id__in=station_ids))
        return len(stations)


def _codes_taken(bases: list[str]) -> set[str]:
    """Existing codes that a new station's code could collide with: the bases themselves and their "-n" forms."""
    taken: set[str] = set()
    wanted = sorted(set(bases))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = Q(code__in=chunk)
        for base in chunk:
            query |= Q(code__startswith=f"{base}-")
        taken |= set(Station.objects.filter(query).values_list("code", flat=True))
    return taken


def _next_code(base: str, taken: set[str]) -> str:
    """services.new_code's rule: the base, else "-2", "-3" … up to MAX_CODE_SUFFIX."""
    code, number = base, 1
    while code in taken:
        number += 1
        if number > MAX_CODE_SUFFIX:
            raise ValidationError(_("站点编码 %(base)s 已用尽，请联系系统管理员。") % {"base": base})
        code = f"{base}-{number}"
    taken.add(code)
    return code


# --- Service lists ---------------------------------------------------------------------------------------------------


class StationServiceImport(ImportSpec):
    kind = "station-services"
    title = gettext_lazy("站点服务清单")
    permission = selectors.CHANGE
    columns = [
        station_code_column(example=""),
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
        """station_service_add's writes in bulk: the stations locked (the service's lock for a station's list), the
        titles checked again under it, each new item appended after the station's last one."""
        from shegong.refdata.selectors import items

        ids = sorted({row["_station_id"] for row in rows})
        locked = dict(Station.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", "status"))
        titles = set(StationService.objects.filter(station_id__in=ids).values_list("station_id", "title"))
        last = dict(
            StationService.objects.filter(station_id__in=ids)
            .values("station_id")
            .annotate(last=Max("sort_order"))
            .values_list("station_id", "last")
            .order_by()
        )
        active = set(items(selectors.SERVICE_DOMAIN_DICTIONARY).values_list("code", flat=True))
        created = []
        for row in rows:
            station_id = row["_station_id"]
            if locked.get(station_id) in (None, Status.REVOKED) or row["domain"] not in active:
                raise ValidationError(_("站点或服务领域在检查之后已有变动，请重新导入。"))
            if (station_id, row["title"]) in titles:
                raise ValidationError(
                    _("服务项目“%(title)s”在检查之后已被他人加入服务清单，请重新导入。") % {"title": row["title"]}
                )
            titles.add((station_id, row["title"]))
            last[station_id] = (last.get(station_id) or 0) + 1
            item = StationService(
                station_id=station_id,
                domain=row["domain"],
                title=row["title"],
                description=row["description"] or "",
                sort_order=last[station_id],
            )
            item.full_clean(exclude=["station"], validate_unique=False, validate_constraints=False)
            created.append(item)
        StationService.objects.bulk_create(created, batch_size=BULK_BATCH)
        return len(created)


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


class PostBook:
    """What the assignment checks compare each row with, from the database: the workers the importer may see (by
    the keyed hash of the ID number), their posts anywhere, and the resident posts of the rooms in scope.

    For a bounded scope (up to PRELOAD_WORKERS workers, PRELOAD_STATIONS stations: a province) all of it is read in
    three queries up front and every row is checked in memory; beyond that, each worker's and each room's rows are
    read once, when a row first names them."""

    def __init__(self, actor, stations: StationLookup):
        self.workers = scoped(SocialWorker, actor, WORKERS_VIEW)
        self.complete = self.workers.count() <= PRELOAD_WORKERS
        self.found: dict[str, tuple | None] = {}
        self.posts: dict[int, list[tuple]] = defaultdict(list)
        self.residents: dict[int, list[tuple]] = defaultdict(list)
        self.loaded_workers: set[int] = set()
        self.loaded_rooms: set[int] = set()
        if self.complete:
            fields = ("id_number_index", "pk", "name", "status")
            for index, *rest in self.workers.order_by().values_list(*fields).iterator(chunk_size=20000):
                self.found[index] = tuple(rest)
            self._read_posts(StaffAssignment.objects.filter(worker__in=self.workers.order_by().values("pk")))
        self.rooms_complete = stations.complete
        if self.rooms_complete:
            in_scope = stations.rows.order_by().values("pk")
            self._read_residents(StaffAssignment.objects.filter(role=Role.RESIDENT, station__in=in_scope))

    def _read_posts(self, rows) -> None:
        fields = ("worker_id", "station_id", "station__code", "station__name", "start_date", "end_date", "full_time")
        for worker_id, *post in rows.order_by().values_list(*fields).iterator(chunk_size=20000):
            self.posts[worker_id].append(tuple(post))

    def _read_residents(self, rows) -> None:
        fields = ("station_id", "worker__name", "start_date", "end_date")
        for station_id, *post in rows.order_by().values_list(*fields).iterator(chunk_size=20000):
            self.residents[station_id].append(tuple(post))

    def worker(self, index: str) -> tuple | None:
        """(pk, name, status) of the worker with this keyed hash, if the importer may see them."""
        if not self.complete and index not in self.found:
            self.found[index] = self.workers.filter(id_number_index=index).values_list("pk", "name", "status").first()
        return self.found.get(index)

    def posts_of(self, worker_id: int) -> list[tuple]:
        """(station id, code, name, start, end, full-time) of every post the worker holds or held."""
        if not self.complete and worker_id not in self.loaded_workers:
            self.loaded_workers.add(worker_id)
            self._read_posts(StaffAssignment.objects.filter(worker_id=worker_id))
        return self.posts[worker_id]

    def residents_of(self, station_id: int) -> list[tuple]:
        """(worker name, start, end) of the room's resident posts."""
        if not self.rooms_complete and station_id not in self.loaded_rooms:
            self.loaded_rooms.add(station_id)
            self._read_residents(StaffAssignment.objects.filter(role=Role.RESIDENT, station_id=station_id))
        return self.residents[station_id]


class StaffAssignmentImport(ImportSpec):
    kind = "station-assignments"
    title = gettext_lazy("站点人员")
    permission = selectors.ASSIGN
    columns = [
        station_code_column(example="S440104003"),
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
        stations = StationLookup(actor, self.permission)
        return {
            "stations": stations,
            "book": PostBook(actor, stations),
            "posts": {},  # worker pk -> posts of earlier good rows of the file
            "residents": {},  # room pk -> resident posts of earlier good rows of the file
            # Blacklist entries are few (thousands in a country): all of them, checked in memory per row.
            "listings": _listings(),
            "today": timezone.localdate(),
        }

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
        worker = context["book"].worker(values["worker"])
        if worker is None:
            errors.append(_("身份证号：人才库中没有此人，或不在您的管辖范围内；请先登记人员"))
        values["_station_id"] = station.pk if station else None
        values["_worker_id"] = worker[0] if worker else None
        if errors:
            return errors
        pk, name, status = worker
        errors.extend(self._assignable(pk, name, status, start, end, context["today"], context["listings"]))
        if not errors:
            errors.extend(self._clashes(values, station, pk, name, context))
        if not errors:
            post = Period(station.pk, station.code, start, end, values["full_time"], values["role"] == Role.RESIDENT)
            context["posts"].setdefault(pk, []).append(post)
            if post.resident:
                context["residents"].setdefault(station.pk, []).append(post)
        return errors

    @staticmethod
    def _assignable(pk: int, name: str, status: str, start, end, today, listings: dict) -> list[str]:
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
        listed = [event for event in listings.get(pk, ()) if any(event.is_open_on(day) for day in days)]
        if listed:
            entry = max(listed, key=lambda event: (event.occurred_on, event.pk))
            return [
                _("身份证号：%(name)s 已被列入黑名单（%(title)s，%(since)s 起），期间不能安排到岗位")
                % {"name": name, "title": entry.title, "since": entry.occurred_on}
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
                        _("岗位：文件中另有一行为本社工室安排了驻点社工（%(other)s），%(rule)s")
                        % {"other": post.describe(), "rule": ONE_RESIDENT}
                    ]
        book: PostBook = context["book"]
        for station_id, code, station_name, other_start, other_end, other_full_time in book.posts_of(pk):
            if not _overlaps(start, end, other_start, other_end):
                continue
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
            for other_name, other_start, other_end in book.residents_of(station.pk):
                if _overlaps(start, end, other_start, other_end):
                    return [
                        _("岗位：本社工室在这段时间已有驻点社工 %(name)s（%(period)s），%(rule)s")
                        % {
                            "name": other_name,
                            "period": describe_period(station.code, other_start, other_end),
                            "rule": ONE_RESIDENT,
                        }
                    ]
        return []

    def write(self, rows: list[dict], context: dict, actor) -> int:
        """staff_assign's writes in bulk, under the service's locks and in its order (the workers, then the
        stations): every rule checked against the database once more under the locks (a post or a listing written
        by someone else since the check), then all posts inserted at once. A change since the check fails the whole
        write, which the framework rolls back and reports."""
        today = context["today"]
        worker_ids = sorted({row["_worker_id"] for row in rows})
        station_ids = sorted({row["_station_id"] for row in rows})
        # No select_related: PostgreSQL refuses FOR UPDATE across the nullable side of an outer join.
        workers = {
            pk: (name, status)
            for pk, name, status in SocialWorker.objects.select_for_update()
            .filter(pk__in=worker_ids)
            .order_by("pk")
            .values_list("pk", "name", "status")
        }
        stations = {
            pk: (kind, status)
            for pk, kind, status in Station.objects.select_for_update()
            .filter(pk__in=station_ids)
            .order_by("pk")
            .values_list("pk", "kind", "status")
        }
        posts: dict[int, list[tuple]] = defaultdict(list)
        for post in StaffAssignment.objects.filter(worker_id__in=worker_ids).values_list(
            "worker_id", "station_id", "full_time", "start_date", "end_date"
        ):
            posts[post[0]].append(post[1:])
        residents: dict[int, list[tuple]] = defaultdict(list)
        for station_id, start, end in StaffAssignment.objects.filter(
            station_id__in=station_ids, role=Role.RESIDENT
        ).values_list("station_id", "start_date", "end_date"):
            residents[station_id].append((start, end))
        listings = _listings(worker_ids)
        created = []
        for row in rows:
            worker_id, station_id = row["_worker_id"], row["_station_id"]
            start, end, full_time = row["start_date"], row["end_date"], row["full_time"]
            name, status = workers[worker_id]
            kind, station_status = stations[station_id]
            days = [start] + ([today] if start < today and (end is None or end >= today) else [])
            listed = any(event.is_open_on(day) for event in listings.get(worker_id, ()) for day in days)
            clash = any(
                _overlaps(start, end, other_start, other_end)
                and (other_station == station_id or (full_time and other_full_time))
                for other_station, other_full_time, other_start, other_end in posts[worker_id]
            )
            resident = row["role"] == Role.RESIDENT
            if resident:
                clash = clash or any(_overlaps(start, end, *other) for other in residents[station_id])
            if status != SocialWorker.Status.ACTIVE or listed or clash or station_status == Status.REVOKED:
                raise ValidationError(
                    _("%(name)s 的安排在检查之后已有变动（新的安排、黑名单或站点状态），请重新导入。") % {"name": name}
                )
            if resident and kind != Kind.ROOM:
                raise ValidationError(_("驻点社工只能安排在村社社工室（一社区一社工）。"))
            posts[worker_id].append((station_id, full_time, start, end))
            if resident:
                residents[station_id].append((start, end))
            created.append(
                StaffAssignment(
                    station_id=station_id,
                    worker_id=worker_id,
                    role=row["role"],
                    full_time=full_time,
                    start_date=start,
                    end_date=end,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
        StaffAssignment.objects.bulk_create(created, batch_size=BULK_BATCH)
        maintenance.created_in_bulk(StaffAssignment, Q(pk__in=[assignment.pk for assignment in created]))
        return len(created)


def _listings(worker_ids=None) -> dict[int, list]:
    rows = CreditEvent.objects.filter(kind=CreditEvent.Kind.VIOLATION, severity=CreditEvent.Severity.BLACKLIST)
    if worker_ids is not None:
        rows = rows.filter(worker_id__in=worker_ids)
    found: dict[int, list] = defaultdict(list)
    for event in rows.only("pk", "worker_id", "kind", "title", "occurred_on", "effective_until", "closed_on"):
        found[event.worker_id].append(event)
    return found


def _overlaps(start, end, other_start, other_end) -> bool:
    return (end is None or end >= other_start) and (other_end is None or other_end >= start)


def register_all() -> None:
    register(StationImport())
    register(StationServiceImport())
    register(StaffAssignmentImport())
