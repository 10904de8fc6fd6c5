"""The registration page: review forms only for the right reviewer, refusals shown as messages, renewal conditions."""

import datetime

import pytest
from django.urls import reverse

from shegong.registration.models import Registration
from shegong.registration.tests.factories import make_registration, make_training, registered

pytestmark = pytest.mark.django_db
State = Registration.State


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_review_forms_follow_the_reviewer(client, world, certificate):
    registration = make_registration(certificate, submitted_by=world.agency_admin_a)
    url = reverse("registration:detail", args=[registration.pk])
    client.force_login(world.city_admin)
    page = client.get(url).content.decode()
    assert 'data-testid="first-review"' not in page and 'data-testid="final-review"' not in page
    response = client.post(
        reverse("registration:first_review", args=[registration.pk]),
        {"first-decision": "approve", "first-note": ""},
        follow=True,
    )
    assert any("区县" in text for text in messages_of(response))
    registration.refresh_from_db()
    assert registration.state == State.PENDING

    client.force_login(world.district_a_admin)
    assert 'data-testid="first-review"' in client.get(url).content.decode()
    response = client.post(
        reverse("registration:first_review", args=[registration.pk]),
        {"first-decision": "reject", "first-note": ""},
        follow=True,
    )
    assert any("必须填写审核意见" in text for text in messages_of(response))
    client.post(
        reverse("registration:first_review", args=[registration.pk]),
        {"first-decision": "approve", "first-note": "同意"},
    )
    page = client.get(url).content.decode()
    assert 'data-testid="waiting-other"' in page and 'data-testid="final-review"' not in page
    registration.refresh_from_db()
    assert registration.state == State.FIRST_APPROVED

    client.force_login(world.city_admin)
    assert 'data-testid="final-review"' in client.get(url).content.decode()


def test_the_first_reviewer_is_told_someone_else_must_finish(client, world, certificate, both_levels):
    registration = make_registration(certificate, submitted_by=world.agency_admin_a)
    client.force_login(both_levels)
    client.post(
        reverse("registration:first_review", args=[registration.pk]), {"first-decision": "approve", "first-note": ""}
    )
    page = client.get(reverse("registration:detail", args=[registration.pk])).content.decode()
    assert 'data-testid="waiting-other"' in page and 'data-testid="final-review"' not in page
    response = client.post(
        reverse("registration:final_review", args=[registration.pk]),
        {"final-decision": "approve", "final-note": ""},
        follow=True,
    )
    assert any("另一人" in text for text in messages_of(response))


def test_renewal_conditions_and_the_renew_button(client, world, worker, certificate):
    until = datetime.date.today() + datetime.timedelta(days=30)
    registration = registered(certificate, world, valid_until=until)
    url = reverse("registration:detail", args=[registration.pk])
    client.force_login(worker.account)
    page = client.get(url).content.decode()
    assert 'data-testid="renewal-conditions"' in page and "还差 90 小时" in page
    assert 'data-testid="renew-form"' not in page
    response = client.post(reverse("registration:renew", args=[registration.pk]), follow=True)
    assert any("还差 90 小时" in text for text in messages_of(response))
    make_training(worker, hours="90", end=until - datetime.timedelta(days=200), days=10, verified_by=world.city_admin)
    page = client.get(url).content.decode()
    assert 'data-testid="renew-form"' in page
    response = client.post(reverse("registration:renew", args=[registration.pk]))
    renewal = Registration.objects.get(previous=registration)
    assert response["Location"] == reverse("registration:detail", args=[renewal.pk])
    assert renewal.submitted_by == worker.account


def test_submitting_a_first_registration_from_the_worker_page(client, world, worker, certificate):
    client.force_login(world.agency_admin_a)
    page = client.get(reverse("registration:worker", args=[worker.pk])).content.decode()
    assert 'data-testid="submit-first"' in page
    response = client.post(reverse("registration:submit", args=[certificate.pk]))
    registration = Registration.objects.get(certificate=certificate)
    assert response["Location"] == reverse("registration:detail", args=[registration.pk])
    response = client.post(reverse("registration:submit", args=[certificate.pk]), follow=True)
    assert any("正在审核" in text for text in messages_of(response))


@pytest.fixture
def _restore_language():
    from django.utils import translation

    yield
    # The locale middleware leaves the request's language active in this thread; later tests expect the default.
    translation.deactivate()


@pytest.mark.usefixtures("_restore_language")
def test_pages_in_english(client, world, certificate):
    from django.utils import translation

    registration = make_registration(certificate, submitted_by=world.agency_admin_a)
    client.force_login(world.city_admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("registration:detail", args=[registration.pk])).content.decode()
    assert "History" in page and "Pending" in page and "办理过程" not in page
    with translation.override("en"):
        from django.core.exceptions import PermissionDenied

        from shegong.registration import services

        with pytest.raises(PermissionDenied) as refused:
            services.registration_first_approve(registration=registration, actor=world.city_admin)
    assert "civil affairs bureau of the district" in str(refused.value)


def test_lists_do_not_query_per_row(client, world, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shegong.registration.tests.factories import make_certificate, make_worker

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add_rows(count: int) -> None:
        for _ in range(count):
            other = make_worker(agency=world.agency_a)
            make_registration(
                make_certificate(other),
                state=State.REGISTERED,
                first_by=world.district_a_admin,
                final_by=world.city_admin,
                valid_from=datetime.date.today() - datetime.timedelta(days=1000),
            )
            make_training(other, created_by=world.agency_admin_a)

    client.force_login(world.city_admin)
    add_rows(2)
    urls = [reverse(name) for name in ("registration:list", "registration:expiring", "registration:training_list")]
    urls.append(reverse("registration:queue"))
    before = [queries(url) for url in urls]
    add_rows(8)
    assert [queries(url) for url in urls] == before


def test_search_by_name_initials_and_exact_id_number(client, world, worker, certificate):
    registration = make_registration(certificate, submitted_by=world.agency_admin_a)
    make_training(worker, title="伦理课", created_by=world.agency_admin_a)
    client.force_login(world.city_admin)
    link = f"/registration/{registration.pk}/"
    for query in ("越秀", worker.id_number, worker.id_number.lower(), certificate.number):
        assert link in client.get(reverse("registration:list"), {"q": query}).content.decode(), query
    assert link not in client.get(reverse("registration:list"), {"q": "11010519491231002X"}).content.decode()
    page = client.get(reverse("registration:training_list"), {"q": worker.id_number}).content.decode()
    assert "伦理课" in page
