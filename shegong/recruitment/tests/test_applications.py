"""Applications: who applies where, and which moves between states are allowed to whom."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.recruitment import services
from shegong.recruitment.models import JobApplication, JobOpening
from shegong.talent.tests.factories import blacklist

pytestmark = pytest.mark.django_db
State = JobApplication.State
TODAY = timezone.localdate()


def apply(opening, worker, note="我有三年社区经验"):
    return services.application_submit(opening=opening, worker=worker, cover_note=note, actor=worker.account)


def test_applying_to_an_open_opening(world, make_opening, applicant):
    application = apply(make_opening(), applicant)
    assert application.state == State.SUBMITTED
    assert AuditEntry.objects.filter(object_type="recruitment.jobapplication", action="create").exists()


def test_a_duplicate_application_is_refused(world, make_opening, applicant):
    opening = make_opening()
    apply(opening, applicant)
    with pytest.raises(ValidationError) as caught:
        apply(opening, applicant)
    assert "不能重复报名" in str(caught.value)
    assert JobApplication.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("draft", "停止招聘"),
        ("closed", "停止招聘"),
        ("past_deadline", "停止招聘"),
        ("not_yet_open", "起接受报名"),
    ],
)
def test_only_openings_taking_applications_accept_them(world, make_opening, applicant, setup, message):
    if setup == "draft":
        opening = make_opening(publish=False)
    elif setup == "closed":
        opening = services.opening_close(opening=make_opening(), actor=world.agency_admin_a)
    elif setup == "past_deadline":
        opening = make_opening()
        JobOpening.objects.filter(pk=opening.pk).update(closes_on=TODAY - datetime.timedelta(days=1))
    else:
        opening = make_opening(publish=False, opens_on=TODAY + datetime.timedelta(days=3))
        services.opening_publish(opening=opening, actor=world.agency_admin_a)
    with pytest.raises(ValidationError) as caught:
        apply(opening, applicant)
    assert message in str(caught.value)


def test_one_applies_only_for_oneself(world, make_opening, applicant, make_applicant):
    other = make_applicant("other_worker")
    with pytest.raises(PermissionDenied):
        services.application_submit(opening=make_opening(), worker=applicant, actor=other.account)
    with pytest.raises(PermissionDenied):
        services.application_submit(opening=make_opening(), worker=applicant, actor=world.agency_admin_a)


def test_a_blacklisted_worker_cannot_apply_to_a_government_funded_post(world, make_opening, applicant):
    blacklist(applicant, world.city_admin)
    with pytest.raises(ValidationError) as caught:
        apply(make_opening(), applicant)
    assert "黑名单" in str(caught.value)
    assert apply(make_opening(government_funded=False, title="企业社工"), applicant).state == State.SUBMITTED


def test_allowed_moves_per_side(world, make_opening, applicant):
    application = apply(make_opening(), applicant)
    assert services.allowed_moves(world.agency_admin_a, application) == [State.SHORTLISTED, State.REJECTED]
    assert services.allowed_moves(applicant.account, application) == [State.WITHDRAWN]
    assert services.allowed_moves(world.district_a_admin, application) == []  # oversees, does not decide
    services.application_transition(application=application, to_state=State.SHORTLISTED, actor=world.agency_admin_a)
    application.refresh_from_db()
    assert services.allowed_moves(world.agency_admin_a, application) == [State.HIRED, State.REJECTED]


@pytest.mark.parametrize(
    ("path", "actor_name", "to_state", "error"),
    [
        ([], "applicant", State.SHORTLISTED, PermissionDenied),  # the applicant cannot shortlist themselves
        ([], "agency_admin_a", State.WITHDRAWN, PermissionDenied),  # only the applicant withdraws
        ([], "district_b_admin", State.REJECTED, PermissionDenied),
        ([State.REJECTED], "agency_admin_a", State.SHORTLISTED, ValidationError),  # final
        ([State.WITHDRAWN], "applicant", State.SUBMITTED, ValidationError),
        ([State.SHORTLISTED], "agency_admin_a", State.SUBMITTED, ValidationError),  # never back
        ([], "agency_admin_a", State.SUBMITTED, ValidationError),
    ],
)
def test_forbidden_moves(world, make_opening, applicant, path, actor_name, to_state, error):
    application = apply(make_opening(), applicant)
    actors = {"applicant": applicant.account}
    for state in path:
        mover = applicant.account if state == State.WITHDRAWN else world.agency_admin_a
        services.application_transition(application=application, to_state=state, actor=mover)
    actor = actors.get(actor_name) or world.users[actor_name]
    with pytest.raises(error):
        services.application_transition(application=application, to_state=to_state, actor=actor)


def test_withdrawing_and_rejecting_are_final_and_audited(world, make_opening, applicant, make_applicant):
    opening = make_opening()
    mine = apply(opening, applicant)
    services.application_transition(application=mine, to_state=State.WITHDRAWN, actor=applicant.account)
    other = apply(opening, make_applicant("second"))
    services.application_transition(
        application=other, to_state=State.REJECTED, note="岗位要求持证", actor=world.agency_admin_a
    )
    other.refresh_from_db()
    assert other.decision_note == "岗位要求持证" and other.decided_by == world.agency_admin_a
    changes = [
        entry.changes["state"]
        for entry in AuditEntry.objects.filter(object_type="recruitment.jobapplication", action="transition").order_by(
            "sequence"
        )
    ]
    assert changes == [["submitted", "withdrawn"], ["submitted", "rejected"]]


def test_apply_and_withdraw_from_the_pages(client, world, make_opening, applicant):
    opening = make_opening(title="社区社工（越秀）")
    client.force_login(applicant.account)
    page = client.get(reverse("recruitment:opening_detail", args=[opening.pk])).content.decode()
    assert 'data-testid="apply-form"' in page
    response = client.post(reverse("recruitment:opening_apply", args=[opening.pk]), {"cover_note": "你好"})
    assert response.status_code == 302
    again = client.post(reverse("recruitment:opening_apply", args=[opening.pk]), {"cover_note": "再来"}, follow=True)
    assert "不能重复报名" in again.content.decode()
    mine = client.get(reverse("recruitment:mine")).content.decode()
    assert "社区社工（越秀）" in mine and 'data-testid="withdraw"' in mine
    application = JobApplication.objects.get()
    client.post(reverse("recruitment:application_transition", args=[application.pk]), {"to": "withdrawn"})
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN


def test_mine_lists_openings_near_me_and_explains_an_unlinked_account(client, world, make_opening, applicant):
    near = make_opening(title="附近的岗位")
    far = make_opening(title="深圳的岗位", region=world.outsider.home_region)
    client.force_login(applicant.account)
    page = client.get(reverse("recruitment:mine")).content.decode()
    assert "附近的岗位" in page and "深圳的岗位" not in page
    board = client.get(reverse("recruitment:opening_list")).content.decode()
    assert "附近的岗位" in board and "深圳的岗位" in board
    assert near.pk != far.pk
    client.force_login(world.worker_b)  # a social worker whose account has no record in the talent pool
    assert "没有关联社工档案" in client.get(reverse("recruitment:mine")).content.decode()


def test_the_board_filters(client, world, make_opening, applicant):
    from shegong.talent.tests.factories import domain

    make_opening(title="救助岗", pay_min=5000, pay_max=6000)
    make_opening(title="养老岗", service_domain=domain("elderly", "养老服务"), pay_min=7000, pay_max=9000)
    client.force_login(applicant.account)
    url = reverse("recruitment:opening_list")
    assert "救助岗" not in client.get(url, {"pay_at_least": 8000}).content.decode()
    elderly = client.get(url, {"domain": domain("elderly", "养老服务").pk}).content.decode()
    assert "养老岗" in elderly and "救助岗" not in elderly
    assert "救助岗" in client.get(url, {"q": "救助"}).content.decode()
    assert "救助岗" not in client.get(url, {"region": "440105"}).content.decode()
