"""Database triggers that make the audit log append-only.

等保 2.0 level 3 asks that audit records be protected from unexpected deletion, modification or overwriting
(审计记录应受到保护，避免受到未预期的删除、修改或覆盖).

The application never updates or deletes an audit entry; these triggers make the database refuse it too, whoever
asks (a bug, a careless script, the admin site). They do not stop a DBA who drops them: the hash chain is what
detects that (`shegong audit verify`).

Both vendors raise an integrity error, so callers see `django.db.IntegrityError` on SQLite and PostgreSQL alike.
The chain head may move forward only and may not be deleted, otherwise deleting the newest entries and rewinding the
head would go unnoticed.
"""

MESSAGE = "audit log is append-only"
HEAD_MESSAGE = "audit chain head only moves forward"

SQLITE_CREATE = [
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
        BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_auditchainhead
        WHEN NEW.last_sequence < OLD.last_sequence OR NEW.id <> OLD.id
        BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
]

# SQLSTATE 23001 (restrict_violation) maps to IntegrityError in psycopg, like SQLite's RAISE(ABORT).
POSTGRESQL_CREATE = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END $$""",
    f"""CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.last_sequence < OLD.last_sequence OR NEW.id <> OLD.id THEN
                RAISE EXCEPTION '{HEAD_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_auditchainhead
        FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_head_forward_only()",
]

STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
}


def _statements(connection, which: int) -> list[str]:
    try:
        return STATEMENTS[connection.vendor][which]
    except KeyError:
        raise NotImplementedError(
            f"the append-only audit triggers are written for SQLite and PostgreSQL, not {connection.vendor}"
        ) from None


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, 1):
            cursor.execute(sql)
        for sql in _statements(connection, 0):
            cursor.execute(sql)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, 1):
            cursor.execute(sql)


def tables_exist(connection) -> bool:
    existing = set(connection.introspection.table_names())
    return {"audit_auditentry", "audit_auditchainhead"} <= existing


def ensure_installed(sender=None, using="default", **kwargs) -> None:
    """After every `migrate`: SQLite rebuilds a table to alter it, which drops its triggers; put them back."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor in STATEMENTS and tables_exist(connection):
        install(connection)
