"""Database triggers that make the time-bank ledger append-only: transfers and movements are never updated or
deleted, whoever asks. A mistake is undone by a reversal transfer. Both vendors raise an IntegrityError."""

MESSAGE = "time-bank ledger is append-only"
TABLES = ("timebank_transfer", "timebank_movement")

# SQLite: UPDATE is refused. DELETE is not guarded there, because Django's `flush` (between tests that commit, for
# every app) empties SQLite tables with DELETE and only the audit app's own triggers are lifted for it; the services
# never delete. On PostgreSQL `flush` uses TRUNCATE, which row triggers do not see, so UPDATE and DELETE are refused.
SQLITE_CREATE = [
    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for table in TABLES
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


def _run(connection, which: int) -> None:
    statements = STATEMENTS.get(connection.vendor)
    if statements is None:
        raise NotImplementedError("the time-bank ledger triggers are written for SQLite and PostgreSQL only")
    with connection.cursor() as cursor:
        for sql in statements[which]:
            cursor.execute(sql)


def install(connection) -> None:
    _run(connection, 0)


def uninstall(connection) -> None:
    _run(connection, 1)
