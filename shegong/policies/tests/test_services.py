"""Writes to profiles: permission and scope, schema validation, overlapping periods refused, everything audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from shegong.accounts.models import Role, RoleAssignment, User
from shegong.audit.models import AuditEntry
from shegong.policies import selectors, services
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.regions.models import Region

pytestmark = pytest.mark.django_db

D = datetime.date


def region(code: str) -> Region:
    return Region.objects.get(pk=code.ljust(12, "0"))


def preset(code: str) -> PolicyProfile:
    return PolicyProfile.objects.get(preset=code)


def rule(preset_code: str, kind: str) -> PolicyRule:
    return PolicyRule.objects.select_related("profile").get(profile__preset=preset_code, kind=kind)


def last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("-sequence").first()


@pytest.fixture
def national_admin(world):
    user = User.objects.create(username="national_admin", display_name="民政部管理员")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code="civil_affairs_admin"))
    return user


def test_city_admin_edits_a_rule_and_the_audit_holds_params_before_and_after(world):
    target = rule("guangzhou-2018", "labour_cost_share")
    services.rule_set_params(actor=world.city_admin, rule=target, params={"minimum": "70"})
    target.refresh_from_db()
    assert target.params == {"minimum": "70"}
    entry = last_entry()
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.object_type == "policies.policyrule" and entry.object_id == str(target.pk)
    assert entry.actor == world.city_admin
    assert entry.changes == {"params": [{"minimum": "65"}, {"minimum": "70"}]}
    assert "广州市（2018年起）" in entry.note
    # The new number is what the engine now uses.
    facts = {"labour_cost": "1632000", "total_funds": "2400000"}
    assert selectors.evaluate("labour_cost_share", "4401", D(2026, 1, 1), facts).passed is False


def test_saving_the_same_params_writes_no_audit_entry(world):
    target = rule("guangzhou-2018", "labour_cost_share")
    before = AuditEntry.objects.count()
    services.rule_set_params(actor=world.city_admin, rule=target, params={"minimum": "65.0"})
    assert AuditEntry.objects.count() == before


def test_bad_parameters_are_refused_per_parameter_and_nothing_changes(world):
    target = rule("guangzhou-2018", "labour_cost_share")
    count = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.rule_set_params(actor=world.city_admin, rule=target, params={"minimum": "165"})
    assert caught.value.message_dict == {"minimum": ["「最低比例」不能大于 100%。"]}
    target.refresh_from_db()
    assert target.params == {"minimum": "65"}
    assert AuditEntry.objects.count() == count


def test_worker_and_district_admin_cannot_edit_the_city_profile(world):
    target = rule("guangzhou-2018", "labour_cost_share")
    with pytest.raises(PermissionDenied):
        services.rule_set_params(actor=world.worker_b, rule=target, params={"minimum": "50"})
    with pytest.raises(PermissionDenied, match="只能编辑本辖区"):
        services.rule_set_params(actor=world.district_a_admin, rule=target, params={"minimum": "50"})
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=world.outsider, profile=preset("guangzhou-2018"), name="x")
    with pytest.raises(PermissionDenied, match="全国规则集"):
        services.rule_set_params(
            actor=world.city_admin, rule=rule("national", "rating_validity"), params={"validity_years": 4}
        )


def test_the_national_profile_needs_a_nationwide_assignment(world, national_admin):
    services.rule_set_params(
        actor=national_admin, rule=rule("national", "rating_validity"), params={"validity_years": 4}
    )
    assert rule("national", "rating_validity").params == {"validity_years": 4}
    with pytest.raises(PermissionDenied):
        services.profile_create(actor=world.city_admin, region=None, name="全国二", valid_from=D(2030, 1, 1))


def test_district_admin_creates_adds_and_removes_rules_in_own_district(world):
    profile = services.profile_create(
        actor=world.district_a_admin, region=region("440104"), name="越秀区补充规定", valid_from=D(2024, 1, 1)
    )
    assert last_entry().action == AuditEntry.Action.CREATE and last_entry().object_id == str(profile.pk)
    added = services.rule_add(
        actor=world.district_a_admin,
        profile=profile,
        kind="presence_days_per_week",
        params={"minimum_days": "4"},
        source_text="越秀区民政局通知",
    )
    assert added.params == {"minimum_days": 4}
    assert last_entry().changes["params"] == [None, {"minimum_days": 4}]
    assert selectors.rules_in_force("440104003000", D(2025, 1, 1))["presence_days_per_week"] == added
    with pytest.raises(ValidationError, match="已有"):
        services.rule_add(actor=world.district_a_admin, profile=profile, kind="presence_days_per_week", params={})
    with pytest.raises(ValidationError) as caught:
        services.rule_add(actor=world.district_a_admin, profile=profile, kind="no_such_kind", params={})
    assert "kind" in caught.value.message_dict
    services.rule_remove(actor=world.district_a_admin, rule=added)
    assert last_entry().action == AuditEntry.Action.DELETE
    assert last_entry().changes["params"] == [{"minimum_days": 4}, None]
    # Removed: the district inherits the city's number again.
    assert selectors.rules_in_force("440104003000", D(2025, 1, 1))["presence_days_per_week"].params == {
        "minimum_days": 3
    }
    with pytest.raises(PermissionDenied):
        services.profile_create(
            actor=world.district_a_admin, region=region("440105"), name="海珠", valid_from=D(2024, 1, 1)
        )


def test_overlapping_periods_of_one_region_are_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.profile_create(actor=world.city_admin, region=region("4401"), name="重叠", valid_from=D(2019, 1, 1))
    assert "广州市（2018年起）" in caught.value.message_dict["valid_from"][0]
    with pytest.raises(ValidationError):
        services.profile_create(
            actor=world.city_admin, region=region("4401"), name="重叠", valid_from=D(2010, 1, 1), valid_to=D(2011, 1, 2)
        )
    # Touching periods are fine: valid_to is exclusive.
    earlier = services.profile_create(
        actor=world.city_admin, region=region("4401"), name="更早", valid_from=D(2009, 1, 1), valid_to=D(2011, 1, 1)
    )
    # Moving an existing profile onto another's period is refused too.
    with pytest.raises(ValidationError):
        services.profile_update(actor=world.city_admin, profile=earlier, valid_to=D(2012, 1, 1))
    # A new period for the city: end the current one first, then add the next.
    services.profile_update(actor=world.city_admin, profile=preset("guangzhou-2018"), valid_to=D(2027, 1, 1))
    assert last_entry().changes == {"valid_to": [None, "2027-01-01"]}
    services.profile_create(actor=world.city_admin, region=region("4401"), name="2027", valid_from=D(2027, 1, 1))


def test_periods_must_end_after_they_start(world):
    with pytest.raises(ValidationError) as caught:
        services.profile_create(
            actor=world.district_a_admin,
            region=region("440104"),
            name="倒置",
            valid_from=D(2024, 1, 1),
            valid_to=D(2024, 1, 1),
        )
    assert caught.value.message_dict == {"valid_to": ["失效日期必须晚于生效日期。"]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL-only")
def test_postgresql_refuses_overlaps_even_around_the_service():
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyProfile.objects.create(name="绕过服务", region_id="440100000000", valid_from=D(2020, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyProfile.objects.create(name="第二个全国", region=None, valid_from=D(2030, 1, 1))
    PolicyProfile.objects.create(name="另一区划", region_id="440104000000", valid_from=D(2020, 1, 1))


def test_clone_a_preset_into_a_district(world):
    source = preset("guangzhou-2018")
    copy = services.profile_clone(
        actor=world.district_a_admin, source=source, region=region("440104"), valid_from=D(2025, 1, 1)
    )
    assert copy.region_id == "440104000000" and copy.name == "越秀区（据「广州市（2018年起）」）"
    assert {r.kind: (r.params, r.source_text) for r in copy.rules.all()} == {
        r.kind: (r.params, r.source_text) for r in source.rules.all()
    }
    entry = last_entry()
    assert entry.action == AuditEntry.Action.CREATE and entry.changes["rules"][1]["labour_cost_share"] == {
        "minimum": "65"
    }
    with pytest.raises(PermissionDenied):
        services.profile_clone(
            actor=world.district_a_admin, source=source, region=region("4401"), valid_from=D(2030, 1, 1)
        )


def test_presets_cannot_be_deleted_but_own_profiles_can(world):
    with pytest.raises(ValidationError, match="预置"):
        services.profile_delete(actor=world.city_admin, profile=preset("guangzhou-2018"))
    own = services.profile_create(
        actor=world.city_admin, region=region("440105"), name="海珠试行", valid_from=D(2024, 1, 1)
    )
    services.rule_add(actor=world.city_admin, profile=own, kind="presence_days_per_week", params={"minimum_days": 2})
    services.profile_delete(actor=world.city_admin, profile=own)
    assert not PolicyProfile.objects.filter(pk=own.pk).exists()
    entry = last_entry()
    assert entry.action == AuditEntry.Action.DELETE
    assert entry.changes["before"]["rules"] == {"presence_days_per_week": {"minimum_days": 2}}


def test_model_validation_knows_the_kinds():
    bad = PolicyRule(profile=preset("national"), kind="no_such_kind", params={})
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert "kind" in caught.value.message_dict
    wrong = PolicyRule(profile=preset("national"), kind="supervisor_ratio", params={"max_supervisees": 0})
    with pytest.raises(ValidationError) as caught:
        wrong.full_clean(validate_constraints=False)
    assert caught.value.message_dict == {"params": ["「每名督导至多督导人数」不能小于 1。"]}
