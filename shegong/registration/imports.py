"""Excel import of training records ("training-records", at /tabular/import/training-records/).

Each row names the worker by 身份证号 (looked up through its keyed hash, only among the workers the importer may add
records for), the kind, title, provider, hours and dates. Rows are refused for an unknown or out-of-scope worker,
a name that does not match, impossible dates or hours (services.training_problems, the same checks as the form), and
duplicates inside the file or against the database (same worker, kind, title and start date).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.fields import matching
from shegong.core.scope import scoped
from shegong.registration import services
from shegong.registration.models import TrainingRecord
from shegong.registration.selectors import ADD_TRAINING
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec

EXAMPLE_ID = "11010519491231002X"


class TrainingRecordSpec(ImportSpec):
    kind = "training-records"
    title = gettext_lazy("继续教育记录")
    permission = ADD_TRAINING
    columns = [
        Column(
            "id_number",
            gettext_lazy("身份证号"),
            required=True,
            parse=parsers.id_number(),
            example=EXAMPLE_ID,
            help=gettext_lazy("18 位居民身份证号码；须是系统中已登记、在您管辖范围内的社会工作者"),
            width=22,
        ),
        Column(
            "name",
            gettext_lazy("姓名"),
            parse=parsers.text(50),
            example="张三",
            help=gettext_lazy("可不填；填写时须与系统中该身份证号的姓名一致，用于核对"),
        ),
        Column(
            "kind",
            gettext_lazy("类别"),
            required=True,
            parse=parsers.choice(dict(TrainingRecord.Kind.choices)),
            example=str(TrainingRecord.Kind.CONTINUING.label),
            help=gettext_lazy("继续教育、培训或社会工作学历教育"),
        ),
        Column("title", gettext_lazy("名称"), required=True, parse=parsers.text(200), example="社会工作伦理与实务专题"),
        Column(
            "provider", gettext_lazy("举办单位"), required=True, parse=parsers.text(200), example="广州市社会工作协会"
        ),
        Column(
            "hours",
            gettext_lazy("学时"),
            parse=parsers.decimal(places=1),
            example=24,
            help=gettext_lazy("大于 0，每天不超过 12 小时；学历教育不填（按规定折算）"),
            width=10,
        ),
        Column("start_date", gettext_lazy("开始日期"), required=True, parse=parsers.date(), example="2025-03-01"),
        Column(
            "end_date",
            gettext_lazy("结束日期"),
            required=True,
            parse=parsers.date(),
            example="2025-03-03",
            help=gettext_lazy("不能早于开始日期，不能晚于今天"),
        ),
        Column("note", gettext_lazy("备注"), parse=parsers.text(500)),
    ]
    unique_together = [("id_number", "kind", "title", "start_date")]

    def prepare(self, actor) -> dict:
        # Workers are looked up row by row through the unique keyed-hash index, and remembered: a file usually holds
        # many rows per person, and loading every worker of a city up front would cost more than it saves.
        return {"workers": {}, "candidates": scoped(self._workers(), actor, ADD_TRAINING)}

    @staticmethod
    def _workers():
        from shegong.workers.models import SocialWorker

        return SocialWorker.objects.only("pk", "name", "region_id", "agency_id", "account_id")

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        errors = []
        cache = context["workers"]
        id_number = values["id_number"]
        if id_number not in cache:
            cache[id_number] = matching(context["candidates"], "id_number", id_number).first()
        worker = cache[id_number]
        if worker is None:
            errors.append(_("系统中没有这个身份证号的社会工作者，或其不在您的管辖范围内"))
        elif values.get("name") and values["name"] != worker.name:
            errors.append(_("姓名与系统中该身份证号的社会工作者（%(name)s）不一致") % {"name": worker.name})
        problems = services.training_problems(
            kind=values["kind"], hours=values.get("hours"), start_date=values["start_date"], end_date=values["end_date"]
        )
        labels = {column.key: str(column.header) for column in self.columns}
        for name, messages in problems.items():
            errors.extend(f"{labels[name]}：{message}" for message in messages)
        if worker is not None and not errors:
            duplicate = TrainingRecord.objects.filter(
                worker=worker, kind=values["kind"], title=values["title"], start_date=values["start_date"]
            ).exists()
            if duplicate:
                errors.append(_("系统中已有该社会工作者同一类别、同一名称、同日开始的学习记录"))
        return errors

    def write(self, rows: list[dict], context: dict, actor) -> int:
        workers = context["workers"]
        return services.training_records_import(
            rows=[{**row, "worker_id": workers[row["id_number"]].pk} for row in rows], actor=actor
        )
