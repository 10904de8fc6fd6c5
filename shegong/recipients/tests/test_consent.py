"""A withdrawn consent hides the person from every list, search, export, detail page, reveal and API answer of
everyone; the bureau alone sees the legally required record, with minimal fields, on its own view."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.recipients import services
from shegong.recipients.models import ConsentScope, Recipient
from shegong.recipients.tests.factories import id_number, make_recipient, withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    number = id_number()
    kept = make_recipient("李保留", id_number=id_number(), phone="13800000001")
    gone = make_recipient("王撤回", id_number=number, phone="13800000002")
    services.recipient_withdraw_consent(
        actor=world.station_head_a, recipient=gone, on=datetime.date(2026, 2, 1), reason="本人不再接受服务"
    )
    return {"kept": kept, "gone": gone, "number": number}


def _names(client, url, **params):
    return [row.name for row in client.get(url, params).context["page"]]


def test_withdrawal_is_audited_and_keeps_the_row(people):
    row = Recipient.all_records.get(pk=people["gone"].pk)
    assert row.consent_withdrawn_on == datetime.date(2026, 2, 1) and row.id_number == people["number"]
    entry = (
        AuditEntry.objects.filter(object_type="recipients.recipient", object_id=str(row.pk)).order_by("sequence").last()
    )
    assert entry.action == AuditEntry.Action.TRANSITION and people["number"] not in str(entry.changes)


@pytest.mark.parametrize("user", ["station_head_a", "district_a_admin", "city_admin"])
def test_hidden_from_list_search_and_detail(client, world, people, user):
    client.force_login(world.users[user])
    url = reverse("recipients:list")
    assert _names(client, url) == ["李保留"]
    assert _names(client, url, q=people["number"]) == []
    assert _names(client, url, q="wcy") == []
    assert client.get(reverse("recipients:detail", args=[people["gone"].pk])).status_code == 404
    assert client.get(reverse("recipients:edit", args=[people["gone"].pk])).status_code in (403, 404)


def test_hidden_from_the_export(client, world, people):
    client.force_login(world.district_a_admin)
    response = client.post(reverse("recipients:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row]
    assert "李保留" in values and "王撤回" not in values
    assert not any(people["number"] in value for value in values)


def test_hidden_from_the_api(client, world, people):
    client.force_login(world.district_a_admin)
    listing = client.get("/api/v1/recipients/").json()
    assert [item["name"] for item in listing["items"]] == ["李保留"]
    assert client.get("/api/v1/recipients/", {"q": people["number"]}).json()["items"] == []
    assert client.get(f"/api/v1/recipients/{people['gone'].pk}").status_code == 404


def test_hidden_from_the_reveal_action(client, world, people):
    client.force_login(world.district_a_admin)
    url = reverse("core:reveal", args=["recipients.recipient", people["gone"].pk, "id_number"])
    assert client.post(url).status_code == 404
    url = reverse("core:reveal", args=["recipients.recipient", people["kept"].pk, "id_number"])
    assert client.post(url).status_code == 200


def test_no_further_change_once_withdrawn(world, people):
    with pytest.raises(PermissionDenied):
        services.recipient_update(actor=world.station_head_a, recipient=people["gone"], name="改名")
    with pytest.raises(PermissionDenied):
        withdraw(people["gone"], actor=world.station_head_a)


def test_the_bureau_sees_the_legally_required_record_with_minimal_fields(client, world, people):
    url = reverse("recipients:withdrawn")
    client.force_login(world.district_a_admin)
    page = client.get(url)
    assert [row.name for row in page.context["page"]] == ["王撤回"]
    content = page.content.decode()
    assert "本人不再接受服务" in content and "2026-02-01" in content
    assert people["number"][:6] + "*" not in content and "138" not in content  # no ID number, no phone
    client.force_login(world.district_b_admin)
    assert list(client.get(url).context["page"]) == []  # still scoped
    for name in ("station_head_a", "agency_admin_a", "worker_b"):
        client.force_login(world.users[name])
        assert client.get(url).status_code == 403


def test_withdrawal_needs_a_reason_and_a_plausible_date(world):
    recipient = make_recipient()
    with pytest.raises(ValidationError) as caught:
        services.recipient_withdraw_consent(
            actor=world.station_head_a, recipient=recipient, on=datetime.date(2025, 1, 1), reason=" "
        )
    assert set(caught.value.message_dict) == {"on", "reason"}
    assert Recipient.objects.filter(pk=recipient.pk).exists()


def test_consent_is_renewed_with_its_scope(world):
    recipient = make_recipient()
    services.recipient_give_consent(
        actor=world.station_head_a,
        recipient=recipient,
        on=datetime.date(2026, 3, 1),
        scopes=[ConsentScope.FOLLOW_UP, ConsentScope.SERVICE_RECORD],
    )
    recipient.refresh_from_db()
    assert recipient.consent_given_on == datetime.date(2026, 3, 1)
    assert recipient.consent_scopes == [ConsentScope.SERVICE_RECORD, ConsentScope.FOLLOW_UP]
    with pytest.raises(ValidationError):
        services.recipient_give_consent(
            actor=world.station_head_a, recipient=recipient, on=datetime.date(2026, 3, 1), scopes=["follow_up"]
        )
