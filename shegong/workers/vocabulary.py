"""The reference lists (字典, shegong.refdata, seeded by its migrations) a worker's record uses.

Education, employer kind and post type are stored as the stable code of a DictionaryItem, so an administrator renames
or retires an item without a code change; service domains are DictionaryItem rows themselves
(SocialWorker.service_domains), like an agency's.
"""

from shegong.refdata import selectors as refdata
from shegong.refdata.models import DictionaryItem

EDUCATION = "education_level"
EMPLOYER_KIND = "employer_kind"
POST_TYPE = "post_type"
SERVICE_DOMAIN = "service_domain"  # SocialWorker.service_domains: items of this dictionary
CODED = (EDUCATION, EMPLOYER_KIND, POST_TYPE)


def options(dictionary: str) -> dict[str, str]:
    """{code: name} of the active items, in display order (what a new record may use)."""
    return dict(refdata.choices(dictionary))


def all_options() -> dict[str, dict[str, str]]:
    """Every code's name, retired ones included, for the coded lists: what a page needs to show stored records."""
    rows = (
        DictionaryItem.objects.filter(dictionary__code__in=CODED)
        .order_by("sort_order", "code")
        .values_list("dictionary__code", "code", "name")
    )
    found: dict[str, dict[str, str]] = {name: {} for name in CODED}
    for dictionary, code, name in rows:
        found[dictionary][code] = name
    return found


def label(table: dict[str, str], code: str) -> str:
    return table.get(code, code) if code else ""


def domain_items():
    """The active service domains, in display order."""
    return refdata.items(SERVICE_DOMAIN)
