"""Excel import of community activities (社区活动) through the tabular framework: one row per activity held.

Every row is checked like the form: a station the importer may record at, a community (level 5) under it, the
organiser by ID number (keyed hash; the worker must be one the importer keeps activities for, or the importer), a domain
of the service_domain dictionary (name or code), a date not in the future, a participant count not below the named
participants. Good rows go through `services.activity_create`, so each gets its code, its 服务人次 and its audit entry
exactly as from the form, all in the framework's one transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.fields import blind_index_for
from shegong.core.scope import scoped
from shegong.groupwork import permissions, services
from shegong.groupwork.models import DOMAIN_DICTIONARY
from shegong.recipients.imports import LIST_SEPARATORS
from shegong.regions.codes import InvalidCode, canonical, subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.workers.models import SocialWorker


def clock() -> parsers.Parser:
    """A time of day: an Excel time cell or text such as 9:30 / 14:00."""

    def parse(value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.time().replace(second=0, microsecond=0)
        if isinstance(value, datetime.time):
            return value.replace(second=0, microsecond=0)
        text = parsers.as_text(value).replace("：", ":")
        try:
            return datetime.datetime.strptime(text, "%H:%M").time()
        except ValueError:
            raise ValidationError(_("时间应写成 时:分，如 9:30")) from None

    return parse


class ActivityImport(ImportSpec):
    kind = "activities"
    title = gettext_lazy("社区活动")
    permission = permissions.ADD_ACTIVITY
    columns = [
        Column("title", gettext_lazy("活动名称"), required=True, parse=parsers.text(200), example="邻里节", width=18),
        Column("held_on", gettext_lazy("活动日期"), required=True, parse=parsers.date(), example="2026-03-05"),
        Column("starts_at", gettext_lazy("开始时间"), parse=clock(), example="9:30", width=10),
        Column("ends_at", gettext_lazy("结束时间"), parse=clock(), example="11:30", width=10),
        Column(
            "domain",
            gettext_lazy("服务领域"),
            required=True,
            parse=parsers.text(50),
            example="社区建设",
            help=gettext_lazy("字典“服务领域”中的名称或代码"),
            width=12,
        ),
        Column("place", gettext_lazy("活动地点"), required=True, parse=parsers.text(200), example="社区广场"),
        Column(
            "community",
            gettext_lazy("所在村（社区）区划代码"),
            required=True,
            parse=parsers.text(12),
            example="440104003104",
            help=gettext_lazy("12 位统计用区划代码，须在站点的服务区域内"),
            width=16,
        ),
        Column("station", gettext_lazy("站点编码"), required=True, parse=parsers.text(16), width=14),
        Column(
            "organiser",
            gettext_lazy("组织社工身份证号"),
            required=True,
            parse=parsers.id_number(),
            help=gettext_lazy("人才库中的社工"),
            width=22,
        ),
        Column(
            "participants_count",
            gettext_lazy("参与人数"),
            required=True,
            parse=parsers.integer(0, 100_000),
            example=40,
            width=10,
        ),
        Column(
            "participant_names",
            gettext_lazy("未登记参与者姓名"),
            parse=parsers.text(2000),
            help=gettext_lazy("多个用顿号分隔；参与人数不能少于姓名个数"),
            width=20,
        ),
        Column("volunteers_count", gettext_lazy("志愿者人数"), parse=parsers.integer(0, 10_000), example=3, width=10),
        Column("volunteer_names", gettext_lazy("志愿者姓名"), parse=parsers.text(2000), width=20),
        Column("description", gettext_lazy("活动内容"), parse=parsers.text(4000), width=30),
    ]

    def prepare(self, actor) -> dict:
        from shegong.refdata.models import DictionaryItem

        domains = {}
        for code, name in DictionaryItem.objects.filter(dictionary__code=DOMAIN_DICTIONARY, is_active=True).values_list(
            "code", "name"
        ):
            domains[name] = domains[code] = code
        return {
            "domains": domains,
            "stations": {},
            "communities": {},
            "workers": {},
            "today": timezone.localdate(),
        }

    def _station(self, code: str, context: dict, actor):
        """(station, may add here, may keep any activity here) for a station code, or None."""
        if code not in context["stations"]:
            station = Station.objects.select_related("region").filter(code=code).first()
            if station is None or actor is None:
                context["stations"][code] = (station, True, True) if station else None
            else:
                context["stations"][code] = (
                    station,
                    scoped(Station, actor, permissions.ADD_ACTIVITY).filter(pk=station.pk).exists(),
                    scoped(Station, actor, permissions.CHANGE_ACTIVITY).filter(pk=station.pk).exists(),
                )
        return context["stations"][code]

    def _community(self, code: str, context: dict):
        try:
            code = canonical(code)
        except InvalidCode:
            return None
        if code not in context["communities"]:
            context["communities"][code] = Region.objects.filter(pk=code, level=Region.Level.VILLAGE).first()
        return context["communities"][code]

    def _worker(self, number: str, context: dict):
        if number not in context["workers"]:
            index = blind_index_for(SocialWorker, "id_number", number)
            context["workers"][number] = SocialWorker.objects.filter(id_number_index=index).first()
        return context["workers"][number]

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors: list[str] = []
        domain = context["domains"].get(values["domain"])
        if domain is None:
            errors.append(_("服务领域：“%(value)s”不在字典中") % {"value": values["domain"]})
        values["domain"] = domain
        found = self._station(values["station"], context, actor)
        community = self._community(values["community"], context)
        organiser = self._worker(values["organiser"], context)
        if found is None:
            errors.append(_("站点编码：没有这个站点"))
        elif not found[1]:
            errors.append(_("站点编码：不在您的管辖范围内"))
        if community is None:
            errors.append(_("所在村（社区）区划代码：没有这个村（社区）一级的区划"))
        elif found is not None:
            low, high = subtree_bounds(found[0].region_id, found[0].region.level)
            if not low <= community.code <= high:
                errors.append(_("所在村（社区）区划代码：不在该站点的服务区域内"))
        if organiser is None:
            errors.append(_("组织社工身份证号：人才库中没有这位社工"))
        elif found is not None and found[1] and not found[2] and organiser.account_id != getattr(actor, "pk", None):
            errors.append(_("组织社工身份证号：社工只能登记本人组织的活动"))
        values["_station"], values["_community"], values["_organiser"] = (
            found[0] if found else None,
            community,
            organiser,
        )
        if values["held_on"] > context["today"]:
            errors.append(_("活动日期：不能晚于今天"))
        if values["starts_at"] and values["ends_at"] and values["ends_at"] < values["starts_at"]:
            errors.append(_("结束时间：不能早于开始时间"))
        names = [part for part in LIST_SEPARATORS.split(values["participant_names"] or "") if part]
        values["participant_names"] = names
        if values["participants_count"] < len(names):
            errors.append(_("参与人数：不能少于未登记参与者姓名的个数（%(named)d）") % {"named": len(names)})
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        for row in rows:
            services.activity_create(
                actor=actor,
                station=row["_station"],
                community=row["_community"],
                organiser=row["_organiser"],
                title=row["title"],
                held_on=row["held_on"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                domain=row["domain"],
                place=row["place"],
                description=row["description"] or "",
                participants_count=row["participants_count"],
                participant_names=row["participant_names"],
                volunteers_count=row["volunteers_count"] or 0,
                volunteer_names=row["volunteer_names"] or "",
            )
        return len(rows)


def register_all() -> None:
    register(ActivityImport())
