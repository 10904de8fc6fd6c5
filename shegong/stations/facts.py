"""The station network (社工站点) as facts of the indicator catalogue.

- 社工站点 (stations, a stock by kind and status): read off each station's status history (StationStatusEvent, written
  by the station services with every creation and change of status), so the count of operating 镇街社工站 on any past
  date is the network as it stood then. A station counts under one status at a time; a revoked station (撤销) stays
  under "revoked", which no indicator counts.
- Coverage (seed 002 重庆 "一区县一中心、一镇街一站、一村社一室"; seed 004 江苏 "乡镇(街道)社会工作服务站点覆盖率达到
  100%", 黑龙江 "按年底不低于本地乡镇总数40%确定社工站建设目标任务"): the townships (level-4 regions) with an operating
  镇街社工站 over all townships of the subtree, and the communities (level 5) with an operating 村社社工室 over all
  communities. Specialised stations (学校社工站, 两站合一) are not counted, as in stations/rules.py.
- Staffing and presence (judgements as of today, recomputed on every write of a station, its staff or check-ins, and
  daily by `shegong analytics refresh`): the stations app's own judgement, stations.rules.judge — the same verdicts
  as the station list, the non-compliant list (selectors.attach_judgements / noncompliant) and the room's presence
  page (selectors.room_presence: the last complete ISO week) — under the policy profile in force where each station
  is. Only operating stations are judged (rules.Judgement.judged). A verdict is "pass", "fail" or "unknown" (the
  rule cannot tell, e.g. a level-4 region that is neither 街道 nor 乡镇); a station with no rule in force for it
  contributes nothing.
"""

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import SNAPSHOT_DAY, Contribution, EntitySource, Fact, Indicator, Measure
from shegong.stations.models import Station

STATIONS = "stations"
STAFFING = "station_staffing"
PRESENCE = "room_presence"
OPERATING = (Station.Status.OPERATING.value,)
PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
JUDGED = (PASS, FAIL)


def _station_labels(index: int) -> dict:
    return dict(Station.Kind.choices) if index == 0 else dict(Station.Status.choices)


def _verdict_labels() -> dict:
    return {PASS: str(_("达标")), FAIL: str(_("未达标")), UNKNOWN: str(_("无法判定"))}


def _judged_labels(index: int) -> dict:
    return dict(Station.Kind.choices) if index == 0 else _verdict_labels()


def _presence_labels(index: int) -> dict:
    return _verdict_labels()


def _statuses(ids: list) -> dict:
    from shegong.stations.models import StationStatusEvent

    events = defaultdict(list)
    for station_id, day, pk, status in StationStatusEvent.objects.filter(station_id__in=ids).values_list(
        "station_id", "effective_on", "pk", "status"
    ):
        events[station_id].append((day, pk, status))
    out = {}
    for pk, kind, region_id, status, opened, created in Station.objects.filter(pk__in=ids).values_list(
        "pk", "kind", "region_id", "status", "opened_on", "created_at"
    ):
        history = sorted(events[pk])
        if not history:
            start = opened or (created.date() if isinstance(created, datetime.datetime) else created)
            history = [(start, 0, status)]
        items, previous = [], None
        for day, _pk, code in history:
            if code == previous:
                continue
            if previous is not None:
                items.append(Contribution(STATIONS, region_id, day, -1, dim=kind, dim2=previous))
            items.append(Contribution(STATIONS, region_id, day, 1, dim=kind, dim2=code))
            previous = code
        out[pk] = items
    return out


def _verdict_code(verdict) -> str:
    return {True: PASS, False: FAIL}.get(verdict.passed, UNKNOWN)


def _judgements(ids: list) -> dict:
    from shegong.stations import rules

    out = {}
    for pk, judgement in rules.judge(Station.objects.filter(pk__in=ids), timezone.localdate()).items():
        if not judgement.judged:
            continue
        items = []
        staffing = judgement.verdict(rules.STAFFING)
        if staffing is not None:
            code = _verdict_code(staffing)
            items.append(Contribution(STAFFING, judgement.region_id, SNAPSHOT_DAY, 1, dim=judgement.kind, dim2=code))
        presence = judgement.verdict(rules.PRESENCE) if judgement.kind == Station.Kind.ROOM else None
        if presence is not None:
            items.append(Contribution(PRESENCE, judgement.region_id, SNAPSHOT_DAY, 1, dim=_verdict_code(presence)))
        out[pk] = items
    return out


FACTS = [
    Fact(
        STATIONS, _("社工站点"), unit=_("个"), stock=True, dims=(_("站点类型"), _("状态")), dim_labels=_station_labels
    ),
    Fact(
        STAFFING,
        _("站点人员配备判定"),
        unit=_("个"),
        stock=True,
        snapshot=True,
        dims=(_("站点类型"), _("判定")),
        dim_labels=_judged_labels,
    ),
    Fact(
        PRESENCE,
        _("驻点社工在岗判定"),
        unit=_("个"),
        stock=True,
        snapshot=True,
        dims=(_("判定"),),
        dim_labels=_presence_labels,
    ),
]

SOURCES = [
    EntitySource(
        name="stations.status",
        model="stations.Station",
        facts=(STATIONS,),
        compute=_statuses,
        watch=(("stations.StationStatusEvent", lambda event: [event.station_id]),),
    ),
    EntitySource(
        name="stations.judgement",
        model="stations.Station",
        facts=(STAFFING, PRESENCE),
        compute=_judgements,
        watch=(
            ("stations.StaffAssignment", lambda assignment: [assignment.station_id]),
            ("stations.PresenceCheckIn", lambda check_in: [check_in.station_id]),
        ),
    ),
]

INDICATORS = [
    Indicator(
        code=STATIONS,
        name=_("运营中的社工站点"),
        section=_("站点网络"),
        numerator=Measure(STATIONS, dim2=OPERATING),
        unit=_("个"),
        time_aggregation="last",
        breakdown=0,
        key=True,
        description=_("状态为运营的社工站点数，按类型分列（区县中心、镇街社工站、村社社工室及专门站点）。"),
        source=_("种子文件002 重庆：一区县一中心、一镇街一站、一村社一室"),
    ),
    Indicator(
        code="township_station_coverage",
        name=_("乡镇(街道)社工站覆盖率"),
        section=_("站点网络"),
        numerator=Measure(
            STATIONS, kind="regions_meeting", dim=(Station.Kind.STATION.value,), dim2=OPERATING, level=4, threshold=1
        ),
        denominator=Measure(kind="regions", level=4),
        factor=100,
        unit="%",
        decimals=1,
        time_aggregation="last",
        key=True,
        description=_("有运营中镇街社工站的乡镇(街道)占全部乡镇(街道)的比例。"),
        source=_(
            "种子文件004 江苏：乡镇(街道)社会工作服务站点覆盖率达到100%；"
            "黑龙江：按年底不低于本地乡镇总数40%确定社工站建设目标任务"
        ),
    ),
    Indicator(
        code="community_room_coverage",
        name=_("村(社区)社工室覆盖率"),
        section=_("站点网络"),
        numerator=Measure(
            STATIONS, kind="regions_meeting", dim=(Station.Kind.ROOM.value,), dim2=OPERATING, level=5, threshold=1
        ),
        denominator=Measure(kind="regions", level=5),
        factor=100,
        unit="%",
        decimals=1,
        time_aggregation="last",
        description=_("有运营中村社社工室的村(社区)占全部村(社区)的比例。"),
        source=_("种子文件002 重庆：社区社会工作室已建成4350个，占全市城乡社区总数的39%"),
    ),
    Indicator(
        code="stations_staffing_compliance",
        name=_("人员配备达标站点占比"),
        section=_("站点网络"),
        numerator=Measure(STAFFING, dim2=(PASS,)),
        denominator=Measure(STAFFING, dim2=JUDGED),
        factor=100,
        unit="%",
        decimals=1,
        time_aggregation="last",
        breakdown=0,
        description=_(
            "运营中的站点按所在地政策规则集的人员配备标准（专职社会工作者人数）判定为达标的占比，以当前判定为准；"
            "无法判定的不计入分母。"
        ),
        source=_(
            "种子文件002 重庆：每个区县社会工作指导中心至少配备2名专职社会工作者……"
            "农村社区社会工作室至少配备1名专职社会工作者"
        ),
    ),
    Indicator(
        code="rooms_presence_compliance",
        name=_("一社区一社工在岗达标占比"),
        section=_("站点网络"),
        numerator=Measure(PRESENCE, dim=(PASS,)),
        denominator=Measure(PRESENCE, dim=JUDGED),
        factor=100,
        unit="%",
        decimals=1,
        time_aggregation="last",
        description=_("运营中的村社社工室中，驻点社工上一个完整周在社区签到天数达到规则要求（广州每周≥3天）的占比。"),
        source=_("种子文件003 广州：建立“一社区一社工”工作机制，要求社工每周在社区开展定点服务达3天以上"),
    ),
]
