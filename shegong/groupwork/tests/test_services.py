"""The services: the group stage machine (every allowed and forbidden move), sessions only in 形成期..成熟期, attendance
→ 服务人次 (recounted on change, erased on delete), members, the activity count against its named participants, and
withdrawn consent hiding members and participants."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from shegong.audit.models import AuditEntry
from shegong.groupwork import services
from shegong.groupwork.models import (
    ActivityParticipant,
    CommunityActivity,
    GroupMember,
    GroupStageEvent,
    GroupWork,
    SessionAttendance,
)
from shegong.groupwork.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    DAY,
    STREET_A,
    STREET_B,
    Kind,
    advance,
    make_activity,
    make_group,
    make_recipient,
    make_station,
    make_worker,
    withdraw,
)
from shegong.persontimes.models import PersonTime
from shegong.regions.models import Region

pytestmark = pytest.mark.django_db
Stage = GroupWork.Stage
ORDER = [Stage.PREPARATION, Stage.FORMATION, Stage.TRANSITION, Stage.MATURITY, Stage.ENDING]


@pytest.fixture
def station_a(world):
    return make_station(Kind.STATION, STREET_A, agency=world.agency_a)


@pytest.fixture
def leader():
    return make_worker("李带领")


@pytest.fixture
def group(station_a, leader):
    return make_group(station_a, leader)


def _person_times(session_or_activity, kind):
    row = PersonTime.objects.filter(kind=kind, source_id=session_or_activity.pk).first()
    return None if row is None else row.count


# --- the stage machine -------------------------------------------------------------------------------------------

ALL_MOVES = list(itertools.product(ORDER, ORDER))


@pytest.mark.parametrize(("start", "target"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_every_move_of_the_stage_machine(station_a, leader, start, target):
    """Forward one step: allowed. To 结束期 from earlier than 成熟期: only with a reason. Everything else refused."""
    group = advance(make_group(station_a, leader), start)
    one_step = ORDER.index(target) == ORDER.index(start) + 1
    early_end = target == Stage.ENDING and ORDER.index(start) < ORDER.index(Stage.MATURITY)
    if one_step:
        moved = services.group_move(actor=None, group=group, to_stage=target, effective_on=DAY)
        assert moved.stage == target
        return
    if early_end:
        with pytest.raises(ValidationError) as refused:
            services.group_move(actor=None, group=group, to_stage=target, effective_on=DAY)
        assert refused.value.error_dict["reason"][0].code == "reason_required"
        moved = services.group_move(actor=None, group=group, to_stage=target, effective_on=DAY, reason="组员流失")
        assert moved.stage == Stage.ENDING and moved.end_reason == "组员流失" and moved.ended_on == DAY
        return
    with pytest.raises(ValidationError) as refused:
        services.group_move(actor=None, group=group, to_stage=target, effective_on=DAY, reason="试试")
    code = refused.value.error_dict["to_stage"][0].code
    if start == Stage.ENDING:
        assert code == "final"
    elif target == start:
        assert code == "same"
    elif ORDER.index(target) < ORDER.index(start):
        assert code == "backward"
    else:
        assert code == "skip"
    group.refresh_from_db()
    assert group.stage == start


def test_moves_are_recorded_and_audited(group):
    advance(group, Stage.ENDING)
    events = list(GroupStageEvent.objects.filter(group=group).values_list("from_stage", "to_stage"))
    assert events == list(itertools.pairwise(ORDER))
    assert (
        AuditEntry.objects.filter(object_type="groupwork.groupwork", action=AuditEntry.Action.TRANSITION).count() == 4
    )
    group.refresh_from_db()
    assert group.end_reason == "" and group.ended_on == DAY


def test_allowed_moves_offered(group):
    assert services.allowed_moves(group) == [Stage.FORMATION, Stage.ENDING]
    group = advance(group, Stage.MATURITY)
    assert services.allowed_moves(group) == [Stage.ENDING]
    assert services.allowed_moves(advance(group, Stage.ENDING)) == []


def test_the_database_refuses_an_ended_group_without_end_date(group):
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupWork.objects.filter(pk=group.pk).update(stage=Stage.ENDING)


# --- creation rules ----------------------------------------------------------------------------------------------


def test_create_derives_agency_region_and_code(world, group, station_a):
    assert group.agency == world.agency_a and group.region_id == station_a.region_id
    assert group.code.startswith("XZ-") and group.province_code == "44" and group.stage == Stage.PREPARATION


def test_region_must_be_the_station_area_or_a_community_under_it(station_a, leader):
    group = make_group(station_a, leader, region=Region.objects.get(pk=COMMUNITY_A))
    assert group.region_id == COMMUNITY_A
    with pytest.raises(ValidationError) as refused:
        make_group(station_a, leader, region=Region.objects.get(pk=COMMUNITY_B))
    assert "region" in refused.value.error_dict


def test_a_project_must_cover_the_station(world, station_a, leader):
    from shegong.projects.models import Project

    project = Project(name="x")
    other = make_station(Kind.STATION, STREET_B)
    project = Project.objects.filter(covered__station=other).first()  # none: projects are another app's business
    assert project is None
    with pytest.raises(ValidationError) as refused:
        make_group(station_a, leader, planned_sessions=0, domain="no_such_domain")
    assert {"planned_sessions", "domain"} <= set(refused.value.error_dict)


def test_only_keepers_and_the_leader_write(world, station_a):
    own = make_worker("王社工", region="440105000000", account=world.worker_b)
    station_b = make_station(Kind.STATION, STREET_B)
    mine = services.group_create(
        actor=world.worker_b,
        station=station_b,
        leader=own,
        name="青少年成长小组",
        domain="social_welfare",
        target_group="初中生",
        goals="提升自信",
        planned_sessions=4,
    )
    assert mine.leader == own
    # A worker may not create a group led by somebody else (they could not keep it), nor in another district.
    with pytest.raises(ValidationError):
        services.group_create(
            actor=world.worker_b,
            station=station_b,
            leader=make_worker("赵别人", region="440105000000"),
            name="x",
            domain="social_welfare",
            target_group="x",
            goals="x",
            planned_sessions=4,
        )
    with pytest.raises(ValidationError):
        services.group_create(
            actor=world.worker_b,
            station=station_a,
            leader=own,
            name="x",
            domain="social_welfare",
            target_group="x",
            goals="x",
            planned_sessions=4,
        )
    # The district admin oversees (view only): no writes; the station head of another district: not theirs.
    with pytest.raises(PermissionDenied):
        services.group_move(actor=world.district_b_admin, group=mine, to_stage=Stage.FORMATION)
    with pytest.raises(PermissionDenied):
        services.group_move(actor=world.station_head_a, group=mine, to_stage=Stage.FORMATION)
    assert services.group_move(actor=world.worker_b, group=mine, to_stage=Stage.FORMATION).stage == Stage.FORMATION


# --- members and sessions ----------------------------------------------------------------------------------------


def test_sessions_refused_in_preparation_and_after_the_end(group):
    member = services.member_add(actor=None, group=group, name="张三", joined_on=DAY)
    with pytest.raises(ValidationError) as refused:
        services.session_record(actor=None, group=group, held_on=DAY, theme="破冰", present=[member])
    assert refused.value.code == "stage_closed" and "筹备期" in refused.value.messages[0]
    for stage in (Stage.FORMATION, Stage.TRANSITION, Stage.MATURITY):
        group = advance(group, stage)
        services.session_record(actor=None, group=group, held_on=DAY, theme=f"{stage}", present=[member])
    group = advance(group, Stage.ENDING)
    with pytest.raises(ValidationError) as refused:
        services.session_record(actor=None, group=group, held_on=DAY, theme="再聚", present=[member])
    assert refused.value.code == "stage_closed" and "已结束" in refused.value.messages[0]
    assert list(group.sessions.values_list("number", flat=True)) == [1, 2, 3]
    with pytest.raises(ValidationError):
        services.session_delete(actor=None, session=group.sessions.first())


def test_attendance_records_person_times_recounts_and_erases(station_a, leader):
    group = make_group(station_a, leader, stage=Stage.FORMATION, region=Region.objects.get(pk=COMMUNITY_A))
    people = [services.member_add(actor=None, group=group, name=name, joined_on=DAY) for name in ("甲", "乙", "丙")]
    session = services.session_record(actor=None, group=group, held_on=DAY, theme="破冰", present=people[:2])
    row = PersonTime.objects.get(kind=PersonTime.Kind.GROUP_SESSION, source_id=session.pk)
    assert (row.count, row.region_id, row.station, row.worker, row.domain, row.occurred_on) == (
        2,
        COMMUNITY_A,
        station_a,
        leader,
        "social_welfare",
        DAY,
    )
    assert SessionAttendance.objects.filter(session=session).count() == 3
    services.session_update(actor=None, session=session, present=people)
    assert _person_times(session, PersonTime.Kind.GROUP_SESSION) == 3
    services.session_update(actor=None, session=session, present=[])
    assert _person_times(session, PersonTime.Kind.GROUP_SESSION) is None  # nobody present: no row
    services.session_update(actor=None, session=session, present=[people[0]])
    assert _person_times(session, PersonTime.Kind.GROUP_SESSION) == 1
    services.session_delete(actor=None, session=session)
    assert not PersonTime.objects.filter(kind=PersonTime.Kind.GROUP_SESSION, source_id=session.pk).exists()
    assert not SessionAttendance.objects.filter(session_id=session.pk).exists()


def test_attendance_only_for_members_active_on_the_day(group, station_a, leader):
    group = advance(group, Stage.FORMATION)
    early = services.member_add(actor=None, group=group, name="早", joined_on=datetime.date(2026, 1, 5))
    late = services.member_add(actor=None, group=group, name="晚", joined_on=datetime.date(2026, 3, 10))
    stranger = services.member_add(actor=None, group=make_group(station_a, leader), name="外", joined_on=DAY)
    with pytest.raises(ValidationError) as refused:
        services.session_record(actor=None, group=group, held_on=DAY, theme="x", present=[late])
    assert refused.value.error_dict["present"][0].code == "not_active"
    with pytest.raises(ValidationError) as refused:
        services.session_record(actor=None, group=group, held_on=DAY, theme="x", present=[stranger])
    assert refused.value.error_dict["present"][0].code == "not_member"
    services.member_leave(actor=None, member=early, left_on=datetime.date(2026, 2, 1))
    with pytest.raises(ValidationError):
        services.session_record(actor=None, group=group, held_on=DAY, theme="x", present=[early])


def test_members_are_recipients_or_names_once(world, group):
    recipient = make_recipient("陈大文", COMMUNITY_A)
    services.member_add(actor=world.station_head_a, group=group, recipient=recipient, joined_on=DAY)
    with pytest.raises(ValidationError) as refused:
        services.member_add(actor=world.station_head_a, group=group, recipient=recipient, joined_on=DAY)
    assert refused.value.error_dict["recipient"][0].code == "duplicate_member"
    with pytest.raises(ValidationError):
        services.member_add(actor=None, group=group, joined_on=DAY)  # neither
    with pytest.raises(ValidationError):
        services.member_add(actor=None, group=group, recipient=recipient, name="也有名字", joined_on=DAY)  # both
    outside = make_recipient("黄海珠", COMMUNITY_B)
    with pytest.raises(ValidationError) as refused:
        services.member_add(actor=world.station_head_a, group=group, recipient=outside, joined_on=DAY)
    assert refused.value.error_dict["recipient"][0].code == "recipient_out_of_scope"
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMember.objects.create(group=group, recipient=recipient, name="两者", joined_on=DAY)


def test_withdrawn_members_are_hidden_but_their_attendance_counts(group):
    group = advance(group, Stage.FORMATION)
    recipient = make_recipient("陈大文", COMMUNITY_A)
    member = services.member_add(actor=None, group=group, recipient=recipient, joined_on=DAY)
    other = services.member_add(actor=None, group=group, name="李四", joined_on=DAY)
    session = services.session_record(actor=None, group=group, held_on=DAY, theme="x", present=[member, other])
    withdraw(recipient)
    assert list(GroupMember.objects.filter(group=group)) == [other]
    assert GroupMember.all_records.filter(group=group).count() == 2
    # Editing the attendance of the visible members leaves the hidden one's row (and its count) alone.
    services.session_update(actor=None, session=session, present=[other])
    assert _person_times(session, PersonTime.Kind.GROUP_SESSION) == 2
    with pytest.raises(ValidationError):
        services.session_update(actor=None, session=session, present=[member.pk])


# --- activities --------------------------------------------------------------------------------------------------


def test_activity_records_its_participant_count(world, station_a, leader):
    activity = make_activity(station_a, leader, COMMUNITY_A, participants_count=35, participant_names=["张三"])
    assert activity.agency == world.agency_a and activity.code.startswith("HD-") and activity.named_participants == 1
    row = PersonTime.objects.get(kind=PersonTime.Kind.ACTIVITY, source_id=activity.pk)
    assert (row.count, row.region_id, row.worker, row.domain) == (35, COMMUNITY_A, leader, "community_building")
    services.activity_update(actor=None, activity=activity, participants_count=40)
    assert _person_times(activity, PersonTime.Kind.ACTIVITY) == 40


def test_activity_count_at_least_the_named_participants(world, station_a, leader):
    recipient = make_recipient("陈大文", COMMUNITY_A)
    with pytest.raises(ValidationError) as refused:
        make_activity(
            station_a, leader, COMMUNITY_A, participants_count=1, participants=[recipient], participant_names=["甲"]
        )
    assert "participants_count" in refused.value.error_dict
    activity = make_activity(
        station_a, leader, COMMUNITY_A, participants_count=2, participants=[recipient], participant_names=["甲"]
    )
    with pytest.raises(ValidationError):
        services.activity_update(actor=None, activity=activity, participants_count=1)
    # The database constraint stands behind the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityActivity.objects.filter(pk=activity.pk).update(participants_count=1)
    activity = make_activity(station_a, leader, COMMUNITY_A, participants_count=0)
    assert _person_times(activity, PersonTime.Kind.ACTIVITY) is None


def test_activity_rules(world, station_a, leader):
    with pytest.raises(ValidationError) as refused:
        make_activity(station_a, leader, COMMUNITY_B)
    assert "community" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        make_activity(
            station_a,
            leader,
            COMMUNITY_A,
            held_on=datetime.date(2099, 1, 1),
            starts_at=datetime.time(10),
            ends_at=datetime.time(9),
        )
    assert {"held_on", "ends_at"} <= set(refused.value.error_dict)
    outside = make_recipient("黄海珠", COMMUNITY_B)
    with pytest.raises(ValidationError) as refused:
        services.activity_create(
            actor=world.station_head_a,
            station=station_a,
            organiser=leader,
            community=Region.objects.get(pk=COMMUNITY_A),
            title="x",
            place="x",
            domain="community_building",
            held_on=DAY,
            participants_count=5,
            participants=[outside],
        )
    assert "participants" in refused.value.error_dict


def test_withdrawn_participants_hidden_and_still_counted(station_a, leader):
    recipient = make_recipient("陈大文", COMMUNITY_A)
    activity = make_activity(station_a, leader, COMMUNITY_A, participants_count=3, participants=[recipient])
    withdraw(recipient)
    assert not ActivityParticipant.objects.filter(activity=activity).exists()
    # Replacing the named participants keeps the hidden one, and the count still covers them.
    services.activity_update(actor=None, activity=activity, participants=[], participant_names=["甲", "乙"])
    activity.refresh_from_db()
    assert activity.named_participants == 3 and ActivityParticipant.all_records.filter(activity=activity).count() == 3
    with pytest.raises(ValidationError):
        services.activity_update(actor=None, activity=activity, participants=[], participant_names=["甲", "乙", "丙"])


def test_leaders_and_organisers_in_reach(world, station_a):
    """A keeper picks workers of their talent-pool scope or staff of the station; nobody else."""
    from shegong.stations.models import StaffAssignment

    stranger = make_worker("外区社工", region="440105000000")
    values = {"name": "x", "domain": "social_welfare", "target_group": "x", "goals": "x", "planned_sessions": 4}
    make_group(station_a, stranger)  # the installation (actor None) is not limited
    with pytest.raises(ValidationError) as refused:
        services.group_create(actor=world.station_head_a, station=station_a, leader=stranger, **values)
    assert refused.value.error_dict["leader"][0].code == "worker_out_of_scope"
    StaffAssignment.objects.create(
        station=station_a, worker=stranger, role=StaffAssignment.Role.FULL_TIME, start_date=datetime.date(2024, 1, 1)
    )
    assert services.group_create(actor=world.station_head_a, station=station_a, leader=stranger, **values).pk
    local = make_worker("本街社工", region="440104003000")
    assert services.group_create(actor=world.station_head_a, station=station_a, leader=local, **values).pk
