"""The reference lists (字典) a worker's record uses: education, employer kind, post type and service domains.

The values are stable codes of refdata's DictionaryItem, so an administrator renames or retires an item without a code
change. Until a dictionary is seeded (a fresh database, or the reference-data app not yet migrated), the lists below
stand in, with the same codes the seed uses: the sources are the issue's employer kinds and post types, seed 000
(深圳, 16 service domains) and seed 001 (浙江, which adds 扶贫济困, 社区矫正, 安置帮教, 医患关系, 青少年事务).
"""

from django.utils.translation import gettext_lazy as _

EDUCATION = "education_level"
EMPLOYER_KIND = "employer_kind"
POST_TYPE = "post_type"
SERVICE_DOMAIN = "service_domain"

DEFAULTS: dict[str, list[tuple[str, str]]] = {
    EDUCATION: [
        ("doctorate", _("博士研究生")),
        ("master", _("硕士研究生")),
        ("bachelor", _("大学本科")),
        ("college", _("大学专科")),
        ("secondary", _("中专或高中")),
        ("junior", _("初中及以下")),
    ],
    EMPLOYER_KIND: [
        ("community", _("社区（村、居委会）")),
        ("public_institution", _("事业单位")),
        ("party_government", _("党政机关")),
        ("mass_organization", _("群团组织")),
        ("enterprise", _("企业")),
    ],
    POST_TYPE: [
        ("professional", _("专业社工岗")),
        ("admin_support", _("行政辅助岗")),
        ("supervision", _("督导岗")),
    ],
    SERVICE_DOMAIN: [
        ("social_welfare", _("社会福利")),
        ("social_assistance", _("社会救助")),
        ("charity", _("慈善事业")),
        ("community_building", _("社区建设")),
        ("marriage_family", _("婚姻家庭")),
        ("mental_health", _("精神卫生")),
        ("disability_rehabilitation", _("残障康复")),
        ("education_guidance", _("教育辅导")),
        ("employment_assistance", _("就业援助")),
        ("worker_support", _("职工帮扶")),
        ("crime_prevention", _("犯罪预防")),
        ("drug_rehabilitation", _("禁毒戒毒")),
        ("correction_support", _("矫治帮教")),
        ("health", _("卫生健康")),
        ("dispute_mediation", _("纠纷调解")),
        ("emergency_response", _("应急处置")),
        ("poverty_relief", _("扶贫济困")),
        ("community_correction", _("社区矫正")),
        ("resettlement_support", _("安置帮教")),
        ("doctor_patient", _("医患关系")),
        ("youth_affairs", _("青少年事务")),
    ],
}


def options(dictionary: str, *, include_inactive: bool = False) -> dict[str, str]:
    """{code: label} of a dictionary in display order; retired items only when asked (to show old records)."""
    from shegong.refdata.models import DictionaryItem

    items = DictionaryItem.objects.filter(dictionary__code=dictionary)
    if not include_inactive:
        items = items.filter(is_active=True)
    found = {code: name for code, name in items.order_by("sort_order", "code").values_list("code", "name")}
    if found:
        return found
    return {code: str(label) for code, label in DEFAULTS[dictionary]}


def all_options() -> dict[str, dict[str, str]]:
    """Every list the worker pages show, including retired items (an old record may still use one)."""
    from shegong.refdata.models import DictionaryItem

    rows = (
        DictionaryItem.objects.filter(dictionary__code__in=list(DEFAULTS))
        .order_by("sort_order", "code")
        .values_list("dictionary__code", "code", "name")
    )
    found: dict[str, dict[str, str]] = {}
    for dictionary, code, name in rows:
        found.setdefault(dictionary, {})[code] = name
    return {name: found.get(name) or {code: str(label) for code, label in DEFAULTS[name]} for name in DEFAULTS}


def label(table: dict[str, str], code: str) -> str:
    return table.get(code, code) if code else ""


def labels(table: dict[str, str], codes) -> list[str]:
    return [table.get(code, code) for code in codes or []]
