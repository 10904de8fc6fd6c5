"""Benchmark of the recipients list and search at a million people: `./dev bench recipients-list rows=1000000`.

A million recipients over 广州's real communities (real sealed values: one sealed ID number and phone reused, keyed
hashes unique per row; 2% with withdrawn consent, which every query must leave out), one or two categories each, are
written with set-based SQL on PostgreSQL (INSERT … SELECT over generate_series; executemany on SQLite) in a fresh
scratch database (core.benchmarking.fresh_database), inside a transaction rolled back at the end. Then the list
page's queries run as a city-level bureau user sees them: the first page in pinyin order with its categories (one
prefetch query, not one per row), the capped count, and each filter and search. Options: rows (1000000), repeat (3).
"""

import random
import time

from django.db import connection, transaction

from shegong.core.benchmarking import fresh_database, machine, vendor

COLUMNS = (
    "name, name_initials, id_number, id_number_index, no_id_reason, birth_date, sex, phone, phone_index, "
    "community_id, province_code, station_id, attention_level, last_visit_on, household_separated, "
    "household_region_id, contact_name, contact_relation, contact_phone, consent_given_on, consent_scopes, "
    "consent_withdrawn_on, consent_withdrawal_reason, created_at, updated_at"
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉宁欣佳怡晨雨婷宇轩浩然梓涵"
SCENARIOS = [
    ("first page (pinyin order)", {}),
    ("newest first", {"sort": "newest"}),
    ("district 越秀区", {"region": "440104000000"}),
    ("one street", {"region": "440104003000"}),
    ("one community", {"region": "COMMUNITY"}),
    ("category 特困", {"category": "extreme_poverty"}),
    ("关注等级 1", {"attention_level": 1}),
    ("人户分离", {"household_separated": True}),
    ("search pinyin initials zw", {"q": "zw"}),
    ("search name prefix 张", {"q": "张"}),
    ("search exact ID number", {"q": "ID"}),
]


class Rollback(Exception):
    pass


def recipients_list(stdout, rows: str = "1000000", repeat: str = "3", **options):
    """The recipients list and search at a million people (capped counts, categories in one query per page)."""
    from shegong.workers.benchmarks import _divisions  # 广州's real divisions, loaded once

    count, repeats = int(rows), int(repeat)
    with fresh_database("recipients") as where:
        stdout.write(f"running in {where}")
        _divisions(stdout)
        _run(stdout, count, repeats)


def _run(stdout, count: int, repeats: int) -> None:
    try:
        with transaction.atomic():
            actor = _actor()
            started = time.perf_counter()
            facts = _fill(count)
            stdout.write(f"generated {count:,} recipients in {time.perf_counter() - started:.0f} s (rolled back)")
            _measure(stdout, actor, facts, repeats)
            raise Rollback
    except Rollback:
        stdout.write("(everything written by the benchmark was rolled back)")


def _actor():
    from django.contrib.auth.models import Permission

    from shegong.accounts.models import Role, RoleAssignment, User

    role = Role.objects.create(code="bench_recipients_list", name="服务对象基准测试")
    role.permissions.set(Permission.objects.filter(content_type__app_label="recipients", codename="view_recipient"))
    user = User.objects.create(username="bench_recipients", display_name="服务对象基准测试")
    RoleAssignment.objects.create(user=user, role=role, region_id="440100000000")
    return User.objects.get(pk=user.pk)


def _fill(count: int) -> dict:
    from shegong.core import crypto
    from shegong.recipients.models import CATEGORY_DICTIONARY, Recipient
    from shegong.refdata.models import DictionaryItem
    from shegong.regions.models import Region
    from shegong.workers.identity import name_initials

    communities = list(
        Region.objects.filter(code__startswith="4401", level=5).order_by("code").values_list("code", flat=True)
    )
    categories = list(
        DictionaryItem.objects.filter(dictionary__code=CATEGORY_DICTIONARY).order_by("pk").values_list("pk", flat=True)
    )
    rng = random.Random(7)
    names = sorted({rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]) for _ in range(5000)})
    initials = [name_initials(name) for name in names]
    id_field, phone_field = Recipient._meta.get_field("id_number"), Recipient._meta.get_field("phone")
    sealed_id = crypto.seal("440104195001010012", context=id_field._context)
    sealed_phone = crypto.seal("13800138000", context=phone_field._context)
    probe = "440104194505050013"
    probe_index = id_field.blind_index(probe)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO recipients_recipient ({COLUMNS}) "
                """
                SELECT (%(names)s::text[])[1 + g %% %(n_names)s], (%(initials)s::text[])[1 + g %% %(n_names)s],
                    %(sealed_id)s, md5(g::text) || md5((g + 7)::text), '', DATE '1930-01-01' + (g %% 30000),
                    CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                    %(sealed_phone)s, md5((g + 3)::text) || md5((g + 5)::text),
                    (%(communities)s::text[])[1 + (g::bigint * 7919) %% %(n_communities)s], '44', NULL,
                    1 + g %% 6, DATE '2026-01-01' - (g %% 200), g %% 12 = 0, NULL, '', '', '',
                    DATE '2025-01-01', '["service_record"]',
                    CASE WHEN g %% 50 = 7 THEN DATE '2025-06-01' END,
                    CASE WHEN g %% 50 = 7 THEN '本人要求' ELSE '' END, now(), now()
                FROM generate_series(1, %(count)s) AS g
                """,
                {
                    "names": names,
                    "initials": initials,
                    "n_names": len(names),
                    "sealed_id": sealed_id,
                    "sealed_phone": sealed_phone,
                    "communities": communities,
                    "n_communities": len(communities),
                    "count": count,
                },
            )
        else:
            rows = []
            for g in range(1, count + 1):
                withdrawn = g % 50 == 7
                rows.append(
                    (
                        names[g % len(names)],
                        initials[g % len(names)],
                        sealed_id,
                        crypto.blind_index(str(g), purpose="bench"),
                        "",
                        f"{1930 + g % 80}-01-01",
                        "F" if g % 2 == 0 else "M",
                        sealed_phone,
                        crypto.blind_index(str(-g), purpose="bench"),
                        communities[(g * 7919) % len(communities)],
                        "44",
                        None,
                        1 + g % 6,
                        "2026-01-01",
                        g % 12 == 0,
                        None,
                        "",
                        "",
                        "",
                        "2025-01-01",
                        '["service_record"]',
                        "2025-06-01" if withdrawn else None,
                        "本人要求" if withdrawn else "",
                    )
                )
            cursor.executemany(
                f"INSERT INTO recipients_recipient ({COLUMNS}) VALUES ({', '.join(['%s'] * 23)}, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                rows,
            )
        first = Recipient.all_records.order_by("pk").values_list("pk", flat=True).first()
        Recipient.all_records.filter(pk=first).update(id_number_index=probe_index)
        for category, modulo, remainder in ((categories[2], 7, 0), (categories[7], 3, 1)):
            cursor.execute(
                "INSERT INTO recipients_recipientcategory (recipient_id, category_id) "
                "SELECT id, %s FROM recipients_recipient WHERE id >= %s AND id %% %s = %s",
                [category, first, modulo, remainder],
            )
        cursor.execute("ANALYZE")
    return {"probe": probe, "community": communities[len(communities) // 2]}


def _measure(stdout, actor, facts, repeats):
    from django.test.utils import CaptureQueriesContext

    from shegong.core.listing import CappedPaginator
    from shegong.recipients import selectors
    from shegong.recipients.forms import RecipientFilterForm
    from shegong.recipients.models import Recipient
    from shegong.refdata.models import DictionaryItem
    from shegong.regions.models import Region

    def best(function):
        timings, result = [], None
        for _ in range(repeats):
            started = time.perf_counter()
            result = function()
            timings.append(time.perf_counter() - started)
        return min(timings) * 1000, result

    total, hidden = Recipient.all_records.count(), Recipient.all_records.filter(consent_withdrawn_on__isnull=False)
    stdout.write(f"\nrecipients list · {total:,} recipients ({hidden.count():,} withdrawn, never shown)")
    stdout.write(f"database: {vendor()} · {machine()}")
    stdout.write(f"{'scenario':<28}{'page ms':>9}{'queries':>9}{'count ms':>10}{'count':>9}")
    for label, spec in SCENARIOS:
        values = dict(spec)
        sort = values.pop("sort", "pinyin")
        if values.get("region") == "COMMUNITY":
            values["region"] = facts["community"]
        if "region" in values:
            values["region"] = Region.objects.get(pk=values["region"])
        if "category" in values:
            values["category"] = DictionaryItem.objects.get(
                dictionary__code="recipient_category", code=values["category"]
            )
        if values.get("q") == "ID":
            values["q"] = facts["probe"]
        ordering = RecipientFilterForm.SORTS[sort].ordering
        rows = selectors.recipient_search(actor=actor, **values).order_by(*ordering)

        def page(rows=rows):
            return list(CappedPaginator(selectors.with_categories(rows), 50).page(1))

        page_ms, found_page = best(page)
        with CaptureQueriesContext(connection) as captured:
            page()

        def counted(rows=rows):
            paginator = CappedPaginator(rows, 50)
            return paginator.count, paginator.capped

        count_ms, (found, capped) = best(counted)
        shown = f"{found:,}{'+' if capped else ''}"
        stdout.write(f"{label:<28}{page_ms:>9.1f}{len(captured):>9}{count_ms:>10.1f}{shown:>9}")
        assert len(found_page) <= 50 and not any(row.consent_withdrawn_on for row in found_page)


BENCHMARKS = {"recipients-list": recipients_list}
