"""Builders for the project tests. Projects go through the real service (as the installation, actor None) so their
code, stage history and audit rows are what production writes; workers and ratings are written directly."""

import datetime
from decimal import Decimal

from shegong.projects import services
from shegong.projects.models import Project
from shegong.regions.codes import canonical
from shegong.regions.models import Region
from shegong.stations.tests.factories import add_region, make_station  # noqa: F401  (re-exported)
from shegong.talent.tests.factories import blacklist, make_user, make_worker  # noqa: F401  (re-exported)
from shegong.testing.world import DISTRICT_A

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 12, 31)
MILLION = Decimal(10_000)  # 万
TOTAL = Decimal(2_400_000)
PERSONNEL = Decimal(1_600_000)


def wan(amount) -> Decimal:
    return Decimal(str(amount)) * MILLION


def make_project(
    region: Region | str = DISTRICT_A,
    *,
    total=TOTAL,
    personnel=PERSONNEL,
    stations=(),
    start=START,
    end=END,
    posts: int = 0,
    name: str = "测试社工站项目",
    actor=None,
) -> Project:
    """A project whose funding is all fiscal and whose budget is `personnel` plus the rest as activity funds."""
    region = region if isinstance(region, Region) else Region.objects.get(pk=canonical(region))
    total, personnel = Decimal(total), Decimal(personnel)
    return services.project_create(
        actor=actor,
        name=name,
        purchaser_department=f"{region.name}民政局",
        region=region,
        start_date=start,
        end_date=end,
        total_funds=total,
        social_work_posts=posts,
        stations=stations,
        funding={"fiscal": total},
        budget={"personnel": personnel, "activity": total - personnel},
    )


def rate(agency, level: int, on: datetime.date = datetime.date(2024, 1, 1), years: int = 5):
    from shegong.agencies.models import AgencyRating

    return AgencyRating.objects.create(
        agency=agency,
        level=level,
        score=Decimal(800),
        rated_on=on,
        valid_until=on.replace(year=on.year + years),
        source_document="测试评估公告",
    )


def contract(project: Project, agency, on: datetime.date = datetime.date(2024, 12, 15)) -> Project:
    """Contractor set and the project moved 立项 → 招标/评审 → 签约 (as the installation)."""
    services.project_set_contractor(actor=None, project=project, agency=agency, contract_date=on)
    services.project_move(actor=None, project=project, to_stage=Project.Stage.TENDERING)
    services.project_move(actor=None, project=project, to_stage=Project.Stage.CONTRACTED)
    project.refresh_from_db()
    return project


def roster(project: Project, count: int, *, certified: int = 0, major: int = 0, posts: bool = True, agency=None):
    """`count` workers on the roster for the whole period; the first `certified` hold a certificate, the next `major`
    studied social work (no certificate)."""
    members = []
    for index in range(count):
        worker = make_worker(region=project.region_id, agency=agency)
        if index < certified:
            worker.highest_certificate = "intermediate"
        elif index < certified + major:
            worker.major_social_work = True
        worker.save()
        members.append(
            services.staff_add(
                actor=None,
                project=project,
                worker=worker,
                role="social_worker",
                start_date=project.start_date,
                is_social_work_post=posts,
            )
        )
    return members
