"""Django's `flush`, which must empty the audit tables and the time-bank ledger too although their triggers refuse
deletes.

Flushing is the explicit "erase every row of every table" operation (tests that commit use it between tests), so the
append-only triggers (shegong/audit/triggers.py, shegong/timebank/triggers.py) are lifted for exactly that statement
and put back afterwards, whatever happens.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from shegong.audit import triggers as audit_triggers
from shegong.timebank import triggers as timebank_triggers

GUARDS = (audit_triggers, timebank_triggers)


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        guarded = [guard for guard in GUARDS if guard.tables_exist(connection)]
        for guard in guarded:
            guard.uninstall(connection)
        try:
            return super().handle(**options)
        finally:
            for guard in guarded:
                guard.install(connection)
