"""The reference lists (字典) a worker's record uses: education, employer kind, post type and service domains.

Education, employer kind and post type are stored as the stable code of a refdata DictionaryItem, so an administrator
renames or retires an item without a code change; until such a dictionary is seeded, the lists below stand in (the
employer kinds and post types are the issue's: 社区/事业单位/党政机关/群团组织/企业, 专业社工岗/行政辅助岗/督导岗).
Service domains are DictionaryItem rows themselves (SocialWorker.service_domains), like an agency's.
"""

from django.utils.translation import gettext_lazy as _

EDUCATION = "education_level"
EMPLOYER_KIND = "employer_kind"
POST_TYPE = "post_type"
SERVICE_DOMAIN = "service_domain"  # SocialWorker.service_domains: items of this dictionary

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


def domain_items():
    """The active service domains, in display order."""
    from shegong.refdata.models import DictionaryItem

    return DictionaryItem.objects.filter(dictionary__code=SERVICE_DOMAIN, is_active=True).order_by("sort_order", "code")
