"""Benchmark of the workers import: `./dev bench workers-import rows=100000`.

It writes a workbook of synthetic but valid workers (checksum-valid 身份证号 built from 17 digits and stdnum's check
character, real districts and streets of 广州市, a few agencies, certificates with grades for some), then runs the
import's real code path in this process: read the workbook, prepare, check every row (tabular.services.check_rows),
and write the good rows in one transaction with the import's audit entry, as the background task does. It prints
rows per second for each step. For comparison it also registers `naive` workers one by one through
services.worker_create (the per-row path a form uses), the naive way of importing.

Everything is written inside a transaction that is rolled back at the end, so the benchmark leaves no synthetic people
behind (the tables are vacuumed first, so that the dead rows of earlier runs do not count against this one); the rows
are really inserted with every index and constraint, and the foreign keys PostgreSQL would check at
commit are checked inside the measured write (SET CONSTRAINTS ALL IMMEDIATE). Only the commit's own flush is not
measured. The divisions of 广州市 are loaded (and kept) on first use.
Options: rows (100000), naive (300), seed (1).
"""

import datetime
import io
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction
from openpyxl import Workbook

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.tabular import services as tabular
from shegong.tabular import spec as specs
from shegong.tabular import workbooks
from shegong.workers.identity import id_number_from_body

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉宁欣佳怡晨雨婷宇轩浩然梓涵"
DISTRICTS = ["440103", "440104", "440105", "440106", "440111", "440112"]  # address codes in use since the 1980s
WORK_REGIONS = ["440103000000", "440104003000", "440104000000", "440105000000", "440106000000", "440111000000"]
GRADES = {
    "助理社会工作师": ["助理社会工作师一级", "助理社会工作师二级", ""],
    "社会工作师": ["社会工作师一级", "社会工作师二级", "社会工作师三级", ""],
    "高级社会工作师": ["高级社会工作师三级", ""],
}
BENCH_USER = "bench_importer"


class Rollback(Exception):
    pass


def _divisions(stdout):
    """广州's divisions, loaded once and kept (reference data every installation has, not synthetic)."""
    from shegong.regions.loading import load_shipped
    from shegong.regions.models import Region

    if not Region.objects.filter(pk="440104003000").exists():
        stdout.write("loading the divisions of 广州市 (kept: they are the real reference data) …")
        load_shipped(city="4401")


def _vacuum(stdout) -> None:
    """Start from tidy tables: each run is rolled back, which leaves its rows behind as dead tuples until autovacuum
    comes; a real installation's tables do not look like that (not measured)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "workers_socialworker",
            "workers_certificate",
            "workers_workerservicedomain",
            "workers_creditevent",
        ):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def _setup(stdout):
    """What the rows refer to: a nationwide importer and a few agencies (rolled back with the rest)."""
    from django.contrib.auth.models import Permission
    from stdnum.cn import uscc

    from shegong.accounts.models import Role, RoleAssignment, User
    from shegong.agencies.models import Agency

    # A role of its own (rolled back with the rest), so that the benchmark does not depend on how an installation
    # has edited its built-in roles.
    role = Role.objects.create(code="bench_workers_import", name="导入基准测试")
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="workers", codename__in=["view_socialworker", "add_socialworker"]
        )
    )
    user = User.objects.create(username=BENCH_USER, display_name="导入基准测试")
    RoleAssignment.objects.create(user=user, role=role)
    agencies = []
    for serial, region in enumerate(WORK_REGIONS[:4], start=1):
        body = f"52440100MJ9{serial:06d}"
        agency, _ = Agency.objects.get_or_create(
            credit_code=body + uscc.calc_check_digit(body),
            defaults={"name": f"基准测试社工服务中心{serial}", "region_id": region, "legal_form": "social_service"},
        )
        agencies.append(agency.credit_code)
    return User.objects.get(pk=user.pk), agencies


def _rows(count: int, seed: int, agencies: list[str], domains: list[str]):
    """`count` valid rows; ID numbers are distinct (a bijection of the row number onto place, date and sequence)."""
    rng = random.Random(seed)
    start = seed * 7_919  # different seeds start elsewhere in the number space
    for n in range(count):
        k = start + n
        sequence, k = k % 1000, k // 1000
        day, k = k % 10_000, k // 10_000
        place = DISTRICTS[k % len(DISTRICTS)]
        birth = _birth_date(day)
        number = id_number_from_body(f"{place}{birth}{sequence:03d}")
        at_agency = rng.random() < 0.6
        level = rng.choice(["", "", "助理社会工作师", "助理社会工作师", "社会工作师", "高级社会工作师"])
        yield [
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
            number,
            f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
            rng.choice(["大学本科", "大学专科", "硕士研究生"]),
            rng.choice(["是", "否"]),
            "" if at_agency else rng.choice(WORK_REGIONS),
            rng.choice(agencies) if at_agency else "",
            "" if at_agency else "社区",
            "" if at_agency else "某街道某社区居委会",
            rng.choice(["专业社工岗", "专业社工岗", "行政辅助岗", "督导岗"]),
            rng.choice(GRADES[level]) if level else "",
            "、".join(rng.sample(domains, rng.randint(1, 2))),
            "在岗",
            level,
            f"B{seed}-{n:07d}" if level else "",
            rng.randint(2010, 2024) if level else "",
            "人力资源社会保障部" if level else "",
        ]


def _birth_date(day: int) -> str:
    return (datetime.date(1965, 1, 1) + datetime.timedelta(days=day % 14_600)).strftime("%Y%m%d")


def _workbook(spec, rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员")
    sheet.append(spec.headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@contextmanager
def _timed(name: str, timings: dict, cpu: dict, server: dict):
    """Wall-clock seconds (what a user waits), this process's CPU seconds (the Python side) and, for a PostgreSQL
    server on this machine, the CPU seconds of our server process: on a shared machine the wall clock includes
    waiting for other people's work, the two CPU figures do not."""
    wall, process, backend = time.perf_counter(), time.process_time(), _server_cpu()
    yield
    timings[name] = time.perf_counter() - wall
    cpu[name] = time.process_time() - process
    after = _server_cpu()
    server[name] = after - backend if after is not None and backend is not None else None


def _server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backend serving this connection (Linux, local server only)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>10,.0f}" if seconds else "         —"


def workers_import(stdout, rows: str = "100000", naive: str = "300", seed: str = "1", **options):
    """Import synthetic workers through the real import path and print rows per second (goal ≥ 5,000 on PostgreSQL)."""
    from django.conf import settings

    from shegong.workers import services, vocabulary

    count, naive_count, seed_value = int(rows), int(naive), int(seed)
    spec = specs.get("workers")
    _divisions(stdout)
    _vacuum(stdout)
    try:
        with transaction.atomic():
            actor, agencies = _setup(stdout)
            domains = [item.name for item in vocabulary.domain_items()]
            started = time.perf_counter()
            data = _workbook(spec, _rows(count, seed_value, agencies, domains))
            stdout.write(
                f"generated a workbook of {count:,} workers ({len(data) / 1048576:.1f} MB) "
                f"in {time.perf_counter() - started:.1f} s"
            )
            settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, len(data) + 1)
            settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, count)

            timings, cpu, server = {}, {}, {}
            with _timed("read workbook", timings, cpu, server):
                sheet = workbooks.read_rows(data)
                positions = workbooks.column_positions(spec, sheet.headers)
            with _timed("prepare", timings, cpu, server):
                context = spec.prepare(actor)
            with _timed("check rows", timings, cpu, server):
                good, failures = tabular.check_rows(spec, sheet, positions, context, actor)
            if failures:
                stdout.write(f"{len(failures):,} rows failed the checks, e.g. row {failures[0][0]}: {failures[0][2]}")

            with _timed("write rows", timings, cpu, server), transaction.atomic():
                written = spec.write([{k: v for k, v in row.items() if k != "_row"} for row in good], context, actor)
                # Foreign keys are checked at commit on PostgreSQL (deferred); check them now so that they count.
                connection.check_constraints()
                record(
                    actor=actor,
                    action=AuditEntry.Action.IMPORT,
                    object_type="tabular.importjob",
                    object_repr="workers benchmark",
                    changes={"written_rows": [None, written]},
                )

            naive_seconds = 0.0
            if naive_count:
                naive_rows = list(_rows(naive_count, seed_value + 1000, agencies, domains))
                region = actor.assignments.first().region  # None: nationwide
                started = time.perf_counter()
                for row in naive_rows:
                    services.worker_create(
                        actor=actor,
                        name=row[0],
                        id_number=row[1],
                        phone=row[2],
                        region=region or _region(row[5] or "440104000000"),
                        agency=None,
                        employer_kind="community",
                        employer_name="某社区居委会",
                    )
                naive_seconds = time.perf_counter() - started
            _report(stdout, count, written, timings, cpu, server, naive_count, naive_seconds)
            raise Rollback
    except Rollback:
        stdout.write("(everything written by the benchmark was rolled back)")


def _region(code):
    from shegong.regions.models import Region

    return Region.objects.get(pk=code)


def _report(stdout, count, written, timings, cpu, server, naive_count, naive_seconds):
    load = " · load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    stdout.write(f"\nworkers import · {count:,} rows · database: {_server_version()} · {os.cpu_count()} CPUs{load}")
    has_server = all(value is not None for value in server.values())
    stdout.write(
        f"{'step':<28}{'seconds':>10}{'rows/s':>12}{'python CPU s':>14}"
        + (f"{'server CPU s':>14}" if has_server else "")
    )

    def line(label, seconds, rows, python, database):
        text = f"{label:<28}{seconds:>10.2f}{_rate(rows, seconds):>12}{python:>14.2f}"
        return text + (f"{database:>14.2f}" if has_server else "")

    for name, seconds in timings.items():
        stdout.write(line(name, seconds, count, cpu[name], server[name] if has_server else 0))
    steps = ("prepare", "check rows", "write rows")
    import_wall = sum(timings[name] for name in steps)
    import_cpu = sum(cpu[name] for name in steps)
    import_server = sum(server[name] for name in steps) if has_server else 0
    stdout.write(line("check + write (import)", import_wall, written, import_cpu, import_server))
    everything = sum(timings.values())
    stdout.write(
        line(
            "end to end (with reading)",
            everything,
            written,
            sum(cpu.values()),
            sum(server.values()) if has_server else 0,
        )
    )
    if has_server:
        busy = import_cpu + import_server
        stdout.write(
            f"{'import, CPU time only':<28}{busy:>10.2f}{_rate(written, busy):>12}"
            "   (Python and server one after the other: the wall clock on an otherwise idle machine)"
        )
    if naive_count:
        naive_rate = naive_count / naive_seconds
        stdout.write(
            f"{'naive: worker_create per row':<28}{naive_seconds:>10.2f}{naive_rate:>12,.0f}"
            f"   (import is {written / import_wall / naive_rate:,.0f}× faster)"
        )
    stdout.write(f"written: {written:,} workers")


def _server_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return "SQLite " + cursor.fetchone()[0]
    return connection.vendor


BENCHMARKS = {"workers-import": workers_import}


# --- The list at a million workers ----------------------------------------------------------------------------------

WORKER_COLUMNS = (
    "name, name_initials, id_number, id_number_index, birth_date, sex, phone, phone_index, education, "
    "major_social_work, region_id, province_code, agency_id, employer_kind, employer_name, post_type, job_grade, "
    "highest_certificate, is_frontline, status, created_at, updated_at"
)
LIST_SCENARIOS = [
    ("first page (pinyin order)", {}),
    ("newest first", {"sort": "newest"}),
    ("district 越秀区", {"region": "440104000000"}),
    ("one street", {"region": "440104003000"}),
    ("one agency", {"agency": True}),
    ("highest certificate: senior", {"certificate": "senior"}),
    ("service domain", {"domain": True}),
    ("status: left", {"status": "left"}),
    ("on the blacklist", {"blacklisted": "yes"}),
    ("not on the blacklist", {"blacklisted": "no"}),
    ("search pinyin initials zw", {"q": "zw"}),
    ("search name prefix 张", {"q": "张"}),
    ("search exact ID number", {"q": "ID"}),
]


def workers_list(stdout, rows: str = "1000000", repeat: str = "3", **options):
    """The list page's queries at a million workers (keyset pages, capped counts) against OFFSET and COUNT(*)."""
    count, repeats = int(rows), int(repeat)
    _divisions(stdout)
    _vacuum(stdout)
    try:
        with transaction.atomic():
            actor, _codes = _setup(stdout)
            started = time.perf_counter()
            facts = _fill(count)
            stdout.write(
                f"generated {count:,} workers in {time.perf_counter() - started:.0f} s (rolled back at the end)"
            )
            _measure_list(stdout, actor, facts, repeats)
            raise Rollback
    except Rollback:
        stdout.write("(everything written by the benchmark was rolled back)")


def _fill(count: int) -> dict:
    """`count` workers spread over 广州's streets and a few agencies, 0.2% blacklisted, with domains; written with
    set-based SQL on PostgreSQL (INSERT … SELECT over generate_series) and executemany elsewhere."""
    from shegong.agencies.models import Agency
    from shegong.core import crypto
    from shegong.regions.models import Region
    from shegong.workers import vocabulary
    from shegong.workers.identity import name_initials
    from shegong.workers.models import SocialWorker

    streets = list(
        Region.objects.filter(code__startswith="4401", level=4).order_by("code").values_list("code", flat=True)
    )
    agencies = list(Agency.objects.order_by("pk").values_list("pk", flat=True)[:20])
    domains = list(vocabulary.domain_items().values_list("pk", flat=True))
    rng = random.Random(7)
    names = sorted({rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]) for _ in range(5000)})
    initials = [name_initials(name) for name in names]
    sealed_id = crypto.seal("440104199001010010", context=SocialWorker._meta.get_field("id_number")._context)
    sealed_phone = crypto.seal("13800138000", context=SocialWorker._meta.get_field("phone")._context)
    probe = "44010419850505" + "0000"
    probe_index = SocialWorker._meta.get_field("id_number").blind_index(probe)
    levels = [""] * 12 + ["assistant"] * 4 + ["intermediate"] * 3 + ["senior"]
    statuses = ["active"] * 8 + ["left", "retired"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO workers_socialworker ({WORKER_COLUMNS}) "
                """
                SELECT (%(names)s::text[])[1 + g %% %(n_names)s], (%(initials)s::text[])[1 + g %% %(n_names)s],
                    %(sealed_id)s, md5(g::text) || md5((g + 7)::text), DATE '1960-01-01' + (g %% 15000),
                    CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                    %(sealed_phone)s, md5((g + 3)::text) || md5((g + 5)::text), 'bachelor', g %% 2 = 0,
                    (%(streets)s::text[])[1 + g %% %(n_streets)s], '44',
                    CASE WHEN g %% 3 = 0 THEN (%(agencies)s::bigint[])[1 + g %% %(n_agencies)s] END,
                    CASE WHEN g %% 3 = 0 THEN '' ELSE 'community' END,
                    CASE WHEN g %% 3 = 0 THEN '' ELSE '社区居委会' END,
                    'professional', '', (%(levels)s::text[])[1 + (g::bigint * 7919) %% 20], true,
                    (%(statuses)s::text[])[1 + g %% 10], now(), now()
                FROM generate_series(1, %(count)s) AS g
                """,
                {
                    "names": names,
                    "initials": initials,
                    "n_names": len(names),
                    "sealed_id": sealed_id,
                    "sealed_phone": sealed_phone,
                    "streets": streets,
                    "n_streets": len(streets),
                    "agencies": agencies or [None],
                    "n_agencies": max(len(agencies), 1),
                    "levels": levels,
                    "statuses": statuses,
                    "count": count,
                },
            )
        else:
            rows = []
            for g in range(1, count + 1):
                agency = agencies[g % len(agencies)] if agencies and g % 3 == 0 else None
                rows.append(
                    (
                        names[g % len(names)],
                        initials[g % len(names)],
                        sealed_id,
                        crypto.blind_index(str(g), purpose="bench"),
                        f"{1960 + g % 40}-01-01",
                        "F" if g % 2 == 0 else "M",
                        sealed_phone,
                        crypto.blind_index(str(-g), purpose="bench"),
                        "bachelor",
                        g % 2 == 0,
                        streets[g % len(streets)],
                        "44",
                        agency,
                        "" if agency else "community",
                        "" if agency else "社区居委会",
                        "professional",
                        "",
                        levels[(g * 7919) % 20],
                        True,
                        statuses[g % 10],
                    )
                )
            cursor.executemany(
                f"INSERT INTO workers_socialworker ({WORKER_COLUMNS}) VALUES ({', '.join(['%s'] * 20)}, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                rows,
            )
        # One worker with a known ID number, for the exact search.
        first = SocialWorker.objects.order_by("pk").values_list("pk", flat=True).first()
        SocialWorker.objects.filter(pk=first).update(id_number_index=probe_index)
        for domain, modulo, remainder in ((domains[0], 2, 0), (domains[1], 5, 1)):
            cursor.execute(
                "INSERT INTO workers_workerservicedomain (worker_id, domain_id) "
                "SELECT id, %s FROM workers_socialworker WHERE id >= %s AND id %% %s = %s",
                [domain, first, modulo, remainder],
            )
        cursor.execute(
            "INSERT INTO workers_creditevent (worker_id, kind, severity, title, description, evidence, "
            "source_document, occurred_on, closing_note, recorded_at) "
            "SELECT id, 'violation', 'blacklist', '基准测试', '', '', '文号', %s, '', CURRENT_TIMESTAMP "
            "FROM workers_socialworker WHERE id >= %s AND id %% 500 = 3",
            [datetime.date(2025, 1, 1), first],
        )
        cursor.execute("ANALYZE")
    return {"agency": agencies[0] if agencies else None, "domain": domains[1], "probe": probe}

    return {"agency": agencies[0] if agencies else None, "domain": domains[1], "probe": probe}


def _measure_list(stdout, actor, facts, repeats):
    from shegong.agencies.models import Agency
    from shegong.refdata.models import DictionaryItem
    from shegong.regions.models import Region
    from shegong.workers import selectors

    def filters_for(spec):
        values = dict(spec)
        if "region" in values:
            values["region"] = Region.objects.get(pk=values["region"])
        if values.pop("agency", None):
            values["agency"] = Agency.objects.get(pk=facts["agency"])
        if values.pop("domain", None):
            values["domain"] = DictionaryItem.objects.get(pk=facts["domain"])
        if values.get("q") == "ID":
            values["q"] = facts["probe"]
        return selectors.WorkerFilters(**values)

    def best(function):
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            result = function()
            timings.append(time.perf_counter() - started)
        return min(timings) * 1000, result

    stdout.write(f"\nworkers list · {selectors.SocialWorker.objects.count():,} workers · database: {_server_version()}")
    stdout.write(f"{'scenario':<32}{'page ms':>9}{'next ms':>9}{'count ms':>10}{'count':>9}")
    for label, spec in LIST_SCENARIOS:
        filters = filters_for(spec)
        workers = selectors.worker_search(actor=actor, filters=filters)

        def page(after=None, workers=workers, filters=filters):
            found = selectors.keyset_page(selectors.with_badges(workers), sort=filters.sort, after=after)
            selectors.with_domains(found.rows)
            return found

        page_ms, first = best(page)
        next_ms, _ = best(lambda first=first, page=page: page(first.next_cursor)) if first.next_cursor else (0, None)
        count_ms, (found, more) = best(lambda workers=workers: selectors.count_capped(workers))
        shown = f"{found:,}{'+' if more else ''}"
        stdout.write(f"{label:<32}{page_ms:>9.1f}{next_ms:>9.1f}{count_ms:>10.1f}{shown:>9}")
    # The naive way: OFFSET to the middle and an exact COUNT(*).
    workers = selectors.worker_search(actor=actor)
    middle = selectors.SocialWorker.objects.count() // 2
    offset_ms, rows = best(lambda: list(selectors.with_badges(workers)[middle : middle + selectors.PAGE_SIZE]))
    keyset_cursor = selectors.encode_cursor([getattr(rows[0], name) for name in ("name_initials", "name", "id")])
    keyset_ms, _ = best(lambda: selectors.keyset_page(selectors.with_badges(workers), after=keyset_cursor))
    exact_ms, exact = best(lambda: workers.count())
    stdout.write(
        f"\npage in the middle (row {middle:,}): keyset {keyset_ms:.1f} ms, OFFSET {offset_ms:.1f} ms "
        f"({offset_ms / max(keyset_ms, 0.001):,.0f}×)"
    )
    stdout.write(f"exact COUNT(*) of all {exact:,} in scope: {exact_ms:.1f} ms (the page counts up to 10,000 instead)")


BENCHMARKS["workers-list"] = workers_list
