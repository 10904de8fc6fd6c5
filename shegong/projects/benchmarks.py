"""Benchmarks of the project rules.

`./dev bench projects-judge projects=5000` — judging many projects at once and the pages built on it. In a fresh
database (shegong.core.benchmarking.fresh_database) it loads the real divisions of 广州市, then writes in bulk
`projects` synthetic projects purchased by its districts (240万 a year, personnel 55–75%, four budget lines, one
funding source), each covering one synthetic station (a street station per street, then school stations), with a
roster of `staff` synthetic workers (some certified), contracted to one agency. As a city admin it then measures:

- rules.judge on all the projects (the figures behind the list, the failing list and the API), with its queries;
- the naive way judge replaces: rules.judge_project one project at a time (on `naive` projects, extrapolated);
- the failing list page (/projects/non-compliant/) and the first page of the project list through the test client.

Each timing is the median of `runs` warm runs. Options: projects (5000), staff (6), naive (200), runs (5).
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.db import connection

from shegong.core.benchmarking import fresh_database, machine, median_ms, vendor

CITY = "4401"


def _generate(stdout, count: int, staff: int, today: datetime.date):
    from stdnum.cn import uscc

    from shegong.agencies.models import Agency
    from shegong.projects.models import BudgetLine, FundingSource, Project, ProjectStaff, ProjectStation
    from shegong.regions.loading import load_shipped
    from shegong.regions.models import Region
    from shegong.stations.benchmarks import _workers
    from shegong.stations.models import Station

    load_shipped(city=CITY)
    body = "52440100MJBENCHP0"
    agency = Agency.objects.create(
        name="基准测试项目承接机构",
        credit_code=body + uscc.calc_check_digit(body),
        region_id="440100000000",
        legal_form=Agency.LegalForm.SOCIAL_SERVICE,
    )
    districts = list(Region.objects.filter(parent_id="440100000000", level=3).order_by("code"))
    streets = list(Region.objects.filter(code__startswith="4401", level=4).order_by("code"))
    rng = random.Random(1)
    stations = [
        Station(
            code=f"B{index:06d}",
            name=f"基准站点{index}",
            # One street station per street (one live station per region and kind), school stations after that.
            kind="station" if index < len(streets) else "school",
            host_institution="" if index < len(streets) else f"基准学校{index}",
            region=streets[index % len(streets)],
            province_code="44",
            status="operating",
        )
        for index in range(count)
    ]
    Station.objects.bulk_create(stations, batch_size=2000)
    worker_ids = _workers(agency, [street.code for street in streets] * (count * staff // len(streets) + 1), 3)
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    projects = []
    for index in range(count):
        district = next(d for d in districts if stations[index].region_id.startswith(d.code[:6]))
        projects.append(
            Project(
                code=f"PB{index:07d}",
                name=f"基准项目{index}",
                purchaser_department=f"{district.name}民政局",
                region=district,
                province_code="44",
                agency=agency,
                contract_date=start - datetime.timedelta(days=10),
                start_date=start,
                end_date=end,
                total_funds=Decimal(2_400_000),
                stage="executing",
            )
        )
    Project.objects.bulk_create(projects, batch_size=2000)
    lines, funding, links, members = [], [], [], []
    for index, project in enumerate(projects):
        personnel = Decimal(2_400_000) * Decimal(rng.randint(55, 75)) / 100
        rest = Decimal(2_400_000) - personnel
        for category, planned in (
            ("personnel", personnel),
            ("activity", rest / 2),
            ("admin", rest / 4),
            ("other", rest / 4),
        ):
            lines.append(BudgetLine(project=project, category=category, planned=planned))
        funding.append(FundingSource(project=project, source="fiscal", amount=project.total_funds))
        links.append(ProjectStation(project=project, station=stations[index]))
        for offset in range(staff):
            members.append(
                ProjectStaff(
                    project=project,
                    worker_id=worker_ids[index * staff + offset],
                    role="social_worker",
                    start_date=start,
                    is_social_work_post=offset != 0,
                )
            )
    for model, rows in (
        (BudgetLine, lines),
        (FundingSource, funding),
        (ProjectStation, links),
        (ProjectStaff, members),
    ):
        model.objects.bulk_create(rows, batch_size=5000)
    stdout.write(f"generated {count:,} projects, {len(members):,} roster entries, {len(lines):,} budget lines")


def _admin():
    from shegong.accounts.models import Role, RoleAssignment, User

    user = User.objects.create(username="bench_city_admin", display_name="基准测试市级管理员")
    role = Role.objects.get(code="civil_affairs_admin")
    RoleAssignment.objects.create(user=user, role=role, region_id="440100000000")
    return User.objects.get(pk=user.pk)


def projects_judge(stdout, projects: str = "5000", staff: str = "6", naive: str = "200", runs: str = "5", **options):
    """Judging the money and staffing rules of many projects at once against one at a time; the failing list and
    the project list pages."""
    from django.conf import settings
    from django.test import Client, override_settings
    from django.utils import timezone

    from shegong.accounts.roles import ensure_builtin_roles
    from shegong.projects import rules
    from shegong.projects.models import Project

    count, staff_count, naive_count, repeat = int(projects), int(staff), int(naive), int(runs)
    today = timezone.localdate()
    with fresh_database("projects") as where:
        ensure_builtin_roles()
        _generate(stdout, count, staff_count, today)
        user = _admin()
        everything = Project.objects.all()
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            judged = rules.judge(everything, today)
        failing = sum(1 for judgement in judged.values() if judgement.failing)
        bulk_ms = median_ms(lambda: rules.judge(everything, today), repeat)
        sample = list(everything.order_by("pk")[:naive_count])
        started = time.perf_counter()
        for project in sample:
            rules.judge_project(project, today)
        naive_ms = (time.perf_counter() - started) * 1000 / len(sample) * count
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            client.force_login(user)
            failing_ms = median_ms(lambda: client.get("/projects/non-compliant/"), repeat)
            list_ms = median_ms(lambda: client.get("/projects/"), repeat)
            failing_only_ms = median_ms(lambda: client.get("/projects/?failing=on"), repeat)
        stdout.write(f"\nprojects-judge · {vendor()} · {machine()} · {where}")
        stdout.write(f"{count:,} projects, {staff_count} staff each, {failing:,} failing; median of {repeat} warm runs")
        stdout.write(f"{'rules.judge (all projects)':<44}{bulk_ms:>10,.0f} ms   {len(queries)} queries")
        stdout.write(
            f"{'naive: judge_project one by one':<44}{naive_ms:>10,.0f} ms   {6 * count:,} queries"
            f"   (extrapolated from {len(sample)}; judge is {naive_ms / bulk_ms:,.0f}× faster)"
        )
        stdout.write(f"{'failing list page (city admin)':<44}{failing_ms:>10,.0f} ms")
        stdout.write(f"{'project list, first page':<44}{list_ms:>10,.0f} ms")
        stdout.write(f"{'project list, failing only':<44}{failing_only_ms:>10,.0f} ms")


BENCHMARKS = {"projects-judge": projects_judge}
