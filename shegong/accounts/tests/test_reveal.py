"""Revealing a personal identifier (个人信息保护法): masked by default, shown in full only to holders of
accounts.reveal_personal_data within their scope, and every showing is audited. User.phone is the example field."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from shegong.accounts.models import User
from shegong.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def reveal_url(user: User, field: str = "phone", label: str = "accounts.user") -> str:
    return reverse("core:reveal", args=[label, user.pk, field])


@pytest.fixture
def target(world) -> User:
    """A station head of district A with a phone number on file."""
    user = world.station_head_a
    user.phone = PHONE
    user.save()
    return user


def test_the_url_has_the_documented_shape(target):
    assert reveal_url(target) == f"/core/reveal/accounts.user/{target.pk}/phone/"


def test_a_permitted_user_in_scope_sees_the_value_and_it_is_audited(client, world, target):
    client.force_login(world.district_a_admin)
    response = client.post(reveal_url(target), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert PHONE in html and 'data-testid="revealed-value"' in html
    assert "no-store" in response.headers["Cache-Control"]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).get()
    assert entry.actor_id == world.district_a_admin.pk
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(target.pk))
    assert "phone" in entry.note and "手机号" in entry.note
    assert PHONE not in str(entry.changes) + entry.note  # the log says who saw what field, never the value


def test_the_permission_matrix(client, world, target):
    url = reveal_url(target)
    # Holders of the reveal permission whose scope covers 北京街道 of 越秀区 see it; the other holders get 404 (out of
    # scope), everyone without the permission 403, including the three admins of 三员分立.
    expected = {
        "anonymous": 302,
        "city_admin": 200,
        "district_a_admin": 200,
        "station_head_a": 200,
        "district_b_admin": 404,
        "agency_admin_a": 404,
        "outsider": 404,
    }
    from shegong.testing.matrix import assert_matrix

    assert_matrix(client, world, url, expected, default=403, method="post")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).count() == 3


def test_out_of_scope_is_not_found_and_not_audited(client, world, target):
    client.force_login(world.district_b_admin)
    assert client.post(reveal_url(target)).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_without_the_permission_it_is_forbidden(client, world, target):
    client.force_login(world.worker_b)
    assert client.post(reveal_url(target)).status_code == 403
    client.force_login(world.no_role)
    assert client.post(reveal_url(target)).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


@pytest.mark.parametrize("field", ["username", "phone_index", "password", "no_such_field"])
def test_a_field_that_is_not_encrypted_is_a_bad_request(client, world, target, field):
    client.force_login(world.city_admin)
    response = client.post(reveal_url(target, field))
    assert response.status_code == 400
    assert "不是加密保存的个人信息" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_an_unknown_model_or_object_is_not_found(client, world, target):
    client.force_login(world.city_admin)
    assert client.post(reveal_url(target, label="accounts.nothing")).status_code == 404
    assert client.post(reveal_url(target, label="nonsense")).status_code == 404
    assert client.post(reverse("core:reveal", args=["accounts.user", 10**9, "phone"])).status_code == 404
    assert client.post(reverse("core:reveal", args=["accounts.user", "abc", "phone"])).status_code == 404


def test_get_is_not_allowed(client, world, target):
    client.force_login(world.city_admin)
    assert client.get(reveal_url(target)).status_code == 405
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def render_masked(user, target) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template('{% load personal_data %}{% masked obj "phone" %}').render(
        Context({"obj": target, "request": request})
    )


def test_the_tag_shows_the_masked_value_and_a_button_wired_to_the_endpoint(world, target):
    html = render_masked(world.district_a_admin, target)
    assert "138****8000" in html and PHONE not in html
    assert f'hx-post="{reveal_url(target)}"' in html
    assert 'hx-target="closest .personal-value"' in html and 'hx-swap="outerHTML"' in html
    assert "X-CSRFToken" in html and "显示" in html
    assert "<script" not in html and " onclick" not in html and " style=" not in html


def test_the_tag_has_no_button_for_someone_who_may_not_reveal(world, target):
    html = render_masked(world.worker_b, target)
    assert "138****8000" in html
    assert "hx-post" not in html and "显示" not in html


def test_the_tag_shows_a_dash_for_an_empty_value(world):
    html = render_masked(world.city_admin, world.worker_b)
    assert "—" in html and "hx-post" not in html


def test_the_tag_refuses_a_field_that_is_not_encrypted(world, target):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template('{% load personal_data %}{% masked obj "username" %}').render(Context({"obj": target}))


def test_the_service_refuses_a_plain_field(world, target):
    from shegong.accounts.services import reveal_personal_value

    with pytest.raises(ValueError, match="not an encrypted"):
        reveal_personal_value(actor=world.city_admin, obj=target, field_name="username")
