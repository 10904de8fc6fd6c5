"""Fixtures of the talent pool tests: the service domains (from the reference data when seeded) and a worker factory
that goes through the real service."""

import itertools

import pytest

from shegong.workers import services, vocabulary
from shegong.workers.identity import id_number_from_body
from shegong.workers.models import SocialWorker

DOMAINS = [("social_assistance", "社会救助"), ("community_building", "社区建设"), ("elderly_care", "养老服务")]
_serial = itertools.count(1)


def id_number(birth: str = "19900101", place: str = "440104", sequence: int | None = None) -> str:
    """A checksum-valid ID number; odd sequence numbers are men, even ones women (GB 11643)."""
    sequence = next(_serial) % 1000 if sequence is None else sequence
    return id_number_from_body(f"{place}{birth}{sequence:03d}")


@pytest.fixture
def domains(db):
    """Items of the service_domain dictionary: the seeded ones when the reference data has them, else three."""
    from shegong.refdata.models import Dictionary, DictionaryItem

    dictionary, _created = Dictionary.objects.get_or_create(code="service_domain", defaults={"name": "服务领域"})
    items = list(DictionaryItem.objects.filter(dictionary=dictionary, is_active=True).order_by("sort_order", "code"))
    if len(items) < 3:
        for order, (code, name) in enumerate(DOMAINS):
            DictionaryItem.objects.get_or_create(
                dictionary=dictionary, code=code, defaults={"name": name, "sort_order": order}
            )
        items = list(
            DictionaryItem.objects.filter(dictionary=dictionary, is_active=True).order_by("sort_order", "code")
        )
    return items[:3]


@pytest.fixture
def make_worker(world):
    """A worker created through worker_create by the installation (actor None), in district A by default."""

    def make(name="张三", region="440104003000", agency=None, **values) -> SocialWorker:
        values.setdefault("id_number", id_number())
        if agency is None:
            values.setdefault("employer_kind", employer_kind())
            values.setdefault("employer_name", "仓边路社区居委会")
        return services.worker_create(actor=None, name=name, region=region and _region(region), agency=agency, **values)

    return make


def employer_kind() -> str:
    return next(iter(vocabulary.options(vocabulary.EMPLOYER_KIND)))


def _region(code):
    from shegong.regions.models import Region

    return code if isinstance(code, Region) else Region.objects.get(pk=code)
