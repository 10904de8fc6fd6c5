import pytest
from django.contrib.auth.models import Permission

from shegong.accounts import roles
from shegong.accounts.models import Role

pytestmark = pytest.mark.django_db


def perm(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_a_default_added_by_a_later_release_is_granted_once(monkeypatch):
    role = Role.objects.get(code="volunteer")
    assert not role.permissions.filter(codename="view_dictionary").exists()
    name, description, perms = roles.BUILTIN_ROLES["volunteer"]
    monkeypatch.setitem(roles.BUILTIN_ROLES, "volunteer", (name, description, [*perms, "refdata.view_dictionary"]))
    roles.ensure_builtin_roles()
    assert role.permissions.filter(codename="view_dictionary").exists()


def test_a_default_the_security_admin_removed_stays_removed():
    role = Role.objects.get(code="civil_affairs_admin")
    role.permissions.remove(perm("policies.change_policyprofile"))
    roles.ensure_builtin_roles()
    assert not role.permissions.filter(codename="change_policyprofile").exists()
    assert "policies.change_policyprofile" in Role.objects.get(pk=role.pk).defaults_applied
