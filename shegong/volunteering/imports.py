"""Excel import of volunteer needs (志愿需求) through the tabular framework: one row per shift (班次).

A need is named by its target (a community activity, a group or a project, by type and code) with its title and
roles: the rows that share these four cells are one need with several shifts. The organiser is found as on the page
(the signed-in social worker, else the target's organiser or leader). Every row is checked by the real service in a
savepoint (volunteers.imports.dry_run) and the good rows are written by `need_post`, one need per group, audited.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.scope import scoped
from shegong.groupwork.models import CommunityActivity, GroupWork
from shegong.projects.models import Project
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.volunteering import services
from shegong.volunteers.imports import dry_run
from shegong.workers.models import SocialWorker

TARGETS = {
    "activity": (CommunityActivity, gettext_lazy("社区活动")),
    "group": (GroupWork, gettext_lazy("小组")),
    "project": (Project, gettext_lazy("服务项目")),
}
TIME = re.compile(r"(\d{1,2})[:：](\d{2})(?::\d{2})?")


def clock() -> parsers.Parser:
    """A time cell, or text such as 09:00 or 9：30."""

    def parse(value):
        if isinstance(value, dt.datetime):
            return value.time()
        if isinstance(value, dt.time):
            return value
        raw = parsers.as_text(value)
        match = TIME.fullmatch(raw)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return dt.time(hour, minute)
        raise ValidationError(_("“%(value)s”不是有效时间，请写成 09:00。") % {"value": raw})

    return parse


class NeedImport(ImportSpec):
    kind = "volunteer-needs"
    title = gettext_lazy("志愿需求")
    permission = services.ADD_NEED
    columns = [
        Column(
            "target_kind",
            gettext_lazy("挂靠类型"),
            required=True,
            parse=parsers.choice({key: label for key, (_model, label) in TARGETS.items()}),
            example="社区活动",
            help=gettext_lazy("社区活动、小组或服务项目"),
            width=12,
        ),
        Column(
            "target_code",
            gettext_lazy("活动、小组或项目编号"),
            required=True,
            parse=parsers.text(32),
            help=gettext_lazy("须在您的管辖范围内"),
            width=20,
        ),
        Column(
            "title", gettext_lazy("需求名称"), required=True, parse=parsers.text(200), example="邻里节志愿者", width=18
        ),
        Column(
            "roles",
            gettext_lazy("所需岗位"),
            required=True,
            parse=parsers.text(300),
            example="引导员",
            help=gettext_lazy("挂靠、编号、需求名称和岗位都相同的行是同一需求的多个班次"),
            width=14,
        ),
        Column("place", gettext_lazy("服务地点"), required=True, parse=parsers.text(200), example="社区广场", width=14),
        Column("description", gettext_lazy("服务内容"), parse=parsers.text(2000), width=20),
        Column("day", gettext_lazy("日期"), required=True, parse=parsers.date(), example="2026-12-01", width=12),
        Column("starts_at", gettext_lazy("开始时间"), required=True, parse=clock(), example="09:00", width=10),
        Column("ends_at", gettext_lazy("结束时间"), required=True, parse=clock(), example="12:00", width=10),
        Column("needed", gettext_lazy("需要人数"), required=True, parse=parsers.integer(1, 500), example=5, width=10),
    ]
    unique_together = [("target_kind", "target_code", "title", "roles", "day", "starts_at")]

    def prepare(self, actor) -> dict:
        own = SocialWorker.objects.filter(account=actor).first() if actor is not None else None
        return {"targets": {}, "own": own, "today": timezone.localdate()}

    def _target(self, values: dict, context: dict, actor):
        key = (values["target_kind"], values["target_code"].upper())
        if key not in context["targets"]:
            model = TARGETS[key[0]][0]
            rows = model.objects.all() if actor is None else scoped(model, actor, services.ADD_NEED)
            context["targets"][key] = rows.filter(code__iexact=key[1]).first()
        return context["targets"][key]

    def _shift(self, values: dict) -> dict:
        return {key: values[key] for key in ("day", "starts_at", "ends_at", "needed")}

    def _post(self, values: dict, shifts: list[dict], actor):
        return services.need_post(
            actor=actor,
            target=values["_target"],
            organiser=values["_organiser"],
            title=values["title"],
            roles=values["roles"],
            place=values["place"],
            description=values["description"] or "",
            shifts=shifts,
        )

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        target = self._target(values, context, actor)
        if target is None:
            return [_("活动、小组或项目编号：没有这个编号，或不在您的管辖范围内")]
        organiser = context["own"] or getattr(target, "organiser", None) or getattr(target, "leader", None)
        if organiser is None:
            return [_("找不到组织社工：请由社工本人导入，或先为该活动、小组或项目指定负责社工")]
        if values["day"] < context["today"]:
            return [_("日期：不能早于今天")]
        values["_target"], values["_organiser"] = target, organiser
        return dry_run(lambda: self._post(values, [self._shift(values)], actor))

    def write(self, rows: list[dict], context: dict, actor) -> int:
        needs: dict[tuple, list[dict]] = {}
        for row in rows:
            key = (row["target_kind"], row["_target"].pk, row["title"], row["roles"])
            needs.setdefault(key, []).append(row)
        for group in needs.values():
            self._post(group[0], [self._shift(row) for row in group], actor)
        return len(rows)


def register_all() -> None:
    register(NeedImport())
