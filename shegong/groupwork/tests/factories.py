"""Builders for the group-work tests. Groups, sessions and activities go through the real services as the installation
(actor None), so their codes, derived fields, stage events and 服务人次 are what production writes."""

import datetime

from shegong.groupwork import services
from shegong.groupwork.models import GroupWork
from shegong.recipients.tests.factories import COMMUNITY_A, COMMUNITY_B, make_recipient, withdraw  # noqa: F401
from shegong.regions.models import Region
from shegong.stations.tests.factories import Kind, make_station, make_worker  # noqa: F401
from shegong.talent.tests.factories import domain

STREET_A = "440104003"  # 北京街道, 越秀区 (station_head_a's street)
STREET_B = "440105001"  # a street of 海珠区 (district B)
DAY = datetime.date(2026, 3, 2)


def make_group(station, leader, *, name: str = "长者互助小组", stage: str = GroupWork.Stage.PREPARATION, **values):
    domain("social_welfare", "社会福利")
    values.setdefault("domain", "social_welfare")
    values.setdefault("target_group", "独居长者")
    values.setdefault("goals", "建立互助网络")
    values.setdefault("planned_sessions", 6)
    group = services.group_create(actor=None, station=station, leader=leader, name=name, **values)
    return advance(group, stage)


def advance(group: GroupWork, stage: str) -> GroupWork:
    """Move the group forward one step at a time up to `stage`."""
    order = services.STAGE_ORDER
    while order.index(group.stage) < order.index(stage):
        nxt = order[order.index(group.stage) + 1]
        group = services.group_move(actor=None, group=group, to_stage=nxt, effective_on=DAY)
    return group


def make_activity(station, organiser, community: str, *, participants_count: int = 20, **values):
    domain("community_building", "社区建设")
    values.setdefault("domain", "community_building")
    values.setdefault("title", "邻里节")
    values.setdefault("place", "社区广场")
    values.setdefault("held_on", DAY)
    return services.activity_create(
        actor=None,
        station=station,
        organiser=organiser,
        community=Region.objects.get(pk=community),
        participants_count=participants_count,
        **values,
    )
