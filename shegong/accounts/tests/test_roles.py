"""Roles, permissions and grants by the security admin, and the rules of 三员分立 (shegong/accounts/duties.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.accounts import duties, services
from shegong.accounts.models import Role, RoleAssignment, User
from shegong.audit.models import AuditEntry
from shegong.regions.models import Region
from shegong.testing.matrix import ViewCase
from shegong.testing.world import DISTRICT_A, OTHER_CITY

pytestmark = pytest.mark.django_db


def role(code: str) -> Role:
    return Role.objects.get(code=code)


def perm(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def holder(username: str, role_code: str, region: str | None = None) -> User:
    user = User.objects.create(username=username, home_region_id=region)
    RoleAssignment.objects.create(user=user, role=role(role_code), region_id=region)
    return user


@pytest.fixture
def national_security(world) -> User:
    return holder("national_security", "security_admin")


def outsider_assignment(world) -> list:
    return [world.outsider.assignments.get().pk]


MATRIX = [
    ViewCase("accounts:role_list", {"anonymous": 302, "security_admin": 200}, default=403),
    ViewCase(
        "accounts:role_detail",
        {"anonymous": 302, "security_admin": 200},
        default=403,
        args=lambda w: [role("civil_affairs_admin").pk],
    ),
    ViewCase(
        "accounts:user_assignments",
        {"anonymous": 302, "security_admin": 200},
        default=403,
        args=lambda w: [w.district_a_admin.pk],
        out_of_scope=lambda w: [w.outsider.pk],
    ),
    ViewCase(
        "accounts:assignment_delete",
        {"anonymous": 302, "security_admin": None},  # in scope it would revoke: tested on its own below
        default=403,
        method="post",
        args=lambda w: [w.district_a_admin.assignments.get().pk],
        out_of_scope=outsider_assignment,
        out_of_scope_users=["security_admin"],
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_permission_matrix(client, world, case):
    case.check(client, world)


# --- Roles and their permissions -----------------------------------------------------------------------------------


def test_role_list_counts_only_holders_in_scope(client, world):
    client.force_login(world.security_admin)
    response = client.get(reverse("accounts:role_list"))
    roles = {r.code: r for r in response.context["roles"]}
    assert set(roles) >= {"system_admin", "security_admin", "audit_admin", "civil_affairs_admin"}
    assert roles["civil_affairs_admin"].holder_count == 3  # 广州市, 越秀区, 海珠区; not 深圳市's outsider
    assert "民政部门管理员" in response.content.decode()


def test_role_page_groups_permissions_by_app_with_chinese_names(client, world):
    client.force_login(world.security_admin)
    response = client.get(reverse("accounts:role_detail", args=[role("system_admin").pk]))
    page = response.content.decode()
    groups = {group.app_label: group for group in response.context["groups"]}
    assert groups["accounts"].label == "账户与权限"
    labels = {choice.name: choice.label for choice in groups["accounts"].choices}
    assert labels["accounts.manage_users"] == "管理用户账户"
    assert labels["accounts.view_user"] == "查看用户"
    assert "accounts.passwordhistory" not in " ".join(labels)  # internal bookkeeping is not offered
    assert {"audit", "regions"} <= set(groups)
    manage_users = perm("accounts.manage_users")
    assert str(manage_users.pk) in response.context["selected"]
    # A regional security admin reads the role but cannot change it: role definitions are installation-wide.
    assert 'data-testid="role-readonly"' in page and "disabled" in page


def test_a_nationwide_security_admin_saves_permissions_and_it_is_audited(client, world, national_security):
    client.force_login(national_security)
    target = role("volunteer")
    wanted = [perm("regions.view_region"), perm("agencies.view_agency")]
    response = client.post(reverse("accounts:role_detail", args=[target.pk]), {"permissions": [p.pk for p in wanted]})
    assert response.status_code == 302
    assert set(target.permissions.all()) == set(wanted)
    entry = AuditEntry.objects.filter(object_type="accounts.role", object_id=str(target.pk)).get()
    assert entry.actor_id == national_security.pk
    assert entry.changes["added"] == ["agencies.view_agency"]


def test_a_regional_security_admin_cannot_change_role_definitions(client, world):
    client.force_login(world.security_admin)
    url = reverse("accounts:role_detail", args=[role("volunteer").pk])
    assert client.post(url, {"permissions": [perm("agencies.view_agency").pk]}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.role_set_permissions(actor=world.security_admin, role=role("volunteer"), permissions=[])


def test_nobody_edits_a_role_they_hold(client, world, national_security):
    target = role("security_admin")
    with pytest.raises(ValidationError, match="不能修改自己所持角色的权限"):
        services.role_set_permissions(
            actor=national_security, role=target, permissions=[*target.permissions.all(), perm("audit.view_auditentry")]
        )
    client.force_login(national_security)
    url = reverse("accounts:role_detail", args=[target.pk])
    assert 'data-testid="role-readonly"' in client.get(url).content.decode()
    assert client.post(url, {"permissions": []}).status_code == 403
    assert not target.permissions.filter(codename="view_auditentry").exists()


def test_one_role_never_holds_two_duties(client, world, national_security):
    client.force_login(national_security)
    target = role("audit_admin")
    response = client.post(
        reverse("accounts:role_detail", args=[target.pk]),
        {"permissions": [perm("audit.view_auditentry").pk, perm("accounts.manage_users").pk]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "三员分立" in page and "审计 / 系统管理" in page
    assert list(target.permissions.values_list("codename", flat=True)) == ["view_auditentry"]


def test_a_role_change_may_not_give_a_holder_a_second_duty(world, national_security):
    # The city's security admin also holds 民政部门管理员; giving that role the audit log would make them an auditor.
    RoleAssignment.objects.create(user=world.security_admin, role=role("civil_affairs_admin"), region_id=DISTRICT_A)
    target = role("civil_affairs_admin")
    with pytest.raises(ValidationError, match="security_admin"):
        services.role_set_permissions(
            actor=national_security, role=target, permissions=[*target.permissions.all(), perm("audit.view_auditentry")]
        )


def test_only_project_permissions_can_be_assigned(world, national_security):
    with pytest.raises(ValidationError, match="不能分配"):
        services.role_set_permissions(
            actor=national_security, role=role("volunteer"), permissions=[perm("sessions.view_session")]
        )


def test_the_builtin_admin_roles_each_hold_one_duty_only():
    for code, expected in [("system_admin", "system"), ("security_admin", "security"), ("audit_admin", "audit")]:
        names = {
            f"{p.content_type.app_label}.{p.codename}" for p in role(code).permissions.select_related("content_type")
        }
        assert duties.duties_of(names) == {expected}, code


# --- Grants ---------------------------------------------------------------------------------------------------------


def grant_url(user: User) -> str:
    return reverse("accounts:user_assignments", args=[user.pk])


def test_grant_inside_the_scope_and_revoke_it(client, world):
    newcomer = User.objects.create(username="newcomer", home_region_id=DISTRICT_A)
    client.force_login(world.security_admin)
    response = client.post(
        grant_url(newcomer), {"role": role("social_worker").pk, "where": "region", "region": "440104003"}
    )
    assert response.status_code == 302
    assignment = newcomer.assignments.get()
    assert assignment.region_id == "440104003000" and assignment.role.code == "social_worker"
    assert AuditEntry.objects.filter(object_type="accounts.roleassignment", action="create").exists()
    assert "北京街道" in client.get(grant_url(newcomer)).content.decode()

    response = client.post(reverse("accounts:assignment_delete", args=[assignment.pk]))
    assert response.status_code == 302 and not newcomer.assignments.exists()
    assert AuditEntry.objects.filter(object_type="accounts.roleassignment", action="delete").exists()


def test_grant_to_an_agency_in_scope(client, world):
    client.force_login(world.security_admin)
    response = client.post(
        grant_url(world.worker_b), {"role": role("agency_admin").pk, "where": "agency", "agency": world.agency_b.pk}
    )
    assert response.status_code == 302
    assert world.worker_b.assignments.filter(agency=world.agency_b).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"where": "region", "region": "440300"}, "不在您的管辖范围内"),
        ({"where": "region", "region": ""}, "请填写区划代码"),
        ({"where": "nationwide"}, "nationwide"),  # not offered to a regional admin at all
        ({"where": "agency"}, "请选择机构"),
    ],
)
def test_grant_outside_the_scope_is_refused(client, world, data, message):
    client.force_login(world.security_admin)
    response = client.post(grant_url(world.worker_b), {"role": role("volunteer").pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert world.worker_b.assignments.count() == 1


def test_nationwide_grants_need_a_nationwide_admin(world, national_security):
    with pytest.raises(ValidationError, match="全国范围"):
        services.assignment_create(actor=world.security_admin, user=world.worker_b, role=role("volunteer"))
    services.assignment_create(actor=national_security, user=world.worker_b, role=role("volunteer"))
    assert world.worker_b.assignments.filter(role__code="volunteer", region=None, agency=None).exists()


def test_users_outside_the_scope_cannot_be_granted(client, world):
    client.force_login(world.security_admin)
    assert (
        client.post(
            grant_url(world.outsider), {"role": role("volunteer").pk, "where": "region", "region": "4401"}
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.assignment_create(
            actor=world.security_admin,
            user=world.outsider,
            role=role("volunteer"),
            region=Region.objects.get(pk=DISTRICT_A),
        )


def test_nobody_grants_themselves_anything(client, world):
    # The security admin granting themselves the audit admin role: refused, whatever the role.
    client.force_login(world.security_admin)
    page = client.get(grant_url(world.security_admin)).content.decode()
    assert "不能给自己授权" in page and 'data-testid="grant-form"' not in page
    response = client.post(
        grant_url(world.security_admin), {"role": role("audit_admin").pk, "where": "region", "region": "4401"}
    )
    assert "不能给自己授权" in response.content.decode()
    assert not world.security_admin.assignments.filter(role__code="audit_admin").exists()


def test_nobody_revokes_their_own_grant(client, world):
    client.force_login(world.security_admin)
    own = world.security_admin.assignments.get()
    response = client.post(reverse("accounts:assignment_delete", args=[own.pk]), follow=True)
    assert "不能撤销自己的授权" in response.content.decode()
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_one_user_never_holds_two_duties(client, world):
    colleague = holder("colleague_security", "security_admin", DISTRICT_A)
    client.force_login(world.security_admin)
    response = client.post(
        grant_url(colleague), {"role": role("audit_admin").pk, "where": "region", "region": "440104"}
    )
    assert response.status_code == 200
    assert "三员分立" in response.content.decode()
    assert not colleague.assignments.filter(role__code="audit_admin").exists()
    # The installation command obeys the rule too.
    with pytest.raises(ValidationError, match="三员分立"):
        services.assignment_create(actor=None, user=world.system_admin, role=role("security_admin"))


def test_a_role_with_no_duty_can_be_added_to_an_admin(world):
    services.assignment_create(
        actor=None, user=world.system_admin, role=role("volunteer"), region=Region.objects.get(pk=DISTRICT_A)
    )


def test_duplicate_and_inactive_grants_are_refused(world):
    district_a = Region.objects.get(pk=DISTRICT_A)
    with pytest.raises(ValidationError, match="已有这项授权"):
        services.assignment_create(
            actor=world.security_admin, user=world.district_a_admin, role=role("civil_affairs_admin"), region=district_a
        )
    User.objects.filter(pk=world.worker_b.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="已停用"):
        services.assignment_create(
            actor=world.security_admin, user=world.worker_b, role=role("volunteer"), region=district_a
        )


def test_the_security_admin_cannot_manage_accounts_nor_read_the_audit_log(client, world):
    admin = world.security_admin
    assert not admin.has_perm("accounts.manage_users") and not admin.has_perm("audit.view_auditentry")
    client.force_login(admin)
    assert client.get(reverse("accounts:user_create")).status_code == 403
    assert client.get(reverse("accounts:user_reset_password", args=[world.worker_b.pk])).status_code == 403


def test_the_audit_admin_only_reads_the_log(world):
    auditor = world.audit_admin
    assert auditor.has_perm("audit.view_auditentry")
    assert not auditor.has_perm("accounts.manage_users") and not auditor.has_perm("accounts.manage_roles")


def test_region_assignment_outside_the_city_is_out_of_scope_for_revocation(client, world):
    client.force_login(world.security_admin)
    foreign = world.outsider.assignments.get()
    assert foreign.region_id == OTHER_CITY
    assert client.post(reverse("accounts:assignment_delete", args=[foreign.pk])).status_code == 404
    assert RoleAssignment.objects.filter(pk=foreign.pk).exists()


def test_the_service_refuses_a_region_outside_the_admins_scope(world):
    # The form's picker already limits the choice; the service holds the rule for every other caller.
    with pytest.raises(ValidationError, match="授权范围超出了您的管辖范围"):
        services.assignment_create(
            actor=world.security_admin,
            user=world.worker_b,
            role=role("volunteer"),
            region=Region.objects.get(pk=OTHER_CITY),
        )
    outside_agency = world.agency_b
    outside_agency.region_id = OTHER_CITY
    outside_agency.save(update_fields=["region"])
    with pytest.raises(ValidationError, match="授权范围超出了您的管辖范围"):
        services.assignment_create(
            actor=world.security_admin, user=world.worker_b, role=role("volunteer"), agency=outside_agency
        )
