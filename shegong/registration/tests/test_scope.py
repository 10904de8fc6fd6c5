"""Scope on every page, export and endpoint (the permission matrix), and district A never sees district B."""

import datetime

import pytest
from django.urls import reverse

from shegong.registration.models import Registration
from shegong.registration.tests.factories import make_certificate, make_registration, make_training, make_worker
from shegong.testing.matrix import assert_matrix, visible_ids
from shegong.testing.world import DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db
State = Registration.State

VIEWERS = {"city_admin", "district_a_admin", "district_b_admin", "station_head_a", "agency_admin_a", "outsider"}
# Pages of lists: a role that may view gets the page (its own part of the data); the others are refused.
LIST_MATRIX = {"anonymous": 302, **{name: 200 for name in VIEWERS}}
# One object in district A (北京街道, at agency A): who sees it; everyone else gets 404, never 403.
IN_SCOPE_A = {"city_admin", "district_a_admin", "station_head_a", "agency_admin_a"}
OBJECT_MATRIX = {"anonymous": 302, **{name: 200 for name in IN_SCOPE_A}}
REVIEWERS = {"city_admin", "district_a_admin", "district_b_admin", "outsider"}


@pytest.fixture
def data(world):
    worker_a = make_worker(name="甲社工", region=STREET_A, agency=world.agency_a)
    worker_b = make_worker(name="乙社工", region=DISTRICT_B, agency=world.agency_b)
    registration_a = make_registration(
        make_certificate(worker_a),
        state=State.REGISTERED,
        first_by=world.district_a_admin,
        final_by=world.city_admin,
        valid_from=datetime.date.today() - datetime.timedelta(days=3 * 365 - 30),
    )
    pending_a = make_registration(make_certificate(worker_a, level="senior"), submitted_by=world.agency_admin_a)
    registration_b = make_registration(
        make_certificate(worker_b),
        state=State.REGISTERED,
        first_by=world.district_b_admin,
        final_by=world.city_admin,
        valid_from=datetime.date.today() - datetime.timedelta(days=3 * 365 - 30),
    )
    training_a = make_training(worker_a, created_by=world.district_a_admin, verified_by=world.district_a_admin)
    training_b = make_training(worker_b, created_by=world.district_b_admin)
    return {
        "worker_a": worker_a,
        "worker_b": worker_b,
        "registration_a": registration_a,
        "pending_a": pending_a,
        "registration_b": registration_b,
        "training_a": training_a,
        "training_b": training_b,
    }


def test_list_pages(client, world, data):
    for name in ("registration:list", "registration:expiring", "registration:training_list"):
        assert_matrix(client, world, reverse(name), LIST_MATRIX, default=403)
    assert_matrix(
        client, world, reverse("registration:queue"), {"anonymous": 302, **dict.fromkeys(REVIEWERS, 200)}, default=403
    )
    assert_matrix(
        client,
        world,
        reverse("tabular:import", args=["training-records"]),
        {"anonymous": 302, **dict.fromkeys(REVIEWERS | {"agency_admin_a"}, 200)},
        default=403,
    )


def test_object_pages(client, world, data):
    registration = data["registration_a"]
    worker = data["worker_a"]
    for url in (
        reverse("registration:detail", args=[registration.pk]),
        reverse("registration:worker", args=[worker.pk]),
        reverse("registration:training_evidence", args=[data["training_a"].pk]),
    ):
        expected = OBJECT_MATRIX if "evidence" not in url else {"anonymous": 302}  # no file: 404 for everyone
        assert_matrix(client, world, url, expected, default=404)
    # Adding and changing records: those who keep them in scope; the station head only reads (403 on a visible
    # worker); everyone else cannot even see the worker (404).
    keep = {"anonymous": 302, "city_admin": 200, "district_a_admin": 200, "agency_admin_a": 200, "station_head_a": 403}
    assert_matrix(client, world, reverse("registration:training_create", args=[worker.pk]), keep, default=404)
    assert_matrix(client, world, reverse("registration:training_edit", args=[data["training_a"].pk]), keep, default=404)


def test_writes_out_of_scope_answer_404_and_change_nothing(client, world, data):
    pending = data["pending_a"]
    outside = ["district_b_admin", "outsider", "worker_b", "no_role", "system_admin"]
    for name, args in [
        ("registration:first_review", {"first-decision": "approve", "first-note": ""}),
        ("registration:final_review", {"final-decision": "approve", "final-note": ""}),
        ("registration:register", {}),
        ("registration:renew", {}),
    ]:
        assert_matrix(
            client,
            world,
            reverse(name, args=[pending.pk]),
            {"anonymous": 302, **dict.fromkeys(outside, 404)},
            method="post",
            data=args,
        )
    assert_matrix(
        client,
        world,
        reverse("registration:submit", args=[data["registration_a"].certificate_id]),
        {"anonymous": 302, **dict.fromkeys(outside, 404)},
        method="post",
    )
    for name in ("registration:training_verify", "registration:training_delete"):
        assert_matrix(
            client,
            world,
            reverse(name, args=[data["training_b"].pk]),
            {"anonymous": 302, "district_a_admin": 404, "station_head_a": 404, "agency_admin_a": 404, "outsider": 404},
            method="post",
        )
    pending.refresh_from_db()
    assert pending.state == State.PENDING
    assert data["training_b"].__class__.objects.filter(pk=data["training_b"].pk, verified_at__isnull=True).exists()


def test_exports(client, world, data):
    for name in ("registration:export", "registration:expiring_export", "registration:training_export"):
        assert_matrix(client, world, reverse(name), LIST_MATRIX, default=403, method="post")


def test_district_a_does_not_see_district_b(client, world, data):
    client.force_login(world.district_a_admin)
    page = client.get(reverse("registration:list")).content.decode()
    assert "甲社工" in page and "乙社工" not in page
    page = client.get(reverse("registration:training_list")).content.decode()
    assert "甲社工" in page and "乙社工" not in page
    assert client.get(reverse("registration:detail", args=[data["registration_b"].pk])).status_code == 404
    assert client.get(reverse("registration:worker", args=[data["worker_b"].pk])).status_code == 404
    api = "/api/v1/registration/registrations"
    assert visible_ids(client, world.district_a_admin, api) == {data["registration_a"].pk, data["pending_a"].pk}
    assert visible_ids(client, world.district_b_admin, api) == {data["registration_b"].pk}
    assert visible_ids(client, world.city_admin, api) == {
        data["registration_a"].pk,
        data["pending_a"].pk,
        data["registration_b"].pk,
    }
    assert visible_ids(client, world.outsider, api) == set()
    assert visible_ids(client, world.agency_admin_a, api) == {data["registration_a"].pk, data["pending_a"].pk}
    training = "/api/v1/registration/training-records"
    assert visible_ids(client, world.district_a_admin, training) == {data["training_a"].pk}
    assert visible_ids(client, world.district_b_admin, training) == {data["training_b"].pk}


def test_api_matrix(client, world, data):
    api = "/api/v1/registration"
    lists = {"anonymous": 401, **dict.fromkeys(VIEWERS, 200)}
    for url in (f"{api}/registrations", f"{api}/registrations/expiring", f"{api}/training-records"):
        assert_matrix(client, world, url, lists, default=403)
    one = {"anonymous": 401, **dict.fromkeys(IN_SCOPE_A, 200)}
    for url in (
        f"{api}/registrations/{data['registration_a'].pk}",
        f"{api}/training-records/{data['training_a'].pk}",
        f"{api}/workers/{data['worker_a'].pk}/training-totals",
    ):
        assert_matrix(client, world, url, one, default=404)


def test_expiring_lists_only_registrations_ending_within_90_days(client, world, data):
    client.force_login(world.city_admin)
    payload = client.get("/api/v1/registration/registrations/expiring").json()
    assert {item["id"] for item in payload["items"]} == {data["registration_a"].pk, data["registration_b"].pk}
    later = make_registration(
        make_certificate(data["worker_a"], level="assistant"),
        state=State.REGISTERED,
        first_by=world.district_a_admin,
        final_by=world.city_admin,
        valid_from=datetime.date.today() - datetime.timedelta(days=730),  # ends in about a year
    )
    page = client.get(reverse("registration:expiring")).content.decode()
    assert page.count('data-testid="registration-row"') == 2
    assert f"/registration/{later.pk}/" not in page
    assert client.get("/api/v1/registration/registrations/expiring?days=366").json()["count"] == 3
    assert client.get("/api/v1/registration/registrations/expiring?days=400").status_code == 422


def test_the_worker_sees_their_own_without_any_role(client, world, data):
    from shegong.accounts.models import User

    account = User.objects.create_user(username="own_worker", password="x")
    worker = data["worker_a"]
    worker.account = account
    worker.save()
    client.force_login(account)
    assert client.get(reverse("registration:mine")).status_code == 200
    assert client.get(reverse("registration:detail", args=[data["registration_a"].pk])).status_code == 200
    assert client.get(reverse("registration:detail", args=[data["registration_b"].pk])).status_code == 404
    assert client.get(reverse("registration:list")).status_code == 403
    assert client.get(f"/api/v1/registration/workers/{worker.pk}/training-totals").status_code == 200
    client.force_login(world.no_role)
    assert client.get(reverse("registration:mine")).status_code == 404


def test_profile_sections_on_the_workers_pages(client, world, data):
    from shegong.accounts.models import User

    worker = data["worker_a"]
    client.force_login(world.district_a_admin)
    page = client.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    assert 'data-testid="registration-section"' in page and 'data-testid="training-section"' in page
    assert reverse("registration:worker", args=[worker.pk]) in page
    account = User.objects.create_user(username="own_section", password="x")
    worker.account = account
    worker.save()
    client.force_login(account)
    page = client.get(reverse("workers:me")).content.decode()
    assert 'data-testid="registration-section"' in page and reverse("registration:mine") in page
