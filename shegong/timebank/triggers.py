"""Database triggers that make the time-bank ledger append-only: transfers and movements are never updated or
deleted, whoever asks. A mistake is undone by a reversal transfer. Both vendors raise an IntegrityError.

Django's `flush` (between tests that commit) empties SQLite tables with DELETE, so shegong/audit's `flush` command
lifts these triggers around it and puts them back (`tables_exist`, `uninstall`, `install`); on PostgreSQL `flush` uses
TRUNCATE, which row triggers do not see. `install` is idempotent (it drops before it creates), and runs again after
every `migrate` because SQLite drops a table's triggers when a migration rebuilds the table.
"""

MESSAGE = "time-bank ledger is append-only"
TABLES = ("timebank_transfer", "timebank_movement")

SQLITE_CREATE = [
    f"CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for table in TABLES
    for op in ("update", "delete")
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for table in TABLES for op in ("update", "delete")]

# SQLSTATE 23001 (restrict_violation) maps to IntegrityError in psycopg, like SQLite's RAISE(ABORT).
POSTGRESQL_CREATE = [
    f"""CREATE OR REPLACE FUNCTION timebank_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END $$""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION timebank_refuse_change()"""
        for table in TABLES
    ],
]
POSTGRESQL_DROP = [
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES],
    "DROP FUNCTION IF EXISTS timebank_refuse_change()",
]

STATEMENTS = {"sqlite": (SQLITE_CREATE, SQLITE_DROP), "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP)}


def _statements(connection, which: int) -> list[str]:
    statements = STATEMENTS.get(connection.vendor)
    if statements is None:
        raise NotImplementedError("the time-bank ledger triggers are written for SQLite and PostgreSQL only")
    return statements[which]


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, 1) + _statements(connection, 0):
            cursor.execute(sql)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, 1):
            cursor.execute(sql)


def tables_exist(connection) -> bool:
    return set(TABLES) <= set(connection.introspection.table_names())


def ensure_installed(sender=None, using="default", **kwargs) -> None:
    """After every `migrate`: SQLite rebuilds a table to alter it, which drops its triggers; put them back."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor in STATEMENTS and tables_exist(connection):
        install(connection)
