"""The data-scope helper itself (shegong/core/scope.py), over the real divisions of 广州市 and the named test users."""

import pytest
from django.apps import apps
from django.db import models
from django.http import Http404
from django.test.utils import isolate_apps

from shegong.accounts.models import ApiToken, Role, RoleAssignment, User
from shegong.agencies.models import Agency
from shegong.core.scope import DataScope, get_scoped_or_404, in_scope, scope_q, scoped
from shegong.regions.models import Region
from shegong.testing.world import DISTRICT_A, DISTRICT_B, STREET_A

RENMIN = "440104010000"  # 人民街道, 越秀区
DONGSHAN = "440104011000"  # 东山街道: its code starts with 人民街道's code without the trailing zeros ("44010401")
NONGLIN = "440104012000"  # 农林街道: same shared digits
RENMIN_COMMUNITY = "440104010101"  # 安业里社区, under 人民街道

pytestmark = pytest.mark.django_db


def person(username: str, region: str | None = None, agency: Agency | None = None) -> User:
    return User.objects.create(username=username, home_region_id=region, home_agency=agency)


def grant(user: User, role: str, region: str | None = None, agency: Agency | None = None) -> User:
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), region_id=region, agency=agency)
    return User.objects.get(pk=user.pk)  # a fresh object: grants are cached per object (per request)


def usernames(queryset) -> set[str]:
    return set(queryset.values_list("username", flat=True))


def test_region_range_includes_the_region_and_below_and_excludes_siblings_sharing_digits(world):
    renmin, dongshan, nonglin = person("renmin", RENMIN), person("dongshan", DONGSHAN), person("nonglin", NONGLIN)
    community = person("anyeli", RENMIN_COMMUNITY)
    viewer = grant(person("renmin_sysadmin", RENMIN), "system_admin", region=RENMIN)

    seen = scoped(User, viewer, "accounts.view_user")

    assert {renmin.username, community.username, viewer.username} <= usernames(seen)
    assert dongshan.username not in usernames(seen)
    assert nonglin.username not in usernames(seen)
    assert usernames(seen) == {"renmin", "anyeli", "renmin_sysadmin"}


def test_district_range_excludes_other_districts(world):
    viewer = grant(person("yuexiu_sysadmin", DISTRICT_A), "system_admin", region=DISTRICT_A)
    seen = usernames(scoped(User, viewer, "accounts.view_user"))
    assert {"district_a_admin", "station_head_a", "yuexiu_sysadmin"} == seen
    assert scoped(User, viewer, "accounts.view_user").count() == 3


def test_agency_assignment_sees_only_that_agencys_rows(world):
    viewer = grant(person("agency_sysadmin", agency=world.agency_a), "system_admin", agency=world.agency_a)
    assert usernames(scoped(User, viewer, "accounts.view_user")) == {"agency_admin_a", "agency_sysadmin"}
    assert list(scoped(Agency, world.agency_admin_a)) == [world.agency_a]


def test_nationwide_assignment_sees_everything(world):
    viewer = grant(person("national_sysadmin"), "system_admin")
    assert scoped(User, viewer, "accounts.view_user").count() == User.objects.count()
    assert scoped(Agency, viewer, "accounts.view_user").count() == Agency.objects.count()


def test_two_assignments_see_the_union(world):
    both = grant(person("both"), "civil_affairs_admin", region=DISTRICT_A)
    both = grant(both, "civil_affairs_admin", region=DISTRICT_B)
    assert set(scoped(Agency, both)) == {world.agency_a, world.agency_b}
    only_a = world.district_a_admin
    assert set(scoped(Agency, only_a)) == {world.agency_a}


def test_perm_narrows_to_assignments_whose_role_grants_it(world):
    # 民政部门管理员 of A may view agencies; 社工 of B may not: for that permission only district A counts.
    mixed = grant(person("mixed"), "civil_affairs_admin", region=DISTRICT_A)
    mixed = grant(mixed, "social_worker", region=DISTRICT_B)
    assert set(scoped(Agency, mixed, "agencies.view_agency")) == {world.agency_a}
    assert set(scoped(Agency, mixed)) == {world.agency_a, world.agency_b}
    assert not scoped(Agency, world.worker_b, "agencies.view_agency").exists()


def test_no_role_sees_nothing_but_their_own_account(world):
    assert not scoped(Agency, world.no_role).exists()
    assert usernames(scoped(User, world.no_role)) == {"no_role"}
    assert not scoped(RoleAssignment, world.no_role).exists()


def test_an_inactive_user_sees_nothing(world):
    User.objects.filter(pk=world.city_admin.pk).update(is_active=False)
    inactive = User.objects.get(pk=world.city_admin.pk)
    assert not scoped(Agency, inactive).exists()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not scoped(Agency, AnonymousUser()).exists()
    assert not scoped(User, AnonymousUser()).exists()


def test_public_reference_data_is_readable_by_any_role_only(world):
    assert scoped(Region, world.worker_b).filter(pk=DISTRICT_A).exists()
    assert not scoped(Region, world.no_role).exists()


def test_get_scoped_or_404_answers_404_outside_and_the_row_inside(world):
    assert get_scoped_or_404(Agency, world.district_a_admin, pk=world.agency_a.pk) == world.agency_a
    with pytest.raises(Http404):
        get_scoped_or_404(Agency, world.district_a_admin, pk=world.agency_b.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(Agency, world.district_a_admin, pk=-1)
    assert in_scope(world.station_head_a, world.agency_a) is False  # 北京街道 does not contain the district's agency
    assert in_scope(world.city_admin, world.agency_b) is True


def test_owner_rows_are_visible_to_their_owner_only(world):
    from datetime import timedelta

    from django.utils import timezone

    token = ApiToken.objects.create(
        user=world.worker_b, name="t", prefix="sg_x", token_hash="0" * 64, expires_at=timezone.now() + timedelta(days=1)
    )
    assert list(scoped(ApiToken, world.worker_b)) == [token]
    assert not scoped(ApiToken, world.city_admin).exists()  # a wider region does not open someone's tokens


def test_street_assignment_does_not_see_the_district_or_the_next_street(world):
    seen = scoped(User, grant(person("street_sys", STREET_A), "system_admin", region=STREET_A), "accounts.view_user")
    assert usernames(seen) == {"station_head_a", "street_sys"}


@isolate_apps("shegong.core")
def test_a_model_without_data_scope_is_refused():
    class Unscoped(models.Model):
        class Meta:
            app_label = "core"
            managed = False

        def __str__(self) -> str:
            return "unscoped"

    with pytest.raises(TypeError, match="data_scope"):
        scope_q(None, Unscoped)


def _points_to(field, model) -> bool:
    return isinstance(field, models.ForeignKey) and field.related_model is model


def test_every_model_with_a_region_or_agency_key_declares_its_data_scope(world):
    """Later apps cannot forget: a model holding a region or an agency must say how its rows are scoped, and the
    paths it names must work (the query is built for a region grant, an agency grant and an owner)."""
    viewer = grant(person("probe", DISTRICT_A), "civil_affairs_admin", region=DISTRICT_A)
    viewer = grant(viewer, "agency_admin", agency=world.agency_a)
    missing, broken = [], []
    for model in apps.get_models():
        if not model.__module__.startswith("shegong."):
            continue
        holds = [f.name for f in model._meta.get_fields() if _points_to(f, Region) or _points_to(f, Agency)]
        if not holds:
            continue
        spec = getattr(model, "data_scope", None)
        if not isinstance(spec, DataScope):
            missing.append(f"{model._meta.label} ({', '.join(holds)})")
            continue
        try:
            str(scoped(model, viewer).query)
        except Exception as exc:  # report every broken model at once, not only the first
            broken.append(f"{model._meta.label}: {exc}")
    assert not missing, "models with a region or agency but no data_scope: " + "; ".join(missing)
    assert not broken, "data_scope paths that do not resolve: " + "; ".join(broken)
