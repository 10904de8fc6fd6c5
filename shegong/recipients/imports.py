"""Excel import of recipients (服务对象) through the tabular framework: one row per person.

Every row is checked like the registration form (ID number by python-stdnum's check character, or a reason with a
birth date and sex; a level-5 community inside the importer's scope; a station that serves it; categories from the
recipient_category dictionary; consent date and scope). ID numbers repeated inside the file are reported by the
framework, those already registered (withdrawn consents included) here, without naming the existing record. Good rows
are written in bulk (the encrypted fields sealed by bulk_create, the keyed hashes filled) in one transaction.
"""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.fields import blind_index_for
from shegong.core.scope import reach_of
from shegong.recipients import permissions
from shegong.recipients.identity import parse_recipient_id
from shegong.recipients.models import CATEGORY_DICTIONARY, ConsentScope, Recipient, RecipientCategory
from shegong.regions.codes import InvalidCode, canonical, subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.workers.identity import name_initials
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


class RecipientImport(ImportSpec):
    kind = "recipients"
    title = gettext_lazy("服务对象")
    permission = permissions.ADD
    columns = [
        Column("name", gettext_lazy("姓名"), required=True, parse=parsers.text(50), example="何阿婆", width=12),
        Column(
            "id_number",
            gettext_lazy("身份证号"),
            parse=identity(),
            example="440104193808080215",
            help=gettext_lazy("有则填写，出生日期和性别由号码得出；没有时填写下面三列"),
            width=22,
        ),
        Column(
            "no_id_reason",
            gettext_lazy("无身份证号原因"),
            parse=parsers.choice(dict(Recipient.NoIdReason.choices)),
            help=gettext_lazy("无证件、外籍、未成年未办证、港澳台居民、其他"),
            width=14,
        ),
        Column("birth_date", gettext_lazy("出生日期"), parse=parsers.date(), width=12),
        Column("sex", gettext_lazy("性别"), parse=parsers.choice(dict(Recipient.Sex.choices)), width=6),
        Column("phone", gettext_lazy("联系电话"), parse=parsers.phone(), example="13712345678", width=14),
        Column(
            "community",
            gettext_lazy("所在村（社区）区划代码"),
            required=True,
            parse=parsers.text(12),
            example="440104003104",
            help=gettext_lazy("12 位统计用区划代码，须在您的管辖范围内"),
            width=16,
        ),
        Column("station", gettext_lazy("服务站点编码"), parse=parsers.text(16), width=14),
        Column(
            "categories",
            gettext_lazy("服务对象类别"),
            parse=parsers.text(500),
            example="特困、独居",
            help=gettext_lazy("字典“服务对象类别”中的名称，多个用顿号分隔"),
            width=20,
        ),
        Column(
            "attention_level",
            gettext_lazy("关注等级"),
            parse=parsers.integer(1, 6),
            example=3,
            help=gettext_lazy("1 至 6，留空为 6"),
            width=8,
        ),
        Column("last_visit_on", gettext_lazy("最近探访日期"), parse=parsers.date(), width=12),
        Column("household_separated", gettext_lazy("人户分离"), parse=parsers.boolean(), example="否", width=8),
        Column("contact_name", gettext_lazy("监护人或联系人"), parse=parsers.text(50), width=12),
        Column("contact_relation", gettext_lazy("与本人关系"), parse=parsers.text(20), width=10),
        Column("contact_phone", gettext_lazy("联系人电话"), parse=parsers.phone(), width=14),
        Column(
            "consent_given_on",
            gettext_lazy("知情同意日期"),
            required=True,
            parse=parsers.date(),
            example="2026-01-10",
            width=12,
        ),
        Column(
            "consent_scopes",
            gettext_lazy("同意范围"),
            parse=parsers.text(200),
            example="服务记录、联系回访",
            help=gettext_lazy("服务记录、信息共享（转介）、联系回访、宣传报道（匿名）；留空为“服务记录”"),
            width=22,
        ),
    ]
    unique_together = [("id_number",)]

    def prepare(self, actor) -> dict:
        from shegong.refdata.models import DictionaryItem

        categories = {}
        for pk, code, name in DictionaryItem.objects.filter(
            dictionary__code=CATEGORY_DICTIONARY, is_active=True
        ).values_list("pk", "code", "name"):
            categories[name] = categories[code] = pk
        return {
            "categories": categories,
            "reach": reach_of(actor, self.permission),
            "communities": {},
            "stations": {},
            "today": timezone.localdate(),
        }

    def _community(self, code: str, context: dict):
        try:
            code = canonical(code)
        except InvalidCode:
            return None
        if code not in context["communities"]:
            context["communities"][code] = Region.objects.filter(pk=code, level=Region.Level.VILLAGE).first()
        return context["communities"][code]

    def _station(self, code: str, context: dict):
        if code not in context["stations"]:
            context["stations"][code] = (
                Station.objects.filter(code=code, kind__in=[Station.Kind.STATION, Station.Kind.ROOM])
                .values_list("pk", "region_id", "agency_id")
                .first()
            )
        return context["stations"][code]

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors: list[str] = []
        today = context["today"]
        if values["id_number"]:
            values["_id_index"] = blind_index_for(Recipient, "id_number", values["id_number"])
            if Recipient.all_records.filter(id_number_index=values["_id_index"]).exists():
                errors.append(_("身份证号：已有服务对象登记记录，同一人不能重复登记"))
        else:
            values["_id_index"] = None
            if not values["no_id_reason"]:
                errors.append(_("无身份证号原因：没有身份证号时必须填写"))
            if not values["birth_date"]:
                errors.append(_("出生日期：没有身份证号时必须填写"))
            elif values["birth_date"] > today:
                errors.append(_("出生日期：不能晚于今天"))
            if not values["sex"]:
                errors.append(_("性别：没有身份证号时必须填写"))
        community = self._community(values["community"], context)
        station = self._station(values["station"], context) if values["station"] else None
        if community is None:
            errors.append(_("所在村（社区）区划代码：没有这个村（社区）一级的区划"))
        else:
            values["community"] = community.code
            if values["station"] and station is None:
                errors.append(_("服务站点编码：没有这个镇街社工站或村社社工室"))
            elif station is not None:
                low, high = subtree_bounds(station[1], Region.objects.get(pk=station[1]).level)
                if not low <= community.code <= high:
                    errors.append(_("服务站点编码：该站点不覆盖这个村（社区）"))
            if not context["reach"].covers(community.code, station[2] if station is not None else None):
                errors.append(_("所在村（社区）区划代码：不在您的管辖范围内"))
        values["_station"] = station[0] if station else None
        names = [part for part in LIST_SEPARATORS.split(values["categories"] or "") if part]
        unknown = [name for name in names if name not in context["categories"]]
        if unknown:
            errors.append(_("服务对象类别：“%(names)s”不在字典中") % {"names": "、".join(unknown)})
        values["_categories"] = sorted({context["categories"][name] for name in names if name not in unknown})
        labels = {str(label): value for value, label in ConsentScope.choices}
        scopes = [part for part in LIST_SEPARATORS.split(values["consent_scopes"] or "") if part] or [
            str(ConsentScope.SERVICE_RECORD.label)
        ]
        if any(scope not in labels and scope not in labels.values() for scope in scopes):
            errors.append(_("同意范围：只能填写服务记录、信息共享（转介）、联系回访、宣传报道（匿名）"))
        else:
            chosen = {labels.get(scope, scope) for scope in scopes}
            if ConsentScope.SERVICE_RECORD not in chosen:
                errors.append(_("同意范围：须包含“服务记录”"))
            values["consent_scopes"] = [scope for scope in ConsentScope.values if scope in chosen]
        if values["consent_given_on"] > today:
            errors.append(_("知情同意日期：不能晚于今天"))
        if values["last_visit_on"] and values["last_visit_on"] > today:
            errors.append(_("最近探访日期：不能晚于今天"))
        if (values["contact_phone"] or values["contact_relation"]) and not values["contact_name"]:
            errors.append(_("监护人或联系人：填写联系人电话或关系时必须填写"))
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        build, build_link = Builder(Recipient), Builder(RecipientCategory)
        recipients = []
        for row in rows:
            if row["id_number"]:
                facts = parse_recipient_id(row["id_number"])
                birth_date, sex, reason = facts.birth_date, facts.sex, ""
            else:
                birth_date, sex, reason = row["birth_date"], row["sex"], row["no_id_reason"]
            recipients.append(
                build(
                    name=row["name"],
                    name_initials=name_initials(row["name"]),
                    id_number=row["id_number"] or "",
                    id_number_index=row["_id_index"],
                    no_id_reason=reason,
                    birth_date=birth_date,
                    sex=sex,
                    phone=row["phone"] or "",
                    community_id=row["community"],
                    province_code=row["community"][:2],
                    station_id=row["_station"],
                    attention_level=row["attention_level"] or 6,
                    last_visit_on=row["last_visit_on"],
                    household_separated=bool(row["household_separated"]),
                    contact_name=row["contact_name"] or "",
                    contact_relation=row["contact_relation"] or "",
                    contact_phone=row["contact_phone"] or "",
                    consent_given_on=row["consent_given_on"],
                    consent_scopes=row["consent_scopes"],
                    created_by_id=actor.pk if actor is not None else None,
                )
            )
        Recipient.all_records.bulk_create(recipients, batch_size=BATCH_SIZE)
        RecipientCategory.objects.bulk_create(
            [
                build_link(recipient_id=recipient.pk, category_id=category)
                for recipient, row in zip(recipients, rows, strict=True)
                for category in row["_categories"]
            ],
            batch_size=BATCH_SIZE,
        )
        return len(recipients)


def register_all() -> None:
    register(RecipientImport())
