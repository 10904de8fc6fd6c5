"""Hiring: the employment is recorded, the worker's record moves to the agency, the opening closes when full, and a
blacklisted worker is not put on a government-funded post."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.recruitment import services
from shegong.recruitment.models import Employment, JobApplication, JobOpening
from shegong.talent.tests.factories import blacklist

pytestmark = pytest.mark.django_db
State = JobApplication.State
TODAY = timezone.localdate()


def shortlisted(opening, worker, world):
    application = services.application_submit(opening=opening, worker=worker, actor=worker.account)
    return services.application_transition(
        application=application, to_state=State.SHORTLISTED, actor=world.agency_admin_a
    )


def test_hiring_records_the_employment_and_moves_the_worker(world, make_opening, applicant):
    opening = make_opening(region=world.agency_a.region, post_type="supervisor", title="督导岗")
    application = shortlisted(opening, applicant, world)
    employment = services.application_hire(application=application, started_on=TODAY, actor=world.agency_admin_a)
    assert (employment.agency, employment.post_type, employment.application_id) == (
        world.agency_a,
        "supervisor",
        application.pk,
    )
    applicant.refresh_from_db()
    assert applicant.agency == world.agency_a
    assert (applicant.employer_kind, applicant.employer_name, applicant.post_type) == ("", "", "supervisor")
    assert applicant.region_id == opening.region_id
    application.refresh_from_db()
    assert application.state == State.HIRED and application.decided_by == world.agency_admin_a
    worker_entry = AuditEntry.objects.filter(object_type="workers.socialworker", object_id=str(applicant.pk)).latest(
        "sequence"
    )
    assert worker_entry.changes["agency"][1] == str(world.agency_a.pk)
    assert worker_entry.actor == world.agency_admin_a  # the person who hired, not "system"


def test_a_new_hire_ends_the_current_employment(world, make_opening, applicant):
    first = make_opening(title="第一份工作")
    services.application_hire(
        application=shortlisted(first, applicant, world),
        started_on=TODAY - datetime.timedelta(days=3),
        actor=world.agency_admin_a,
    )
    second = make_opening(title="第二份工作")
    with pytest.raises(ValidationError) as caught:
        services.application_hire(
            application=shortlisted(second, applicant, world),
            started_on=TODAY - datetime.timedelta(days=4),
            actor=world.agency_admin_a,
        )
    assert "started_on" in caught.value.message_dict
    services.application_hire(
        application=JobApplication.objects.get(opening=second), started_on=TODAY, actor=world.agency_admin_a
    )
    old, new = Employment.objects.order_by("started_on")
    assert old.ended_on == TODAY - datetime.timedelta(days=1) and new.ended_on is None


def test_reaching_the_headcount_closes_the_opening(world, make_opening, make_applicant):
    opening = make_opening(headcount=1)
    first = shortlisted(opening, make_applicant("first"), world)
    second = shortlisted(opening, make_applicant("second"), world)
    services.application_hire(application=first, started_on=TODAY, actor=world.agency_admin_a)
    opening.refresh_from_db()
    assert opening.status == JobOpening.Status.CLOSED and opening.closed_at is not None
    with pytest.raises(ValidationError) as caught:
        services.application_hire(application=second, started_on=TODAY, actor=world.agency_admin_a)
    assert "已招满" in str(caught.value)
    with pytest.raises(ValidationError):
        services.opening_publish(opening=opening, actor=world.agency_admin_a)


def test_a_closed_opening_still_hires_its_shortlist_while_places_remain(world, make_opening, applicant):
    opening = make_opening(headcount=2)
    application = shortlisted(opening, applicant, world)
    services.opening_close(opening=opening, actor=world.agency_admin_a)
    services.application_hire(application=application, started_on=TODAY, actor=world.agency_admin_a)
    assert Employment.objects.filter(application=application).exists()


def test_a_blacklisted_worker_is_not_hired_into_a_government_funded_post(world, make_opening, applicant):
    application = shortlisted(make_opening(), applicant, world)
    blacklist(applicant, world.city_admin, on=TODAY)
    with pytest.raises(ValidationError) as caught:
        services.application_hire(application=application, started_on=TODAY, actor=world.agency_admin_a)
    assert "黑名单" in str(caught.value)
    application.refresh_from_db()
    applicant.refresh_from_db()
    assert application.state == State.SHORTLISTED and applicant.agency is None
    assert not Employment.objects.exists()


def test_a_blacklisted_worker_may_take_a_post_that_is_not_government_funded(world, make_opening, applicant):
    application = shortlisted(make_opening(government_funded=False), applicant, world)
    blacklist(applicant, world.city_admin, on=TODAY)
    services.application_hire(application=application, started_on=TODAY, actor=world.agency_admin_a)
    assert Employment.objects.count() == 1


def test_hiring_needs_the_shortlist_and_the_deciding_side(world, make_opening, applicant):
    opening = make_opening()
    application = services.application_submit(opening=opening, worker=applicant, actor=applicant.account)
    with pytest.raises(ValidationError):
        services.application_hire(application=application, started_on=TODAY, actor=world.agency_admin_a)
    services.application_transition(application=application, to_state=State.SHORTLISTED, actor=world.agency_admin_a)
    from django.core.exceptions import PermissionDenied

    for outsider in (applicant.account, world.district_a_admin, world.district_b_admin):
        with pytest.raises(PermissionDenied):
            services.application_hire(application=application, started_on=TODAY, actor=outsider)


def test_a_blacklisted_agency_cannot_publish_a_government_funded_post(world, make_opening):
    from shegong.agencies.services import agency_change_status

    agency_change_status(
        actor=world.city_admin,
        agency=world.agency_a,
        status="blacklist",
        reason="严重违法失信",
        source_document="穗民〔2024〕1号",
        valid_from=TODAY,
    )
    opening = make_opening(publish=False)
    with pytest.raises(ValidationError) as caught:
        services.opening_publish(opening=opening, actor=world.agency_admin_a)
    assert "黑名单" in str(caught.value)
    services.opening_update(opening=opening, government_funded=False, actor=world.agency_admin_a)
    assert services.opening_publish(opening=opening, actor=world.agency_admin_a).status == JobOpening.Status.OPEN


def test_hire_from_the_pages(client, world, make_opening, applicant):
    opening = make_opening(title="页面录用岗")
    application = shortlisted(opening, applicant, world)
    client.force_login(world.agency_admin_a)
    listing = client.get(reverse("recruitment:application_list"), {"opening": opening.pk}).content.decode()
    assert 'data-testid="hire"' in listing
    response = client.post(reverse("recruitment:application_hire", args=[application.pk]), {"started_on": TODAY})
    assert response.status_code == 302
    assert Employment.objects.get().worker == applicant
    employments = client.get(reverse("recruitment:employment_list")).content.decode()
    assert "应聘者" in employments
