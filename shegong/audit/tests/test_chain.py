"""The audit log is append-only in the database and `shegong audit verify` finds any edited or deleted entry."""

import itertools
import threading
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction

from shegong.accounts.models import User
from shegong.audit import triggers
from shegong.audit.models import AuditChainHead, AuditEntry
from shegong.audit.services import GENESIS_HASH, diff, entry_digest, record, snapshot
from shegong.audit.verification import verify

pytestmark = pytest.mark.django_db


def append(count: int, **kwargs) -> list[AuditEntry]:
    with transaction.atomic():
        return [
            record(actor=None, action=AuditEntry.Action.CREATE, object_repr=f"对象 {i}", **kwargs) for i in range(count)
        ]


@contextmanager
def triggers_lifted():
    """What a DBA with direct access can do: lift the triggers, change rows, put them back (inside the test's
    transaction, so the test database is unharmed afterwards)."""
    triggers.uninstall(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def run_verify(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except IntegrityError as exc:
        assert "append-only" in str(exc) or "moves forward" in str(exc)
        return True
    return False


# --- append-only in the database -------------------------------------------------------------------------------------


def test_update_and_delete_through_the_orm_are_refused():
    entry = append(3)[1]

    def save_edited():
        entry.note = "改过"
        entry.save()

    assert refused(save_edited)
    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(note="改过"))
    assert refused(lambda: AuditEntry.objects.get(pk=entry.pk).delete())
    assert refused(lambda: AuditEntry.objects.all().delete())
    assert AuditEntry.objects.get(pk=entry.pk).note == ""
    assert AuditEntry.objects.count() == 3


def test_update_and_delete_in_raw_sql_are_refused():
    entry = append(2)[0]
    assert refused(lambda: sql("UPDATE audit_auditentry SET note = %s WHERE sequence = %s", ["x", entry.sequence]))
    assert refused(lambda: sql("UPDATE audit_auditentry SET entry_hash = previous_hash"))
    assert refused(lambda: sql("DELETE FROM audit_auditentry WHERE sequence = %s", [entry.sequence]))
    assert refused(lambda: sql("DELETE FROM audit_auditentry"))
    assert AuditEntry.objects.count() == 2


def test_the_chain_head_only_moves_forward():
    append(3)
    assert refused(lambda: AuditChainHead.objects.update(last_sequence=1))
    assert refused(lambda: AuditChainHead.objects.all().delete())
    assert refused(lambda: sql("DELETE FROM audit_auditchainhead"))
    append(1)  # appending still moves it forward
    assert AuditChainHead.objects.get().last_sequence == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers exist on PostgreSQL only")
def test_truncate_is_refused_on_postgresql():
    append(1)
    assert refused(lambda: sql("TRUNCATE audit_auditentry"))


# --- the chain ------------------------------------------------------------------------------------------------------


def test_each_entry_links_to_the_previous_one():
    head = AuditChainHead.objects.filter(id=1).first()
    entries = append(3)
    assert entries[0].previous_hash == (head.last_hash if head else GENESIS_HASH)
    for previous, entry in itertools.pairwise(entries):
        assert entry.sequence == previous.sequence + 1
        assert entry.previous_hash == previous.entry_hash
        assert entry.entry_hash == entry_digest(AuditEntry.objects.get(pk=entry.pk))


def test_an_untouched_chain_passes():
    append(7, changes={"name": ["旧", "新"], "amount": [1, 2.5], "tags": [["a"], ["a", "b"]]})
    output, error = run_verify()
    assert error is None
    assert output.startswith("OK")
    assert f"共 {AuditEntry.objects.count()} 条" in output


def test_chunked_walk_gives_the_same_answer_as_one_chunk():
    append(11)
    assert verify(chunk_size=3).ok
    assert verify(chunk_size=3).checked == verify(chunk_size=1000).checked == AuditEntry.objects.count()


def test_an_edited_row_is_detected():
    target = append(5)[2]
    with triggers_lifted():
        sql("UPDATE audit_auditentry SET object_repr = %s WHERE sequence = %s", ["篡改后的对象", target.sequence])
    output, error = run_verify()
    assert error is not None and error.returncode == 1
    assert f"#{target.sequence}: 内容与其哈希不符" in output


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link():
    entries = append(5)
    target, following = entries[2], entries[3]
    with triggers_lifted():
        forged = AuditEntry.objects.get(pk=target.pk)
        forged.note = "伪造"
        forged.entry_hash = entry_digest(forged)
        sql(
            "UPDATE audit_auditentry SET note = %s, entry_hash = %s WHERE sequence = %s",
            [forged.note, forged.entry_hash, target.sequence],
        )
    output, error = run_verify()
    assert error is not None
    assert f"#{following.sequence}: 前一条哈希与上一条目不符" in output


def test_edited_changes_are_detected():
    target = append(3, changes={"phone": ["138****8000", "139****9000"]})[1]
    with triggers_lifted():
        AuditEntry.objects.filter(pk=target.pk).update(changes={"phone": ["138****8000", "137****7000"]})
    output, error = run_verify()
    assert error is not None
    assert f"#{target.sequence}: 内容与其哈希不符" in output


def test_a_deleted_row_is_detected():
    target = append(5)[2]
    with triggers_lifted():
        sql("DELETE FROM audit_auditentry WHERE sequence = %s", [target.sequence])
    output, error = run_verify()
    assert error is not None
    assert f"#{target.sequence + 1}: 缺少条目 #{target.sequence}" in output


def test_deleting_the_newest_rows_is_detected_through_the_head():
    entries = append(4)
    with triggers_lifted():
        sql("DELETE FROM audit_auditentry WHERE sequence >= %s", [entries[2].sequence])
    output, error = run_verify()
    assert error is not None
    assert f"链头记录的最新序号是 #{entries[-1].sequence}" in output


def test_a_rewound_head_with_deleted_rows_still_fails_an_anchor_kept_outside():
    entries = append(4)
    anchor = f"{entries[-1].sequence}:{entries[-1].entry_hash}"
    with triggers_lifted():
        sql("DELETE FROM audit_auditentry WHERE sequence = %s", [entries[-1].sequence])
        AuditChainHead.objects.update(last_sequence=entries[-2].sequence, last_hash=entries[-2].entry_hash)
    assert run_verify()[1] is None  # a thorough forger gets past the chain alone...
    output, error = run_verify("--anchor", anchor)
    assert error is not None  # ...but not past the newest hash noted outside the database
    assert "锚点" in output


# --- record() -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_raises():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(actor=None, action=AuditEntry.Action.CREATE, object_repr="x")
    assert not AuditEntry.objects.exists()


def test_a_rolled_back_write_leaves_no_entry():
    before = AuditEntry.objects.count()
    head_before = AuditChainHead.objects.filter(id=1).values_list("last_sequence", flat=True).first()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        user = User.objects.create(username="rolled-back")
        record(actor=None, action=AuditEntry.Action.CREATE, obj=user)
        raise Boom
    assert AuditEntry.objects.count() == before
    assert AuditChainHead.objects.filter(id=1).values_list("last_sequence", flat=True).first() == head_before
    assert verify().ok


def test_changes_hold_masked_personal_identifiers_never_the_plaintext():
    user = User.objects.create(username="masked", phone="13800138000")
    before = snapshot(user)
    user.phone = "13912345678"
    user.save()
    with transaction.atomic():
        entry = record(actor=None, action=AuditEntry.Action.UPDATE, obj=user, changes=diff(before, snapshot(user)))
    assert entry.changes["phone"] == ["138****8000", "139****5678"]
    assert "phone_index" not in entry.changes and "password" not in snapshot(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM audit_auditentry WHERE sequence = %s", [entry.sequence])
        raw = str(cursor.fetchone()[0])
    assert "13800138000" not in raw and "13912345678" not in raw
    assert "138****8000" in raw


def test_ip_and_user_agent_come_from_the_request(client, world):
    client.post(
        "/accounts/login/",
        {"username": "city_admin", "password": "Test@Pass2026"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 测试浏览器",
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).first()
    assert entry.actor_username == "city_admin"
    assert entry.ip == "203.0.113.7"
    assert entry.user_agent == "Mozilla/5.0 测试浏览器"
    assert entry.object_type == "accounts.user" and entry.object_id == str(world.city_admin.pk)


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/accounts/login/",
        {"username": "city_admin", "password": "Test@Pass2026"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
    )
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).first().ip == "203.0.113.9"


def test_an_entry_without_a_request_has_no_client():
    entry = append(1)[0]
    assert entry.ip == "" and entry.user_agent == ""


# --- concurrency ----------------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is in memory with a shared cache, where a second writer fails at once with "
    "'database table is locked' instead of waiting; on a file database BEGIN IMMEDIATE serialises writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_at_once_keep_one_unbroken_chain():
    per_thread = 25
    start = threading.Barrier(2)
    errors = []

    def worker(name):
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    record(actor=None, action=AuditEntry.Action.CREATE, object_repr=f"{name}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    before = AuditEntry.objects.count()
    threads = [threading.Thread(target=worker, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert AuditEntry.objects.count() == before + 2 * per_thread
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    result = verify()
    assert result.ok, [str(problem) for problem in result.problems]
    names = {text[0] for text in AuditEntry.objects.values_list("object_repr", flat=True)}
    assert {"甲", "乙"} <= names


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_puts_the_triggers_back():
    # Tests that commit are cleaned with `flush` (on SQLite a DELETE per table, which the triggers would refuse).
    append(3)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists() and not AuditChainHead.objects.exists()
    entry = append(1)[0]
    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(note="x"))
