"""Excel imports of the talent pool, through the tabular framework (template, per-row error report, background run,
all-or-nothing or good rows only): "workers" (人员, optionally with one certificate in the same row) and
"certificates" (证书 of workers already on the register).

Speed (the benchmark asks ≥ 5,000 rows/s): `prepare` loads what the row checks compare against into memory once
(existing keyed hashes, certificate numbers, agencies, dictionaries), so `check_row` runs no query in the usual case;
`write` builds every row in Python and inserts with bulk_create in batches. bulk_create runs each field's pre_save,
so EncryptedCharField seals the ID number and phone and fills their keyed hashes exactly as save() does (tested).

Existing keyed hashes are kept as their first 64 bits (an int, about 60 bytes each in a set: a million workers is
some 60 MB): a hit is confirmed with one exact query, so a prefix collision can never refuse a good row.
"""

import re

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.agencies.models import Agency
from shegong.analytics import maintenance
from shegong.core.crypto import blind_index
from shegong.core.scope import scoped
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.workers import permissions, selectors, vocabulary
from shegong.workers.grades import CertificateLevel, JobGrade, required_level, satisfies
from shegong.workers.identity import IdentityFacts, name_initials, parse_id_number
from shegong.workers.models import Certificate, SocialWorker, WorkerServiceDomain
from shegong.workers.services import FIRST_CERTIFICATE_YEAR, clean_phone, highest_level

BATCH_SIZE = 2000
ANALYZE_AFTER = 5000  # rows written in one import
CODED_COLUMNS = (
    ("education", vocabulary.EDUCATION, gettext_lazy("学历")),
    ("employer_kind", vocabulary.EMPLOYER_KIND, gettext_lazy("其他工作单位类型")),
    ("post_type", vocabulary.POST_TYPE, gettext_lazy("岗位类型")),
)
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def _hash_prefix(index: str) -> int:
    return int(index[:16], 16)


def _id_index(number: str) -> str:
    field = SocialWorker._meta.get_field("id_number")
    return blind_index(number, purpose=field._context)


def identity() -> parsers.Parser:
    """The ID number cell, checked and read by identity.parse_id_number (birth date and sex come with it)."""

    def parse(value) -> IdentityFacts:
        try:
            return parse_id_number(parsers.as_text(value))
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None

    return parse


def job_grade() -> parsers.Parser:
    """A job grade by its code, its full label, or its short name (社会工作师二级)."""
    options = {}
    for grade in JobGrade:
        options[grade.value] = grade.value
        options[str(grade.label)] = grade.value
        options[str(grade.label).split("（")[0]] = grade.value

    def parse(value):
        raw = parsers.as_text(value).replace("(", "（").replace(")", "）")
        if raw in options:
            return options[raw]
        raise ValidationError(
            _("“%(value)s”不是有效的岗位等级（例如：社会工作师二级、助理社会工作师一级）。") % {"value": raw}
        )

    return parse


def credit_code() -> parsers.Parser:
    """The agency's 统一社会信用代码, normalised; whether it is registered (and, if not, whether it is even valid) is
    decided in check_row, where a registered code is one dictionary lookup instead of a checksum computation."""

    def parse(value) -> str:
        return parsers.as_text(value).upper().replace(" ", "")

    return parse


def certificate_number() -> parsers.Parser:
    """Certificate numbers compare upper-case and without spaces, inside the file and against the database."""
    as_text = parsers.text(50)

    def parse(value) -> str:
        return as_text(value).upper().replace(" ", "")

    return parse


def _unknown_agency(code: str) -> str:
    try:
        parsers.credit_code()(code)
    except ValidationError as exc:
        return _("所在机构统一社会信用代码：%(reason)s") % {"reason": exc.messages[0]}
    return _("所在机构：统一社会信用代码为 %(code)s 的机构未在系统中登记，请先登记机构") % {"code": code}


def current_year() -> int:
    return timezone.localdate().year


class _Lookups:
    """Reference lists and regions, read once per import."""

    def __init__(self):
        self.tables = {
            name: vocabulary.options(name)
            for name in (vocabulary.EDUCATION, vocabulary.EMPLOYER_KIND, vocabulary.POST_TYPE)
        }
        self.reverse = {
            name: {**{str(label): code for code, label in table.items()}, **{code: code for code in table}}
            for name, table in self.tables.items()
        }
        self.domains = {}
        for item in vocabulary.domain_items():
            self.domains[item.code] = item.pk
            self.domains[item.name] = item.pk
        self._regions: dict[str, int | None] = {}

    def code(self, dictionary: str, value: str) -> str | None:
        return self.reverse[dictionary].get(value)

    def region_level(self, code: str) -> int | None:
        """The level of an existing region (None when unknown); a file names few regions, each read once."""
        if code not in self._regions:
            self._regions[code] = Region.objects.filter(code=code).values_list("level", flat=True).first()
        return self._regions[code]


class WorkerImport(ImportSpec):
    kind = "workers"
    title = gettext_lazy("社会工作者")
    permission = permissions.ADD
    columns = [
        Column("name", gettext_lazy("姓名"), required=True, parse=parsers.text(50), example="张三", width=10),
        Column(
            "id_number",
            gettext_lazy("身份证号"),
            required=True,
            parse=identity(),
            example="440104199001010010",
            help=gettext_lazy("18 位居民身份证号码，末位校验码须正确；出生日期和性别由号码得出。"),
            width=22,
        ),
        Column("phone", gettext_lazy("手机号"), parse=parsers.text(20), example="13800138000", width=14),
        Column(
            "education",
            gettext_lazy("学历"),
            example="大学本科",
            help=gettext_lazy("以系统字典“学历”为准，例如：博士研究生、硕士研究生、大学本科、大学专科"),
            width=12,
        ),
        Column(
            "major_social_work",
            gettext_lazy("社会工作专业"),
            parse=parsers.boolean(),
            example="是",
            help=gettext_lazy("是或否"),
            width=10,
        ),
        Column(
            "region",
            gettext_lazy("工作地区划代码"),
            parse=parsers.text(12),
            example="440104003000",
            help=gettext_lazy("统计用区划代码（6、9 或 12 位），至少到区县。机构人员可留空，默认为机构所在地区。"),
            width=16,
        ),
        Column(
            "agency",
            gettext_lazy("所在机构统一社会信用代码"),
            parse=credit_code(),
            example="",
            help=gettext_lazy("在社工机构任职时填写，机构须已在系统中登记；否则填写其他工作单位的类型和名称。"),
            width=22,
        ),
        Column(
            "employer_kind",
            gettext_lazy("其他工作单位类型"),
            example="社区",
            help=gettext_lazy(
                "不在社工机构任职时填写，以系统字典“用人单位类型”为准，例如：社区、事业单位、党政机关、群团组织、企业"
            ),
            width=14,
        ),
        Column(
            "employer_name",
            gettext_lazy("其他工作单位名称"),
            parse=parsers.text(200),
            example="北京街道仓边路社区居委会",
            width=20,
        ),
        Column(
            "post_type",
            gettext_lazy("岗位类型"),
            example="专业社工岗",
            help=gettext_lazy("以系统字典“岗位类型”为准，例如：专业社工岗、行政辅助岗、督导岗"),
            width=12,
        ),
        Column(
            "job_grade",
            gettext_lazy("岗位等级"),
            parse=job_grade(),
            example="助理社会工作师二级",
            help=gettext_lazy(
                "须持有相应等级的证书（可在本行同时填写证书）：高级社会工作师一至三级、社会工作师一至三级、"
                "助理社会工作师一、二级"
            ),
            width=18,
        ),
        Column(
            "service_domains",
            gettext_lazy("服务领域"),
            parse=parsers.text(500),
            example="社会救助、社区建设",
            help=gettext_lazy("可填多个，用顿号、逗号或空格分隔；名称以系统字典“服务领域”为准"),
            width=20,
        ),
        Column(
            "status",
            gettext_lazy("状态"),
            parse=parsers.choice(dict(SocialWorker.Status.choices)),
            example="在岗",
            help=gettext_lazy("在岗、离职或退休；留空为在岗"),
            width=8,
        ),
        Column(
            "certificate_level",
            gettext_lazy("证书等级"),
            parse=parsers.choice(dict(CertificateLevel.choices)),
            example="助理社会工作师",
            help=gettext_lazy("助理社会工作师、社会工作师或高级社会工作师；有证书时与证书编号、取得年份一并填写"),
            width=14,
        ),
        Column("certificate_number", gettext_lazy("证书编号"), parse=certificate_number(), example="", width=18),
        Column(
            "certificate_year",
            gettext_lazy("证书取得年份"),
            parse=parsers.integer(FIRST_CERTIFICATE_YEAR, 2100),
            example=2020,
            width=10,
        ),
        Column("certificate_authority", gettext_lazy("发证机关"), parse=parsers.text(100), example="", width=16),
    ]
    unique_together = [("id_number",), ("certificate_number",)]

    def prepare(self, actor) -> dict:
        return {
            "scope": selectors.ScopeCheck(actor, permissions.ADD),
            "existing_ids": {
                _hash_prefix(index)
                for index in SocialWorker.objects.values_list("id_number_index", flat=True).iterator(chunk_size=20000)
                if index
            },
            "existing_certificates": set(
                Certificate.objects.values_list("number", flat=True).iterator(chunk_size=20000)
            ),
            "agencies": {
                code: (pk, region) for code, pk, region in Agency.objects.values_list("credit_code", "pk", "region_id")
            },
            "lookups": _Lookups(),
            "year": current_year(),
        }

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors: list[str] = []
        lookups: _Lookups = context["lookups"]
        facts: IdentityFacts = values["id_number"]
        index = _id_index(facts.id_number)
        if (
            _hash_prefix(index) in context["existing_ids"]
            and SocialWorker.objects.filter(id_number_index=index).exists()
        ):
            errors.append(_("身份证号：该人员已在人才库中登记，不能重复登记"))
        values["_id_index"] = index
        if values["phone"]:
            try:
                values["phone"] = clean_phone(values["phone"])
            except ValidationError as exc:
                errors.append(_("手机号：%(reason)s") % {"reason": exc.messages[0]})
        for key, dictionary, header in CODED_COLUMNS:
            raw = values[key] or ""
            if raw:
                code = lookups.code(dictionary, raw)
                if code is None:
                    errors.append(
                        _("%(column)s：“%(value)s”不在可选范围内（%(allowed)s）")
                        % {"column": header, "value": raw, "allowed": "、".join(lookups.tables[dictionary].values())}
                    )
                values[key] = code or ""
            else:
                values[key] = ""
        agency_id = agency_region = None
        if values["agency"]:
            found = context["agencies"].get(values["agency"])
            if found is None:
                errors.append(_unknown_agency(values["agency"]))
            else:
                agency_id, agency_region = found
                if values["employer_kind"] or values["employer_name"]:
                    errors.append(_("在社工机构任职时无需填写其他工作单位；请二选一"))
        elif (values["status"] or SocialWorker.Status.ACTIVE) == SocialWorker.Status.ACTIVE and not (
            values["employer_kind"] and values["employer_name"]
        ):
            errors.append(_("在岗人员须填写所在机构统一社会信用代码，或其他工作单位的类型和名称"))
        region = self._region(values, agency_region, lookups, errors)
        values["_agency_id"], values["_region"] = agency_id, region
        if region and not errors and not context["scope"].allows(region, agency_id):
            errors.append(_("工作地区划或所在机构不在您的管辖范围内"))
        values["_domains"] = self._domains(values["service_domains"], lookups, errors)
        errors.extend(self._certificate(values, context))
        if values["job_grade"]:
            held = [values["certificate_level"]] if values["certificate_level"] else []
            if not satisfies(held, values["job_grade"]):
                errors.append(
                    _("岗位等级：“%(grade)s”须持有%(level)s或更高等级的证书，请在本行填写证书")
                    % {
                        "grade": JobGrade(values["job_grade"]).label,
                        "level": CertificateLevel(required_level(values["job_grade"])).label,
                    }
                )
        return errors

    @staticmethod
    def _region(values, agency_region, lookups: _Lookups, errors: list) -> str | None:
        raw = values["region"]
        if not raw:
            if agency_region:
                return agency_region
            errors.append(_("工作地区划代码：必须填写（机构人员可留空）"))
            return None
        try:
            code = canonical(raw)
        except InvalidCode:
            errors.append(_("工作地区划代码：“%(value)s”不是 6、9 或 12 位的区划代码") % {"value": raw})
            return None
        level = lookups.region_level(code)
        if level is None:
            errors.append(_("工作地区划代码：没有代码为 %(value)s 的行政区划") % {"value": raw})
            return None
        if level < Region.Level.COUNTY:
            errors.append(_("工作地区划代码：请至少填到区县"))
            return None
        return code

    @staticmethod
    def _domains(raw: str, lookups: _Lookups, errors: list) -> list[int]:
        names = [name for name in LIST_SEPARATORS.split(raw or "") if name]
        unknown = [name for name in names if name not in lookups.domains]
        if unknown:
            errors.append(_("服务领域：“%(names)s”不在系统字典中") % {"names": "、".join(unknown)})
        return sorted({lookups.domains[name] for name in names if name in lookups.domains})

    @staticmethod
    def _certificate(values: dict, context: dict) -> list[str]:
        given = [values["certificate_level"], values["certificate_number"], values["certificate_year"]]
        if not any(given):
            return []
        if not all(given):
            return [_("证书：证书等级、证书编号和取得年份须一并填写")]
        errors = []
        if values["certificate_number"] in context["existing_certificates"]:
            errors.append(_("证书编号：%(number)s 已登记过") % {"number": values["certificate_number"]})
        if values["certificate_year"] > context["year"]:
            errors.append(_("证书取得年份：不能晚于今年"))
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        build_worker = Builder(SocialWorker)
        workers = [
            build_worker(
                name=row["name"],
                name_initials=name_initials(row["name"]),
                id_number=row["id_number"].id_number,
                id_number_index=row["_id_index"],
                birth_date=row["id_number"].birth_date,
                sex=row["id_number"].sex,
                phone=row["phone"] or "",
                education=row["education"],
                major_social_work=bool(row["major_social_work"]),
                region_id=row["_region"],
                province_code=row["_region"][:2],
                agency_id=row["_agency_id"],
                employer_kind=row["employer_kind"],
                employer_name=row["employer_name"] or "",
                post_type=row["post_type"],
                job_grade=row["job_grade"] or "",
                highest_certificate=row["certificate_level"] or "",
                status=row["status"] or SocialWorker.Status.ACTIVE,
            )
            for row in rows
        ]
        SocialWorker.objects.bulk_create(workers, batch_size=BATCH_SIZE)
        insert_plain(
            Certificate,
            ["worker", "level", "number", "year_passed", "authority"],
            [
                (
                    worker.pk,
                    row["certificate_level"],
                    row["certificate_number"],
                    row["certificate_year"],
                    row["certificate_authority"] or "",
                )
                for worker, row in zip(workers, rows, strict=True)
                if row["certificate_level"]
            ],
        )
        insert_plain(
            WorkerServiceDomain,
            ["worker", "domain"],
            [(worker.pk, domain) for worker, row in zip(workers, rows, strict=True) for domain in row["_domains"]],
        )
        refresh_statistics(len(workers), SocialWorker, Certificate, WorkerServiceDomain)
        # Bulk inserts send no signals: count the new workers and certificates in the indicator aggregates.
        worker_ids = [worker.pk for worker in workers]
        maintenance.created_in_bulk(SocialWorker, Q(pk__in=worker_ids))
        maintenance.created_in_bulk(Certificate, Q(worker_id__in=worker_ids))
        return len(workers)


class CertificateImport(ImportSpec):
    kind = "certificates"
    title = gettext_lazy("职业水平证书")
    permission = permissions.ADD_CERTIFICATE
    columns = [
        Column(
            "id_number",
            gettext_lazy("身份证号"),
            required=True,
            parse=identity(),
            example="440104199001010010",
            help=gettext_lazy("证书持有人的身份证号；此人须已在人才库中登记，且在您的管辖范围内"),
            width=22,
        ),
        Column(
            "level",
            gettext_lazy("证书等级"),
            required=True,
            parse=parsers.choice(dict(CertificateLevel.choices)),
            example="社会工作师",
            help=gettext_lazy("助理社会工作师、社会工作师或高级社会工作师"),
            width=14,
        ),
        Column("number", gettext_lazy("证书编号"), required=True, parse=certificate_number(), example="", width=20),
        Column(
            "year",
            gettext_lazy("取得年份"),
            required=True,
            parse=parsers.integer(FIRST_CERTIFICATE_YEAR, 2100),
            example=2021,
            width=10,
        ),
        Column("authority", gettext_lazy("发证机关"), parse=parsers.text(100), example="", width=16),
    ]
    unique_together = [("number",), ("id_number", "level")]

    def prepare(self, actor) -> dict:
        reachable = scoped(SocialWorker, actor, permissions.ADD_CERTIFICATE)
        workers: dict[int, list[int]] = {}
        for index, pk in reachable.values_list("id_number_index", "pk").iterator(chunk_size=20000):
            if index:
                workers.setdefault(_hash_prefix(index), []).append(pk)
        levels: dict[int, set[str]] = {}
        held = Certificate.objects.filter(worker__in=reachable).values_list("worker_id", "level")
        for worker_id, level in held.iterator(chunk_size=20000):
            levels.setdefault(worker_id, set()).add(level)
        return {
            "workers": workers,
            "levels": levels,
            "existing_certificates": set(
                Certificate.objects.values_list("number", flat=True).iterator(chunk_size=20000)
            ),
            "year": current_year(),
        }

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors: list[str] = []
        facts: IdentityFacts = values["id_number"]
        index = _id_index(facts.id_number)
        candidates = context["workers"].get(_hash_prefix(index), [])
        worker_id = candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1:
            # Two workers share the first 64 bits of their keyed hash: ask the database which one this is.
            worker_id = (
                SocialWorker.objects.filter(pk__in=candidates, id_number_index=index)
                .values_list("pk", flat=True)
                .first()
            )
        if worker_id is None:
            errors.append(_("身份证号：人才库中没有此人，或不在您的管辖范围内；请先登记人员"))
        values["_worker_id"], values["_id_index"] = worker_id, index
        if values["number"] in context["existing_certificates"]:
            errors.append(_("证书编号：%(number)s 已登记过") % {"number": values["number"]})
        if values["year"] > context["year"]:
            errors.append(_("取得年份：不能晚于今年"))
        if worker_id is not None and values["level"] in context["levels"].get(worker_id, ()):
            errors.append(
                _("证书等级：该人员已登记过%(level)s证书") % {"level": CertificateLevel(values["level"]).label}
            )
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        touched = sorted({row["_worker_id"] for row in rows})
        workers = []
        for chunk in _chunks(touched):
            workers += SocialWorker.objects.filter(pk__in=chunk).only("pk", "id_number_index", "highest_certificate")
        stored = {worker.pk: worker.id_number_index for worker in workers}
        if any(stored.get(row["_worker_id"]) != row["_id_index"] for row in rows):
            # A row was matched on the first 64 bits of the keyed hash only; never attach a certificate to the
            # wrong person: refuse the whole write (the framework rolls it back and says so).
            raise ValidationError(_("证书持有人核对不一致，请重新导入。"))
        certificates = [
            Certificate(
                worker_id=row["_worker_id"],
                level=row["level"],
                number=row["number"],
                year_passed=row["year"],
                authority=row["authority"] or "",
            )
            for row in rows
        ]
        Certificate.objects.bulk_create(certificates, batch_size=BATCH_SIZE)
        held: dict[int, list[str]] = {}
        for chunk in _chunks(touched):
            for worker_id, level in Certificate.objects.filter(worker_id__in=chunk).values_list("worker_id", "level"):
                held.setdefault(worker_id, []).append(level)
        for worker in workers:
            worker.highest_certificate = highest_level(held.get(worker.pk, []))
        SocialWorker.objects.bulk_update(workers, ["highest_certificate"], batch_size=BATCH_SIZE)
        refresh_statistics(len(certificates), Certificate)
        maintenance.created_in_bulk(Certificate, Q(pk__in=[certificate.pk for certificate in certificates]))
        return len(certificates)


def insert_plain(model, columns: list[str], rows: list[tuple]) -> None:
    """Rows of a table whose values need nothing computed (no defaults, no encryption, no pre_save): the service
    domains and certificates of imported workers, one to three per worker.

    Model instances and bulk_create would only add their per-object cost, which for a few short values is most of the
    work. On PostgreSQL the rows go in as one array per column (as bulk_create itself does, through UNNEST), elsewhere
    through executemany. Values are written as given: the import has checked them against the same rules.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [(field.target_field if field.is_relation else field).db_type(connection) for field in fields]
            arrays = ", ".join(f"%s::{kind.split('(')[0]}[]" for kind in types)
            for start in range(0, len(rows), 50_000):
                chunk = rows[start : start + 50_000]
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT * FROM UNNEST({arrays})",
                    [list(column) for column in zip(*chunk, strict=True)],
                )
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


def refresh_statistics(written: int, *models) -> None:
    """After a large bulk write on PostgreSQL, bring the planner's statistics up to date inside the transaction.

    The foreign keys of the rows just written are checked at commit (deferred), one indexed lookup per row, with plans
    made from the statistics. If these say the table is empty while it is not (autovacuum analysed it after a large
    rollback or deletion), the planner may check `id = $1` by walking another index whole, and a commit that should
    take a second takes hours. ANALYZE counts the rows this transaction inserted, so the checks use the primary key.
    """
    if written < ANALYZE_AFTER or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class Builder:
    """Makes model instances from column values three times faster than Model(**kwargs), which an import of 100,000
    rows notices: Django's positional constructor (the one `from_db` uses) with every concrete field in model order,
    the fields not given taking their defaults. Built from the model's own field list, so it follows model changes."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.template = [field.get_default() for field in fields]
        self.position = {field.attname: index for index, field in enumerate(fields)}

    def __call__(self, **values):
        row = self.template.copy()
        for name, value in values.items():
            row[self.position[name]] = value
        return self.model(*row)


def _chunks(items: list, size: int = 5000):
    """Slices small enough for an IN (...) list on every database (SQLite limits the number of parameters)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def register_all() -> None:
    register(WorkerImport())
    register(CertificateImport())
