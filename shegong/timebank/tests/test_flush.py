"""The ledger refuses DELETE on both databases, and `flush` (which tests that commit run between tests) still empties
it: shegong/audit's flush command lifts the time bank's triggers around it and puts them back."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from shegong.timebank import triggers
from shegong.timebank.models import Account, Movement, Transfer
from shegong.timebank.tests.factories import funded, volunteer_account


def raw_delete(table: str):
    """A DELETE straight in SQL (the ORM would stop first at the PROTECT foreign keys)."""

    def run():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")

    return run


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except IntegrityError as error:
        return triggers.MESSAGE in str(error)
    return False


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_ledger_and_puts_the_triggers_back(world):
    account = funded(volunteer_account("甲"), 3)
    assert Movement.objects.filter(account=account).exists()
    assert refused(raw_delete("timebank_movement"))
    assert refused(raw_delete("timebank_transfer"))
    call_command("flush", interactive=False, verbosity=0)
    assert not Transfer.objects.exists() and not Movement.objects.exists() and not Account.objects.exists()
    with connection.cursor() as cursor:  # the guard is back: a row written after the flush is refused a DELETE again
        cursor.execute(
            "INSERT INTO timebank_transfer (kind, memo, occurred_on, created_at) VALUES ('grant', '', '2026-01-01', "
            + ("now()" if connection.vendor == "postgresql" else "'2026-01-01 00:00:00'")
            + ")"
        )
    assert refused(raw_delete("timebank_transfer"))
    assert refused(lambda: Transfer.objects.update(memo="改过"))
    assert Transfer.objects.count() == 1


@pytest.mark.django_db
def test_install_is_idempotent_and_refuses_delete(world):
    triggers.install(connection)
    triggers.install(connection)
    account = funded(volunteer_account("乙"), Decimal(2))
    movement = Movement.objects.filter(account=account).first()
    assert refused(lambda: Movement.objects.filter(pk=movement.pk).delete())
    assert Movement.objects.filter(pk=movement.pk).exists()
