"""Excel imports of volunteers (志愿者) and of volunteer teams (志愿服务队) through the tabular framework.

Volunteers: one row per person, real name.

Every row is checked like the registration form: the ID number by python-stdnum's check character (birth date and
sex read from it), not already registered (without naming the existing record), a region inside the importer's
scope, a managing station (by code) that covers the region, skills from the volunteer_skill dictionary. Good rows get
their volunteer numbers from the same locked sequence as the form and are written in bulk in one transaction.

Teams, and the other issue-8 imports (volunteering needs, time-bank accounts, charity donations), are checked and
written by the very services the pages use: `dry_run` runs a row's write in a savepoint and rolls it back, so the
error report gives the service's own reasons, and the good rows are then written by the same services.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.analytics import maintenance
from shegong.core.fields import blind_index_for
from shegong.core.scope import reach_of, scoped
from shegong.recipients.identity import parse_recipient_id
from shegong.regions.codes import InvalidCode, canonical, subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.volunteers import permissions, services
from shegong.volunteers.models import SKILL_DICTIONARY, Volunteer, VolunteerTeam
from shegong.workers.imports import Builder

LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
BATCH_SIZE = 2000


def identity() -> parsers.Parser:
    def parse(value):
        try:
            return parse_recipient_id(parsers.as_text(value)).id_number
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None

    return parse


class VolunteerImport(ImportSpec):
    kind = "volunteers"
    title = gettext_lazy("志愿者")
    permission = permissions.ADD
    columns = [
        Column("name", gettext_lazy("姓名"), required=True, parse=parsers.text(50), example="陈志愿", width=12),
        Column(
            "id_number",
            gettext_lazy("身份证号"),
            required=True,
            parse=identity(),
            example="440104199001010013",
            help=gettext_lazy("实名登记，出生日期和性别由号码得出"),
            width=22,
        ),
        Column("phone", gettext_lazy("联系电话"), parse=parsers.phone(), example="13712345678", width=14),
        Column(
            "region",
            gettext_lazy("所在地区区划代码"),
            required=True,
            parse=parsers.text(12),
            example="440104003104",
            help=gettext_lazy("12 位统计用区划代码，须在您的管辖范围内"),
            width=16,
        ),
        Column(
            "station",
            gettext_lazy("管理站点编码"),
            required=True,
            parse=parsers.text(16),
            example="S440104003",
            help=gettext_lazy("覆盖所在地区的站点编码"),
            width=14,
        ),
        Column(
            "skills",
            gettext_lazy("技能特长"),
            parse=parsers.text(500),
            help=gettext_lazy("字典“志愿者技能”中的名称，多个用顿号分隔"),
            width=20,
        ),
        Column("availability", gettext_lazy("可服务时间"), parse=parsers.text(200), example="周末上午", width=14),
        Column(
            "registered_on", gettext_lazy("注册日期"), parse=parsers.date(), help=gettext_lazy("留空为今天"), width=12
        ),
    ]
    unique_together = [("id_number",)]

    def prepare(self, actor) -> dict:
        from shegong.refdata.models import DictionaryItem

        skills = {}
        for pk, code, name in DictionaryItem.objects.filter(
            dictionary__code=SKILL_DICTIONARY, is_active=True
        ).values_list("pk", "code", "name"):
            skills[name] = skills[code] = pk
        return {
            "skills": skills,
            "reach": reach_of(actor, self.permission),
            "regions": {},
            "stations": {},
            "today": timezone.localdate(),
        }

    def _region(self, code: str, context: dict):
        try:
            code = canonical(code)
        except InvalidCode:
            return None
        if code not in context["regions"]:
            context["regions"][code] = Region.objects.filter(pk=code).first()
        return context["regions"][code]

    def _station(self, code: str, context: dict):
        if code not in context["stations"]:
            context["stations"][code] = (
                Station.objects.filter(code=code).values_list("pk", "region_id", "region__level", "agency_id").first()
            )
        return context["stations"][code]

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors: list[str] = []
        values["_id_index"] = blind_index_for(Volunteer, "id_number", values["id_number"])
        if Volunteer.objects.filter(id_number_index=values["_id_index"]).exists():
            errors.append(_("身份证号：已登记为志愿者，同一人不能重复登记"))
        region = self._region(values["region"], context)
        station = self._station(values["station"], context)
        if region is None:
            errors.append(_("所在地区区划代码：没有这个区划"))
        else:
            values["region"] = region.code
            if station is None:
                errors.append(_("管理站点编码：没有这个站点"))
            else:
                low, high = subtree_bounds(station[1], station[2])
                if not low <= region.code <= high:
                    errors.append(_("管理站点编码：该站点不覆盖所在地区"))
            if not context["reach"].covers(region.code, station[3] if station is not None else None):
                errors.append(_("所在地区区划代码：不在您的管辖范围内"))
        values["_station"] = station[0] if station else None
        names = [part for part in LIST_SEPARATORS.split(values["skills"] or "") if part]
        unknown = [name for name in names if name not in context["skills"]]
        if unknown:
            errors.append(_("技能特长：“%(names)s”不在字典中") % {"names": "、".join(unknown)})
        values["_skills"] = sorted({context["skills"][name] for name in names if name not in unknown})
        if values["registered_on"] and values["registered_on"] > context["today"]:
            errors.append(_("注册日期：不能晚于今天"))
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        build = Builder(Volunteer)
        link = Volunteer.skills.through
        volunteers = []
        groups: dict[tuple[str, int], list] = {}
        for row in rows:
            row["registered_on"] = row["registered_on"] or context["today"]
            groups.setdefault((row["region"][:2], row["registered_on"].year), []).append(row)
        for (province, year), group in sorted(groups.items()):
            for row, number in zip(group, services.take_volunteer_numbers(province, year, len(group)), strict=True):
                facts = parse_recipient_id(row["id_number"])
                row["_volunteer"] = build(
                    number=number,
                    name=row["name"],
                    id_number=row["id_number"],
                    id_number_index=row["_id_index"],
                    birth_date=facts.birth_date,
                    sex=facts.sex,
                    phone=row["phone"] or "",
                    region_id=row["region"],
                    province_code=province,
                    station_id=row["_station"],
                    availability=row["availability"] or "",
                    status=Volunteer.Status.ACTIVE,
                    registered_on=row["registered_on"],
                    created_by_id=actor.pk if actor is not None else None,
                    created_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                volunteers.append(row["_volunteer"])
        Volunteer.objects.bulk_create(volunteers, batch_size=BATCH_SIZE)
        # bulk_create sends no signals: the imported volunteers count in the indicator aggregates (注册志愿者) here.
        maintenance.created_in_bulk(Volunteer, Q(pk__in=[volunteer.pk for volunteer in volunteers]))
        link.objects.bulk_create(
            [
                link(volunteer_id=row["_volunteer"].pk, dictionaryitem_id=skill)
                for row in rows
                for skill in row["_skills"]
            ],
            batch_size=BATCH_SIZE,
        )
        return len(volunteers)


class _DryRun(Exception):
    pass


def dry_run(write) -> list[str]:
    """Run a row's real write (the service) inside a savepoint and roll it back: the messages it refuses the row
    with, or [] when it would be written. So a row is checked by exactly the rules that will write it, and the good
    rows are written afterwards by the same services in the import's one transaction."""
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        return []
    except ValidationError as exc:
        return list(exc.messages)
    except PermissionDenied as exc:
        return [str(exc) or _("您没有执行此操作的权限。")]


def numbers(value) -> list[str]:
    return [part.upper() for part in LIST_SEPARATORS.split(value or "") if part]


class TeamImport(ImportSpec):
    """志愿服务队: one row per team, with its managing station (or agency), leader and members by volunteer number.
    Written by the team services (create, add member, set leader), each audited."""

    kind = "volunteer-teams"
    title = gettext_lazy("志愿服务队")
    permission = permissions.ADD_TEAM
    columns = [
        Column(
            "name", gettext_lazy("队名"), required=True, parse=parsers.text(100), example="北京街长者关爱队", width=18
        ),
        Column(
            "region",
            gettext_lazy("所在地区区划代码"),
            required=True,
            parse=parsers.text(12),
            example="440104003000",
            help=gettext_lazy("12 位统计用区划代码，须在您的管辖范围内"),
            width=16,
        ),
        Column(
            "station",
            gettext_lazy("管理站点编码"),
            parse=parsers.text(16),
            example="S440104003",
            help=gettext_lazy("管理站点编码和管理机构统一社会信用代码至少填一项"),
            width=14,
        ),
        Column("agency", gettext_lazy("管理机构统一社会信用代码"), parse=parsers.credit_code(), width=22),
        Column(
            "leader",
            gettext_lazy("队长志愿者编号"),
            parse=parsers.text(20),
            example="V442026000001",
            help=gettext_lazy("队长同时是队员"),
            width=16,
        ),
        Column(
            "members",
            gettext_lazy("队员志愿者编号"),
            parse=parsers.text(5000),
            example="V442026000002、V442026000003",
            help=gettext_lazy("多个用顿号分隔"),
            width=30,
        ),
        Column("founded_on", gettext_lazy("成立日期"), parse=parsers.date(), example="2026-01-01", width=12),
    ]
    unique_together = [("region", "name")]

    def prepare(self, actor) -> dict:
        return {"regions": {}, "stations": {}, "agencies": {}, "today": timezone.localdate()}

    def _resolve(self, values: dict, context: dict, actor) -> list[str]:
        from shegong.agencies.models import Agency

        errors = []
        try:
            code = canonical(values["region"])
        except InvalidCode:
            code = None
        region = context["regions"].setdefault(code, Region.objects.filter(pk=code).first() if code else None)
        if region is None:
            errors.append(_("所在地区区划代码：没有这个区划"))
        station = agency = None
        if values["station"]:
            key = values["station"].upper()
            station = context["stations"].setdefault(key, Station.objects.filter(code=key).first())
            if station is None:
                errors.append(_("管理站点编码：没有这个站点"))
        if values["agency"]:
            agency = context["agencies"].setdefault(
                values["agency"], Agency.objects.filter(credit_code=values["agency"]).first()
            )
            if agency is None:
                errors.append(_("管理机构统一社会信用代码：没有这个机构"))
        if not values["station"] and not values["agency"]:
            errors.append(_("管理站点编码：管理站点和管理机构至少填一项"))
        if values["founded_on"] and values["founded_on"] > context["today"]:
            errors.append(_("成立日期：不能晚于今天"))
        visible = Volunteer.objects.all() if actor is None else scoped(Volunteer, actor, permissions.VIEW)
        wanted = numbers(values["members"])
        leader = (values["leader"] or "").upper()
        if leader and leader not in wanted:
            wanted.insert(0, leader)
        found = {v.number: v for v in visible.filter(number__in=wanted)}
        missing = [number for number in wanted if number not in found]
        if missing:
            errors.append(
                _("队员志愿者编号：没有这些志愿者，或不在您的管辖范围内：%(numbers)s") % {"numbers": "、".join(missing)}
            )
        values["_region"], values["_station"], values["_agency"] = region, station, agency
        values["_members"] = [found[number] for number in dict.fromkeys(wanted) if number in found]
        values["_leader"] = found.get(leader)
        return errors

    def _write_row(self, values: dict, actor) -> VolunteerTeam:
        team = services.team_create(
            actor=actor,
            name=values["name"],
            region=values["_region"],
            station=values["_station"],
            agency=values["_agency"],
            founded_on=values["founded_on"],
        )
        for volunteer in values["_members"]:
            services.team_add_member(actor=actor, team=team, volunteer=volunteer)
        if values["_leader"] is not None:
            services.team_set_leader(actor=actor, team=team, volunteer=values["_leader"])
        return team

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors = self._resolve(values, context, actor)
        return errors or dry_run(lambda: self._write_row(values, actor))

    def write(self, rows: list[dict], context: dict, actor) -> int:
        for row in rows:
            self._write_row(row, actor)
        return len(rows)


def register_all() -> None:
    register(VolunteerImport())
    register(TeamImport())
