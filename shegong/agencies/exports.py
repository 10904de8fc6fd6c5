"""The agency list as an Excel workbook: the rows of the filtered list, contact phones masked unless the user may
see them in full (accounts.reveal_personal_data, over the agencies where they hold it)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.agencies import selectors
from shegong.agencies.models import Agency
from shegong.core.masking import mask_phone
from shegong.tabular.services import export_list

MAX_ROWS = 50_000


def headers() -> list[str]:
    return [
        _("机构名称"),
        _("统一社会信用代码"),
        _("组织形式"),
        _("登记管理机关"),
        _("所在区划代码"),
        _("所在区划"),
        _("成立日期"),
        _("服务领域"),
        _("评估等级"),
        _("等级有效期至"),
        _("监管状态"),
        _("联系人"),
        _("联系电话"),
        _("地址"),
    ]


def rows(agencies, revealable: set[int]):
    today = timezone.localdate()
    for agency in agencies:
        level = agency.current_rating_level(today)
        phone = agency.contact_phone
        yield [
            agency.name,
            agency.credit_code,
            agency.get_legal_form_display(),
            agency.registration_authority,
            agency.region_id,
            agency.region.name,
            agency.founded_on,
            "、".join(domain.name for domain in agency.service_domains.all()),
            f"{level}A" if level else "",
            agency.latest_rating_valid_until if level else None,
            str(Agency.Status(agency.current_status(today)).label),
            agency.contact_person,
            phone if agency.pk in revealable else mask_phone(phone),
            agency.address,
        ]


def export_agencies(*, actor, agencies, described_filters: dict) -> bytes:
    """The workbook of `agencies` (already filtered and scoped by the selector); the export is audited with the
    filters, the row count and whether the phones were given in full."""
    revealable = selectors.revealable_ids(actor, agencies)
    page = list(selectors.with_domains(agencies)[:MAX_ROWS])
    full = sum(1 for agency in page if agency.pk in revealable and agency.contact_phone)
    filters = dict(described_filters)
    filters[_("完整联系电话")] = _("%(count)d 条") % {"count": full} if full else _("无（已遮蔽）")
    return export_list(
        actor=actor,
        title=_("社会工作服务机构"),
        headers=headers(),
        rows=rows(page, revealable),
        object_type=Agency._meta.label_lower,
        filters=filters,
    )
