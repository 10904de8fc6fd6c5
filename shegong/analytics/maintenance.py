"""Keeping the aggregates current, rebuilding them from the raw records, and checking them.

Live maintenance: for every model named by a RowSource, the row's contribution is read just before a write (under the
row lock, so a concurrent edit cannot be counted twice) and again just after it (from the instance itself when the
source reads only the row's own fields). The difference goes to the outbox (PendingContribution) in the same
transaction as the write: the record and its change commit or fail together. `drain()` moves the outbox into the
aggregate rows (every region level, time grain and dimension total, one multi-row upsert per batch); it runs right
after the commit (ANALYTICS_DRAIN=commit), in a worker (=worker, batched), and before every read of figures, so a
figure is current the moment its record is committed. A delete takes the row's contribution back.
EntitySources (judgements computed in Python) are recomputed for the entities a write touches, and the
difference with what they last contributed (EntityContribution) is applied the same way.

This listens to model signals rather than being called by each service: the aggregates are an index of the records,
and an index that depends on every service remembering to update it drifts (DESIGN.md §6 keeps business rules out
of signals; this is not a business rule). Bulk writes that skip signals (queryset.update, bulk_create) must be
followed by `rebuild()` or avoided on counted models; `verify()` finds any drift.
"""

import datetime
import threading
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from shegong.analytics import catalogue
from shegong.analytics.models import Aggregate, AggregateCheck, EntityContribution, PendingContribution
from shegong.analytics.periods import month_start, year_start

LEVEL_LENGTHS = ((1, 2), (2, 4), (3, 6), (4, 9), (5, 12))
UNKNOWN = "_"  # the dimension value of a contribution that has none (未填)
UPSERT_BATCH = 400

_local = threading.local()


@contextmanager
def paused():
    """Skip live maintenance inside the block (bulk loaders: demo, benchmarks); call rebuild() afterwards."""
    before = getattr(_local, "paused", False)
    _local.paused = True
    try:
        yield
    finally:
        _local.paused = before


def is_paused() -> bool:
    return getattr(_local, "paused", False)


# --- contributions ----------------------------------------------------------------------------------------------------


def _dims(fact_code: str, dim, dim2) -> tuple[str, str]:
    count = len(catalogue.fact(fact_code).dims)
    first = "" if dim is None else str(dim)
    second = "" if dim2 is None else str(dim2)
    if count == 0:
        return "", ""
    if count == 1:
        return first or UNKNOWN, ""
    return first or UNKNOWN, second or UNKNOWN


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def contribution_key(item: catalogue.Contribution) -> tuple:
    dim, dim2 = _dims(item.fact, item.dim, item.dim2)
    return (item.fact, item.region_code, _as_date(item.day), dim, dim2)


def row_contributions(source: catalogue.RowSource, where: Q, lock: bool = False) -> Counter:
    """What the rows of `source.model` matching `where` contribute now, keyed (fact, region, day, dim, dim2)."""
    queryset = source.model_class()._base_manager.filter(where).filter(source.when)
    if lock and connection.in_atomic_block:
        queryset = queryset.select_for_update(of=("self",))
    rows = queryset.annotate(**source.annotations()).values_list("_a_region", "_a_day", "_a_value", "_a_dim", "_a_dim2")
    out: Counter = Counter()
    for region, day, value, dim, dim2 in rows:
        if not region or day is None or not value:
            continue
        out[(source.fact, region, _as_date(day), *_dims(source.fact, dim, dim2))] += round(value)
    return out


_SIMPLE_LOOKUPS = {"exact", "in", "isnull"}
_plain: dict[str, bool] = {}


def _local_field(model, path):
    if not isinstance(path, str) or not path:
        return None
    for item in model._meta.concrete_fields:
        if path in (item.name, item.attname):
            return item
    return None


def _reads_own_row(source: catalogue.RowSource) -> bool:
    """Whether the source's contribution can be read off an instance in memory (own fields, simple conditions)."""
    if source.key not in _plain:
        model = source.model_class()
        paths = (source.region, source.day, source.value, source.dim, source.dim2)
        fields_ok = all(
            _local_field(model, path) is not None or (not isinstance(path, str) and isinstance(path, int)) or path == ""
            for path in paths
        )
        when_ok = not source.when.negated and source.when.connector == "AND"
        for child in source.when.children:
            if not isinstance(child, tuple):
                when_ok = False
                break
            name, _, lookup = child[0].partition("__")
            when_ok = when_ok and _local_field(model, name) is not None and (lookup or "exact") in _SIMPLE_LOOKUPS
        _plain[source.key] = fields_ok and when_ok
    return _plain[source.key]


def _attribute(instance, path):
    field = _local_field(type(instance), path)
    return path if field is None else getattr(instance, field.attname)


def _matches(instance, condition: Q) -> bool:
    for name_lookup, wanted in condition.children:
        name, _, lookup = name_lookup.partition("__")
        value = _attribute(instance, name)
        if (lookup or "exact") == "exact" and value != wanted:
            return False
        if lookup == "in" and value not in wanted:
            return False
        if lookup == "isnull" and (value is None) != bool(wanted):
            return False
    return True


def instance_contributions(source: catalogue.RowSource, instance) -> Counter | None:
    """The contribution of an instance just saved, read from memory (no query), or None when the source needs the
    database (related fields, expressions) or the instance holds unsaved expressions."""
    if not _reads_own_row(source):
        return None
    values = [_attribute(instance, path) for path in (source.region, source.day, source.value, source.dim, source.dim2)]
    if any(hasattr(value, "resolve_expression") for value in values):
        return None
    out: Counter = Counter()
    region, day, value, dim, dim2 = values
    if _matches(instance, source.when) and region and day is not None and value:
        out[(source.fact, str(region), _as_date(day), *_dims(source.fact, dim, dim2))] += round(value)
    return out


def _sources_of(model_label: str) -> list[catalogue.RowSource]:
    return [source for source in catalogue.CATALOGUE.row_sources if source.model == model_label]


# --- writing aggregate rows -------------------------------------------------------------------------------------------


def expand(deltas: Counter, base_only: bool = False) -> Counter:
    """Aggregate-row deltas for contribution deltas: every region level, every time grain, the dimension totals."""
    rows: Counter = Counter()
    for (fact, region, day, dim, dim2), value in deltas.items():
        if not value:
            continue
        if base_only:
            rows[(fact, 5, "D", dim, dim2, region, day, region[:2])] += value
            continue
        dim_sets = [(dim, dim2)]
        if dim2:
            dim_sets.extend([(dim, ""), ("", dim2)])
        if dim:
            dim_sets.append(("", ""))
        periods = (("D", day), ("M", month_start(day)), ("Y", year_start(day)))
        for level, length in LEVEL_LENGTHS:
            prefix = region[:length]
            for grain, period in periods:
                for first, second in dim_sets:
                    rows[(fact, level, grain, first, second, prefix, period, region[:2])] += value
    return rows


def _columns() -> str:
    return ", ".join(Aggregate.KEY) + ", value"


def upsert(rows: Counter, table: str = Aggregate._meta.db_table) -> None:
    """Add the values to the aggregate rows, creating missing ones. Keys are written in sorted order so that two
    transactions touching the same rows take their locks in the same order (no deadlock)."""
    items = sorted((key, value) for key, value in rows.items() if value)
    conflict = ", ".join(Aggregate.KEY)
    with connection.cursor() as cursor:
        for start in range(0, len(items), UPSERT_BATCH):
            batch = items[start : start + UPSERT_BATCH]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params = [part for key, value in batch for part in (*key, value)]
            cursor.execute(
                f"INSERT INTO {table} ({_columns()}) VALUES {placeholders} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET value = {table}.value + excluded.value",
                params,
            )


def apply(deltas: Counter) -> None:
    """Queue contribution changes in the caller's transaction; they reach the aggregates at the next drain."""
    rows = [
        PendingContribution(fact=fact, region_code=region, day=day, dim=dim, dim2=dim2, value=value)
        for (fact, region, day, dim, dim2), value in deltas.items()
        if value
    ]
    if not rows:
        return
    PendingContribution.objects.bulk_create(rows)
    # Once per transaction (Django's own list of callbacks: a rolled-back transaction takes its entry with it).
    if settings.ANALYTICS_DRAIN == "commit" and not any(
        entry[1] is _drain_after_commit for entry in connection.run_on_commit
    ):
        transaction.on_commit(_drain_after_commit, robust=True)


def _drain_after_commit() -> None:
    drain()


DRAIN_BATCH = 5000


def drain(batch: int = DRAIN_BATCH) -> int:
    """Apply the outbox to the aggregates; returns how many queued changes were applied. Safe to run from several
    processes at once: each batch is taken with DELETE … RETURNING (rows locked by another drainer are skipped on
    PostgreSQL), so a change is applied exactly once, in the transaction that removes it from the queue."""
    table = PendingContribution._meta.db_table
    skip = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    applied = 0
    # A drain in a transaction of its own may commit asynchronously: if the commit is lost in a crash, the queue rows
    # it removed come back with it and are drained again. Never inside a caller's transaction (a real write).
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            if relaxed:
                cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT %s{skip}) "
                f"RETURNING fact, region_code, day, dim, dim2, value",
                [batch],
            )
            taken = cursor.fetchall()
            deltas: Counter = Counter()
            for fact, region, day, dim, dim2, value in taken:
                deltas[(fact, region, _as_date(day), dim, dim2)] += value
            upsert(expand(deltas))
        applied += len(taken)
        if len(taken) < batch:
            return applied


def _difference(new: Counter, old: Counter) -> Counter:
    out = Counter(new)
    out.subtract(old)
    return Counter({key: value for key, value in out.items() if value})


# --- entity judgements ------------------------------------------------------------------------------------------------


def _computed(source: catalogue.EntitySource, ids: list) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for entity_id, items in source.compute(ids).items():
        counter = out.setdefault(str(entity_id), Counter())
        for item in items:
            counter[contribution_key(item)] += int(item.value)
    return out


def refresh(source: catalogue.EntitySource, ids) -> None:
    """Recompute the judgements of these entities and apply the change (in the caller's transaction)."""
    ids = sorted({entity_id for entity_id in ids if entity_id is not None}, key=str)
    if not ids or is_paused():
        return
    with transaction.atomic():
        # Lock the entities so that two writers cannot both take back the same old judgement.
        list(source.model_class()._base_manager.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        keys = [str(entity_id) for entity_id in ids]
        stored = EntityContribution.objects.filter(source=source.name, entity_id__in=keys)
        old: Counter = Counter()
        for row in stored:
            old[(row.fact, row.region_code, row.day, row.dim, row.dim2)] += row.value
        new_by_entity = _computed(source, ids)
        new: Counter = Counter()
        for counter in new_by_entity.values():
            new.update(counter)
        apply(_difference(new, old))
        stored.delete()
        EntityContribution.objects.bulk_create(_stored_rows(source, new_by_entity))


def _stored_rows(source: catalogue.EntitySource, by_entity: dict[str, Counter]) -> list[EntityContribution]:
    return [
        EntityContribution(
            source=source.name,
            entity_id=entity_id,
            fact=fact,
            region_code=region,
            day=day,
            dim=dim,
            dim2=dim2,
            value=value,
        )
        for entity_id, counter in by_entity.items()
        for (fact, region, day, dim, dim2), value in counter.items()
        if value
    ]


def refresh_all_entities() -> int:
    """Recompute every judgement (daily: judgements such as "meets the staffing standard today" change with the date
    even when nothing is written). Returns how many entities were judged."""
    total = 0
    for source in catalogue.CATALOGUE.entity_sources:
        ids = list(source.model_class()._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), source.batch_size):
            refresh(source, ids[start : start + source.batch_size])
        total += len(ids)
    return total


# --- writes that send no signals ------------------------------------------------------------------------------------


def created_in_bulk(model, where: Q) -> None:
    """Count rows that a bulk insert wrote (bulk_create and raw inserts send no signals): the rows of `model` matching
    `where` contribute for the first time, and the judgements of the entities they affect are recomputed. Call it in
    the transaction of the insert."""
    if is_paused():
        return
    label = model._meta.label
    delta: Counter = Counter()
    for source in _sources_of(label):
        delta.update(row_contributions(source, where))
    apply(delta)
    for source in catalogue.CATALOGUE.entity_sources:
        for watched, affected in [(source.model, lambda instance: [instance.pk]), *source.watch]:
            if watched != label:
                continue
            ids: set = set()
            for instance in model._base_manager.filter(where).iterator(chunk_size=2000):
                ids.update(affected(instance))
            ordered = sorted(ids, key=str)
            for start in range(0, len(ordered), source.batch_size):
                refresh(source, ordered[start : start + source.batch_size])


def touched(instance) -> None:
    """Recompute the judgements that depend on `instance` after writes its own save did not cover (children written
    in bulk after the parent was saved)."""
    if is_paused():
        return
    label = instance._meta.label
    for source in catalogue.CATALOGUE.entity_sources:
        for watched, affected in [(source.model, lambda item: [item.pk]), *source.watch]:
            if watched == label:
                refresh(source, list(affected(instance)))


# --- signals ----------------------------------------------------------------------------------------------------------


def _before(instance) -> dict:
    store = getattr(instance, "_analytics_before", None)
    if store is None:
        store = {}
        instance._analytics_before = store
    return store


def _row_pre_save(sender, instance, raw=False, **kwargs):
    if raw or is_paused() or instance.pk is None or instance._state.adding:
        return
    store = _before(instance)
    for source in _sources_of(sender._meta.label):
        store[source.key] = row_contributions(source, Q(pk=instance.pk), lock=True)


def _row_post_save(sender, instance, raw=False, **kwargs):
    if raw or is_paused():
        return
    store = getattr(instance, "_analytics_before", {})
    delta: Counter = Counter()
    for source in _sources_of(sender._meta.label):
        now = instance_contributions(source, instance)
        if now is None:
            now = row_contributions(source, Q(pk=instance.pk))
        delta.update(_difference(now, store.pop(source.key, Counter())))
    apply(delta)


def _row_pre_delete(sender, instance, **kwargs):
    if is_paused():
        return
    delta: Counter = Counter()
    for source in _sources_of(sender._meta.label):
        delta.subtract(row_contributions(source, Q(pk=instance.pk), lock=True))
    apply(Counter({key: value for key, value in delta.items() if value}))


def _watch_handlers(source: catalogue.RowSource, lookup: str):
    def pre(sender, instance, raw=False, **kwargs):
        if raw or is_paused() or instance.pk is None or instance._state.adding:
            return
        _before(instance)[f"watch:{source.key}"] = row_contributions(source, Q(**{lookup: instance.pk}), lock=True)

    def post(sender, instance, raw=False, **kwargs):
        if raw or is_paused():
            return
        old = getattr(instance, "_analytics_before", {}).pop(f"watch:{source.key}", None)
        if old is None:
            return  # a new watched row: the source rows that point at it are written (and counted) after it
        apply(_difference(row_contributions(source, Q(**{lookup: instance.pk})), old))

    return pre, post


def _entity_handler(source: catalogue.EntitySource, affected):
    def handler(sender, instance, raw=False, **kwargs):
        if raw or is_paused():
            return
        refresh(source, list(affected(instance)))

    return handler


_connected: list = []  # strong references: the handlers are closures


def connect_signals() -> None:
    if _connected:
        return
    models_with_sources = {source.model for source in catalogue.CATALOGUE.row_sources}
    for label in sorted(models_with_sources):
        model = catalogue.apps.get_model(label)
        pre_save.connect(_row_pre_save, sender=model, dispatch_uid=f"analytics-pre-save-{label}")
        post_save.connect(_row_post_save, sender=model, dispatch_uid=f"analytics-post-save-{label}")
        pre_delete.connect(_row_pre_delete, sender=model, dispatch_uid=f"analytics-pre-delete-{label}")
    for source in catalogue.CATALOGUE.row_sources:
        for label, lookup in source.watch:
            model = catalogue.apps.get_model(label)
            pre, post = _watch_handlers(source, lookup)
            _connected.extend([pre, post])
            pre_save.connect(pre, sender=model, weak=False)
            post_save.connect(post, sender=model, weak=False)
    for source in catalogue.CATALOGUE.entity_sources:
        watched = [(source.model, lambda instance: [instance.pk]), *source.watch]
        for label, affected in watched:
            model = catalogue.apps.get_model(label)
            handler = _entity_handler(source, affected)
            _connected.append(handler)
            post_save.connect(handler, sender=model, weak=False)
            post_delete.connect(handler, sender=model, weak=False)
    _connected.append(True)


# --- rebuild and verify -----------------------------------------------------------------------------------------------


def _normalised(expression, count: int):
    if count == 0:
        return Value("")
    return Coalesce(NullIf(Cast(expression, CharField()), Value("")), Value(UNKNOWN))


def _base_insert_sql(source: catalogue.RowSource, table: str) -> tuple[str, list]:
    count = len(catalogue.fact(source.fact).dims)
    annotations = source.annotations()
    value = annotations["_a_value"]
    if not isinstance(value, Value):
        value = Cast(Round(value), BigIntegerField())
    queryset = (
        source.model_class()
        ._base_manager.filter(source.when)
        .annotate(
            _a_region=annotations["_a_region"],
            _a_day=annotations["_a_day"],
            _a_value=value,
            _a_dim=_normalised(annotations["_a_dim"], count),
            _a_dim2=_normalised(annotations["_a_dim2"], 2 if count == 2 else 0),
        )
        .filter(_a_region__isnull=False, _a_day__isnull=False)
        .exclude(_a_region="")
        .order_by()
        .values("_a_region", "_a_day", "_a_dim", "_a_dim2")
        .annotate(_a_sum=Sum("_a_value"))
    )
    select, params = queryset.query.sql_with_params()
    conflict = ", ".join(Aggregate.KEY)
    sql = (
        f"INSERT INTO {table} ({_columns()}) "
        f"SELECT %s, 5, 'D', s._a_dim, s._a_dim2, s._a_region, s._a_day, SUBSTR(s._a_region, 1, 2), s._a_sum "
        f"FROM ({select}) s WHERE s._a_sum <> 0 "
        f"ON CONFLICT ({conflict}) DO UPDATE SET value = {table}.value + excluded.value"
    )
    return sql, [source.fact, *params]


def _truncate(unit: str, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('{unit}', {column}) AS date)"
    return f"date({column}, 'start of {unit}')"


def _rollups(cursor, table: str) -> None:
    columns = _columns()
    # Dimension totals at the community-day level (over the second dimension, over the first, over both) …
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT fact, 5, 'D', dim, '', prefix, period, province_code, SUM(value) "
        f"FROM {table} WHERE level = 5 AND grain = 'D' AND dim <> '' AND dim2 <> '' "
        f"GROUP BY fact, dim, prefix, period, province_code"
    )
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT fact, 5, 'D', '', dim2, prefix, period, province_code, SUM(value) "
        f"FROM {table} WHERE level = 5 AND grain = 'D' AND dim <> '' AND dim2 <> '' "
        f"GROUP BY fact, dim2, prefix, period, province_code"
    )
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT fact, 5, 'D', '', '', prefix, period, province_code, SUM(value) "
        f"FROM {table} WHERE level = 5 AND grain = 'D' AND dim <> '' AND dim2 = '' "
        f"GROUP BY fact, prefix, period, province_code"
    )
    # … then each region level from the one below it (each pass reads fewer rows than the last) …
    for level, length in reversed(LEVEL_LENGTHS[:-1]):
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT fact, {level}, 'D', dim, dim2, SUBSTR(prefix, 1, {length}), period, province_code, SUM(value) "
            f"FROM {table} WHERE level = {level + 1} AND grain = 'D' "
            f"GROUP BY fact, dim, dim2, SUBSTR(prefix, 1, {length}), period, province_code"
        )
    # … then months from days and years from months.
    for grain, unit, below in (("M", "month", "D"), ("Y", "year", "M")):
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT fact, level, '{grain}', dim, dim2, prefix, {_truncate(unit, 'period')}, province_code, SUM(value) "
            f"FROM {table} WHERE grain = '{below}' "
            f"GROUP BY fact, level, dim, dim2, prefix, {_truncate(unit, 'period')}, province_code"
        )


def _build(model) -> None:
    table = model._meta.db_table
    live = model is Aggregate
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rollups group millions of rows: let them sort and hash in memory (this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
        if live:
            pending = PendingContribution._meta.db_table
            if connection.vendor == "postgresql":
                # Writers of counted records wait at their outbox insert until the rebuild commits, so a record is
                # either seen by the rebuild or queued after it, never both; drainers wait too.
                cursor.execute(f"LOCK TABLE {pending}, {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"DELETE FROM {pending}")
        cursor.execute(f"DELETE FROM {table}")
        for source in catalogue.CATALOGUE.row_sources:
            sql, params = _base_insert_sql(source, table)
            cursor.execute(sql, params)
    if live:
        EntityContribution.objects.all().delete()
    for source in catalogue.CATALOGUE.entity_sources:
        ids = list(source.model_class()._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), source.batch_size):
            by_entity = _computed(source, ids[start : start + source.batch_size])
            base: Counter = Counter()
            for counter in by_entity.values():
                base.update(counter)
            upsert(expand(base, base_only=True), table)
            if live:
                EntityContribution.objects.bulk_create(_stored_rows(source, by_entity))
    with connection.cursor() as cursor:
        _rollups(cursor, table)


@transaction.atomic
def rebuild() -> int:
    """Recompute every aggregate from the raw records. Returns the number of aggregate rows."""
    _build(Aggregate)
    return Aggregate.objects.count()


def verify(limit: int = 50) -> tuple[int, list[dict]]:
    """Recompute every aggregate into the scratch table and compare with the live one. Returns the number of rows
    that differ and up to `limit` of them as dicts (key, stored, expected); the scratch table is emptied again."""
    drain()
    live, check = Aggregate._meta.db_table, AggregateCheck._meta.db_table
    key = ", ".join(column for column in Aggregate.KEY if column != "province_code")
    with transaction.atomic():
        _build(AggregateCheck)
        with connection.cursor() as cursor:
            # A key whose value differs counts on both sides; a row only on one side counts on that side.
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT {key}, value FROM {live} WHERE value <> 0 "
                f"EXCEPT SELECT {key}, value FROM {check} WHERE value <> 0) a"
            )
            stored_only = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT {key}, value FROM {check} WHERE value <> 0 "
                f"EXCEPT SELECT {key}, value FROM {live} WHERE value <> 0) a"
            )
            expected_only = cursor.fetchone()[0]
            rows = _differences(cursor, live, check, key, limit)
            cursor.execute(f"DELETE FROM {check}")
    return max(stored_only, expected_only), rows


def _differences(cursor, live: str, check: str, key: str, limit: int) -> list[dict]:
    names = [column.strip() for column in key.split(",")]
    cursor.execute(
        f"SELECT {key}, value FROM {live} WHERE value <> 0 EXCEPT SELECT {key}, value FROM {check} WHERE value <> 0"
    )
    stored = {row[:-1]: row[-1] for row in cursor.fetchmany(limit)}
    cursor.execute(
        f"SELECT {key}, value FROM {check} WHERE value <> 0 EXCEPT SELECT {key}, value FROM {live} WHERE value <> 0"
    )
    expected = {row[:-1]: row[-1] for row in cursor.fetchmany(limit)}
    out = []
    for row_key in sorted(set(stored) | set(expected), key=str)[:limit]:
        entry = dict(zip(names, row_key, strict=True))
        entry["stored"] = stored.get(row_key, 0)
        entry["expected"] = expected.get(row_key, 0)
        out.append(entry)
    return out
