"""`./dev bench agencies-list`: the agency list's queries at the scale of a whole country's register, against the
naive way (an exact COUNT(*) of every match, as Django's Paginator does).

    ./dev bench agencies-list                        # 100,000 agencies in a fresh database of the configured vendor
    DATABASE_URL=postgres://… ./dev bench agencies-list --agencies 200000
    ./dev bench agencies-list --repeat 9             # timing runs per query (the median is printed)

China registers some 15,000 social work agencies, so 100,000 is several times the national register. The agencies
are spread over the real divisions of 广州市 (every district and street), with ratings, abnormal-list and blacklist
entries in the proportions of the demo. Each scenario is what the list page runs: one page of 50 rows (with one
extra row to learn whether another page follows) and a count capped at 10,000, through the data scope of the user.
"""

import datetime
import random
import sys
import time

from django.db import connection, transaction

from shegong.agencies import selectors
from shegong.agencies.models import Agency, AgencyStatus
from shegong.core.benchmarking import fresh_database, machine, median_ms, vendor

SEED = 7


def _users():
    from shegong.accounts.models import Role, RoleAssignment, User
    from shegong.accounts.roles import ensure_builtin_roles

    ensure_builtin_roles()
    role = Role.objects.get(code="civil_affairs_admin")
    users = {}
    for username, region in (("bench_city", "440100000000"), ("bench_district", "440104000000")):
        user = User.objects.create(username=username, home_region_id=region)
        RoleAssignment.objects.create(user=user, role=role, region_id=region)
        users[username] = user
    return users


def _generate(count: int) -> None:
    from shegong.agencies.demo import FORMS, WORDS, credit_code
    from shegong.regions.models import Region

    rng = random.Random(SEED)
    places = list(Region.objects.filter(code__startswith="4401", level__in=[3, 4]).values_list("code", "name", "level"))
    today = time.localtime()
    batch: list[Agency] = []
    started = time.perf_counter()
    for serial in range(1, count + 1):
        code, place, _level = rng.choice(places)
        legal_form, ending, head, _weight = rng.choices(FORMS, weights=[form[-1] for form in FORMS])[0]
        agency = Agency(
            name=f"{place}{rng.choice(WORDS)}{rng.choice(WORDS)}{ending}{serial}",
            credit_code=credit_code(head, code, serial),
            legal_form=legal_form,
            registration_authority="广州市民政局",
            region_id=code,
        )
        roll = rng.random()
        if roll < 0.45:
            agency.latest_rating_level = rng.choice((1, 2, 3, 3, 3, 4, 4, 5))
            agency.latest_rating_valid_until = datetime.date(today.tm_year + rng.choice((-1, 1, 2, 3)), 6, 1)
        if roll > 0.96:
            agency.latest_status = AgencyStatus.BLACKLIST if roll > 0.99 else AgencyStatus.ABNORMAL
        batch.append(agency)
        if len(batch) == 5000:
            with transaction.atomic():
                Agency.objects.bulk_create(batch)
            batch = []
            sys.stderr.write(f"\r  {serial:,} agencies ({serial / (time.perf_counter() - started):,.0f}/s)")
    with transaction.atomic():
        Agency.objects.bulk_create(batch)
    sys.stderr.write("\n")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _run(stdout, count: int, repeat: int, where: str) -> None:
    from shegong.regions.loading import load_shipped

    sys.stderr.write("loading the divisions of 广州市 …\n")
    load_shipped(city="4401")
    users = _users()
    sys.stderr.write(f"generating {count:,} agencies …\n")
    _generate(count)
    probe = Agency.objects.order_by("pk")[count // 2]
    city, district = users["bench_city"], users["bench_district"]
    scenarios = [
        ("city admin, no filter", city, {}),
        ("city admin, page 40", city, {"page": 40}),
        ("district admin (越秀区)", district, {}),
        ("city admin, 黑名单", city, {"status": AgencyStatus.BLACKLIST}),
        ("city admin, 5A in force", city, {"rating": 5}),
        ("city admin, name contains 启航", city, {"q": "启航"}),
        ("city admin, initials qh", city, {"q": "qh"}),
        ("city admin, exact credit code", city, {"q": probe.credit_code}),
    ]
    write = stdout.write
    write(f"agencies-list: {count:,} agencies in {where}")
    write(f"database   {vendor()}")
    write(f"machine    {machine()}")
    write(f"median of {repeat} runs each, milliseconds")
    write("")
    write(f"{'scenario':<34}{'matches':>10}{'page':>9}{'capped':>9}{'exact':>9}{'page+capped':>13}{'naive':>9}")
    for label, user, options in scenarios:
        page_number = options.pop("page", 1)
        filters = selectors.AgencyFilters(**options)
        rows = selectors.agency_search(actor=user, filters=filters)
        page_ms = median_ms(
            lambda rows=rows, number=page_number: selectors.page_of(selectors.with_domains(rows), number), repeat
        )
        capped_ms = median_ms(lambda rows=rows: selectors.count_capped(rows), repeat)
        exact_ms = median_ms(lambda rows=rows: rows.count(), repeat)
        matches, more = selectors.count_capped(rows)
        shown = f"{matches:,}+" if more else f"{matches:,}"
        ours, naive = page_ms + capped_ms, page_ms + exact_ms
        write(f"{label:<34}{shown:>10}{page_ms:>9.1f}{capped_ms:>9.1f}{exact_ms:>9.1f}{ours:>13.1f}{naive:>9.1f}")
    write("")
    write("page = one page of 50 with its service domains; capped = count up to 10,000 (what the page shows);")
    write("exact = COUNT(*) of every match (what Paginator would run); naive = page + exact.")


def agencies_list(stdout, agencies: str = "100000", repeat: str = "5") -> None:
    """The agency list's page and count queries over a large register, against an exact COUNT(*)."""
    with fresh_database("agencies") as where:
        _run(stdout, int(agencies), int(repeat), where)


BENCHMARKS = {"agencies-list": agencies_list}
