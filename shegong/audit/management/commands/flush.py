"""Django's `flush`, which must empty the audit tables too although their triggers refuse deletes.

Flushing is the explicit "erase every row of every table" operation (tests that commit use it between tests), so the
append-only triggers are lifted for exactly that statement and put back afterwards, whatever happens.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from shegong.audit import triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        guarded = triggers.tables_exist(connection)
        if guarded:
            triggers.uninstall(connection)
        try:
            return super().handle(**options)
        finally:
            if guarded:
                triggers.install(connection)
