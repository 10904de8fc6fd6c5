"""The services' own rules: scope on every write, station and community agree, categories, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEntry
from shegong.recipients import services
from shegong.recipients.models import Recipient
from shegong.recipients.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_A2,
    COMMUNITY_B,
    Kind,
    make_recipient,
    make_station,
)

pytestmark = pytest.mark.django_db


def test_nobody_registers_outside_their_scope(world):
    with pytest.raises(ValidationError) as caught:
        make_recipient("越界", COMMUNITY_B, actor=world.station_head_a)
    assert "community" in caught.value.message_dict
    assert not Recipient.all_records.filter(name="越界").exists()
    with pytest.raises(PermissionDenied):
        make_recipient("无权", COMMUNITY_A, actor=world.district_a_admin)  # the bureau oversees, it does not register


def test_the_station_must_serve_the_community(world):
    room = make_station(Kind.ROOM, COMMUNITY_A)
    with pytest.raises(ValidationError) as caught:
        make_recipient("错站", COMMUNITY_A2, station=room)
    assert "station" in caught.value.message_dict
    assert make_recipient("对站", COMMUNITY_A, station=room).station == room


def test_categories_are_set_and_audited(world):
    recipient = make_recipient(actor=world.station_head_a, categories=["orphan"])
    services.recipient_set_categories(
        actor=world.station_head_a, recipient=recipient, categories=["left_behind_children", "orphan"]
    )
    assert sorted(recipient.category_links.values_list("category__code", flat=True)) == [
        "left_behind_children",
        "orphan",
    ]
    entry = AuditEntry.objects.filter(object_id=str(recipient.pk)).order_by("sequence").last()
    assert entry.changes["categories"] == ["orphan", "left_behind_children,orphan"]
    with pytest.raises(ValidationError):
        services.recipient_set_categories(actor=world.station_head_a, recipient=recipient, categories=["nonsense"])


def test_household_separation_and_visit_schedule(world):
    recipient = make_recipient(household_separated=False, household_region=None, attention_level=5)
    assert recipient.next_visit_due is None and recipient.visit_interval_days == 90
    with pytest.raises(ValidationError) as caught:
        services.recipient_update(
            actor=world.station_head_a,
            recipient=recipient,
            household_separated=True,
            household_region=recipient.community,
        )
    assert "household_region" in caught.value.message_dict
