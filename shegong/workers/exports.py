"""The talent pool list as an Excel workbook: the filtered list, personal identifiers masked unless the user may see
them in full (accounts.reveal_personal_data, within that permission's own scope), and the export audited."""

from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scope import NOTHING
from shegong.tabular.services import export_list
from shegong.workers import selectors, vocabulary
from shegong.workers.models import SocialWorker

BATCH = 2000


def headers() -> list[str]:
    return [
        _("姓名"),
        _("性别"),
        _("出生日期"),
        _("身份证号"),
        _("手机号"),
        _("学历"),
        _("社会工作专业"),
        _("工作地区划代码"),
        _("工作地区划"),
        _("所在机构"),
        _("所在机构统一社会信用代码"),
        _("其他工作单位类型"),
        _("其他工作单位名称"),
        _("岗位类型"),
        _("岗位等级"),
        _("最高证书等级"),
        _("服务领域"),
        _("一线社会工作者"),
        _("状态"),
        _("黑名单"),
    ]


def rows(workers, actor):
    """One list per worker, in the list's order; the service domains are read per batch, not per row."""
    today = timezone.localdate()
    workers = selectors.with_badges(workers, today).annotate(can_reveal=_can_reveal(actor))
    tables = vocabulary.all_options()
    yes, no = _("是"), _("否")
    batch: list[SocialWorker] = []
    for worker in workers.iterator(chunk_size=BATCH):
        batch.append(worker)
        if len(batch) >= BATCH:
            yield from _rows_of(batch, tables, yes, no)
            batch = []
    if batch:
        yield from _rows_of(batch, tables, yes, no)


def _can_reveal(actor):
    """Per row: may `actor` see this worker's identifiers in full? Decided by the database in the same query."""
    condition = selectors.reveal_scope_q(actor)
    if condition == Q():
        return Value(True)
    if condition == NOTHING:
        return Value(False)
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _rows_of(batch, tables, yes, no):
    selectors.with_domains(batch)
    for worker in batch:
        yield [
            worker.name,
            worker.get_sex_display(),
            worker.birth_date,
            worker.id_number if worker.can_reveal else mask_id_number(worker.id_number),
            worker.phone if worker.can_reveal else mask_phone(worker.phone),
            vocabulary.label(tables[vocabulary.EDUCATION], worker.education),
            yes if worker.major_social_work else no,
            worker.region_id,
            worker.region.name,
            worker.agency.name if worker.agency else "",
            worker.agency.credit_code if worker.agency else "",
            vocabulary.label(tables[vocabulary.EMPLOYER_KIND], worker.employer_kind),
            worker.employer_name,
            vocabulary.label(tables[vocabulary.POST_TYPE], worker.post_type),
            worker.get_job_grade_display(),
            worker.get_highest_certificate_display(),
            "、".join(item.name for item in worker.service_domains.all()),
            yes if worker.is_frontline else no,
            worker.get_status_display(),
            yes if worker.on_blacklist else no,
        ]


def export_workers(*, actor, filters: selectors.WorkerFilters) -> bytes:
    """The workbook of the filtered list (the caller has checked it is within EXPORT_LIMIT rows)."""
    workers = selectors.worker_search(actor=actor, filters=filters)
    audit_filters = filters.as_audit()
    if actor.has_perm(selectors.permissions.REVEAL):
        audit_filters["unmasked"] = _("含完整身份证号和手机号（限有权查看的范围）")
    return export_list(
        actor=actor,
        title=_("社会工作者名单"),
        headers=headers(),
        rows=rows(workers, actor),
        object_type=SocialWorker._meta.label_lower,
        filters=audit_filters,
    )
