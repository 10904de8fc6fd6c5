"""Excel import of agencies (ImportSpec "agencies", at /tabular/import/agencies/): the framework reads the workbook,
parses each cell, refuses credit codes repeated inside the file and writes the good rows in one transaction, audited
as one import entry; this spec adds the checks against the database and the importer's scope, and the bulk write."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.agencies import selectors
from shegong.agencies.demo import demo_credit_code
from shegong.agencies.models import SERVICE_DOMAIN_DICTIONARY, Agency, AgencyServiceDomain
from shegong.analytics import maintenance
from shegong.core.scope import reach_of
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec

DOMAIN_SEPARATORS = ("、", "，", ",", "；", ";", "/")
REGION_LEVELS = (Region.Level.COUNTY, Region.Level.TOWNSHIP)


def split_domains(text: str) -> list[str]:
    for separator in DOMAIN_SEPARATORS[1:]:
        text = text.replace(separator, DOMAIN_SEPARATORS[0])
    return [part.strip() for part in text.split(DOMAIN_SEPARATORS[0]) if part.strip()]


class AgencyImport(ImportSpec):
    kind = "agencies"
    title = gettext_lazy("社会工作服务机构")
    permission = selectors.ADD
    columns = [
        Column(
            "name",
            gettext_lazy("机构名称"),
            required=True,
            parse=parsers.text(200),
            example="广州市示例社会工作服务中心",
            width=32,
        ),
        Column(
            "credit_code",
            gettext_lazy("统一社会信用代码"),
            required=True,
            parse=parsers.credit_code(),
            example=demo_credit_code(9_999_999),
            help=gettext_lazy("18 位，校验位须正确；同一代码只能登记一次"),
            width=22,
        ),
        Column(
            "legal_form",
            gettext_lazy("组织形式"),
            required=True,
            parse=parsers.choice(dict(Agency.LegalForm.choices)),
            example=str(Agency.LegalForm.SOCIAL_SERVICE.label),
            help=gettext_lazy("社会服务机构、社会团体、基金会、事业单位或企业"),
        ),
        Column(
            "registration_authority",
            gettext_lazy("登记管理机关"),
            required=True,
            parse=parsers.text(100),
            example="广州市越秀区民政局",
        ),
        Column(
            "region",
            gettext_lazy("所在区划代码"),
            required=True,
            parse=parsers.text(12),
            example="440104",
            help=gettext_lazy("区县（6 位）或街道、乡镇（9 位）的统计用区划代码，也可写成 12 位；须在您的管辖范围内"),
        ),
        Column(
            "founded_on",
            gettext_lazy("成立日期"),
            parse=parsers.date(),
            example="2015-03-01",
            help=gettext_lazy("例如 2015-03-01；不能晚于今天"),
        ),
        Column(
            "service_domains",
            gettext_lazy("服务领域"),
            parse=parsers.text(500),
            example="社会救助、婚姻家庭",
            help=gettext_lazy("字典中的服务领域名称，多个用“、”分隔"),
            width=28,
        ),
        Column("contact_person", gettext_lazy("联系人"), parse=parsers.text(50), example="张三"),
        Column("contact_phone", gettext_lazy("联系电话"), parse=parsers.phone(), example="13800138000"),
        Column("address", gettext_lazy("地址"), parse=parsers.text(200), example="广州市越秀区示例路 1 号", width=32),
    ]
    unique_together = [("credit_code",)]

    def prepare(self, actor) -> dict:
        from shegong.refdata.models import DictionaryItem

        return {
            "existing": set(Agency.objects.values_list("credit_code", flat=True)),
            "domains": dict(
                DictionaryItem.objects.filter(dictionary__code=SERVICE_DOMAIN_DICTIONARY, is_active=True).values_list(
                    "name", "pk"
                )
            ),
            "reach": reach_of(actor, self.permission),
            "regions": {},  # canonical code -> level, or None when unknown (looked up once per distinct code)
            "today": timezone.localdate(),
        }

    def _region_level(self, code: str, context: dict) -> int | None:
        cache = context["regions"]
        if code not in cache:
            cache[code] = Region.objects.filter(pk=code).values_list("level", flat=True).first()
        return cache[code]

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors = []
        if values["credit_code"] in context["existing"]:
            errors.append(_("统一社会信用代码 %(code)s 已在系统中登记") % {"code": values["credit_code"]})
        try:
            code = canonical(values["region"])
        except InvalidCode:
            errors.append(_("所在区划代码“%(code)s”格式不正确：应为 6、9 或 12 位数字") % {"code": values["region"]})
        else:
            level = self._region_level(code, context)
            if level is None:
                errors.append(_("所在区划代码 %(code)s 不存在") % {"code": values["region"]})
            elif level not in REGION_LEVELS:
                errors.append(_("所在区划须为区县或街道（乡镇），而不是“%(code)s”") % {"code": values["region"]})
            elif not context["reach"].covers(code):
                errors.append(_("所在区划 %(code)s 不在您的管辖范围内") % {"code": values["region"]})
            else:
                values["region"] = code
        if values["founded_on"] and values["founded_on"] > context["today"]:
            errors.append(_("成立日期不能晚于今天"))
        names = split_domains(values["service_domains"] or "")
        unknown = [name for name in names if name not in context["domains"]]
        if unknown:
            errors.append(_("未知的服务领域：%(names)s") % {"names": "、".join(unknown)})
        values["domain_ids"] = list(dict.fromkeys(context["domains"][name] for name in names if name not in unknown))
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        agencies = Agency.objects.bulk_create(
            [
                Agency(
                    name=row["name"],
                    credit_code=row["credit_code"],
                    legal_form=row["legal_form"],
                    registration_authority=row["registration_authority"],
                    region_id=row["region"],
                    founded_on=row["founded_on"],
                    contact_person=row["contact_person"] or "",
                    contact_phone=row["contact_phone"] or "",
                    address=row["address"] or "",
                )
                for row in rows
            ],
            batch_size=1000,
        )
        if any(agency.pk is None for agency in agencies):
            # Databases that do not return the new keys from a bulk insert: find them by the unique code.
            ids = dict(
                Agency.objects.filter(credit_code__in=[row["credit_code"] for row in rows]).values_list(
                    "credit_code", "pk"
                )
            )
            for agency in agencies:
                agency.pk = ids[agency.credit_code]
        AgencyServiceDomain.objects.bulk_create(
            [
                AgencyServiceDomain(agency_id=agency.pk, domain_id=domain_id)
                for agency, row in zip(agencies, rows, strict=True)
                for domain_id in row["domain_ids"]
            ],
            batch_size=1000,
        )
        # Bulk inserts send no signals: count the new agencies in the indicator aggregates.
        maintenance.created_in_bulk(Agency, Q(pk__in=[agency.pk for agency in agencies]))
        return len(agencies)
