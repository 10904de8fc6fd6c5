import io

import pytest
from django.core.management import CommandError, call_command

from shegong.accounts.models import User
from shegong.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def run(*args, stdin="Strong#Pass2026\n"):
    out = io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("accounts", *args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_creates_an_admin_with_one_assignment_that_must_change_its_password():
    output = run("create-admin", "first_sys", "--role", "system_admin", "--region", "4401", "--password-stdin")
    user = User.objects.get(username="first_sys")
    assert "first_sys" in output
    assert user.must_change_password
    assert user.check_password("Strong#Pass2026")
    assert [(a.role.code, a.region_id) for a in user.assignments.all()] == [("system_admin", "440100000000")]
    assert AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk), action="create").exists()


def test_nationwide_admin_has_no_region():
    run("create-admin", "nat_audit", "--role", "audit_admin", "--nationwide", "--password-stdin")
    assignment = User.objects.get(username="nat_audit").assignments.get()
    assert assignment.region_id is None and assignment.agency_id is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x1", "--role", "no_such_role", "--region", "44"), "unknown role"),
        (("x2", "--role", "system_admin", "--region", "99"), "not loaded"),
        (("x3", "--role", "system_admin", "--region", "4x"), "not a division code"),
    ],
)
def test_bad_arguments_are_refused_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        run("create-admin", *args, "--password-stdin")
    assert not User.objects.filter(username=args[0]).exists()


def test_a_weak_password_is_refused_and_nothing_is_created():
    with pytest.raises(CommandError):
        run("create-admin", "weak", "--role", "system_admin", "--region", "44", "--password-stdin", stdin="short\n")
    assert not User.objects.filter(username="weak").exists()
