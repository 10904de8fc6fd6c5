"""Search (name, pinyin initials, exact ID number through the keyed hash), filters, keyset paging and the query
budget of the list page and the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.regions.models import Region
from shegong.workers import selectors, services
from shegong.workers.selectors import WorkerFilters
from shegong.workers.tests.conftest import id_number

pytestmark = pytest.mark.django_db

NAMES = ["张三", "张珊珊", "赵四", "李四", "王五", "曾志伟", "钱七", "孙八", "周九"]


@pytest.fixture
def crowd(world, make_worker, domains):
    made = {}
    for index, name in enumerate(NAMES):
        region = "440105000000" if name == "李四" else "440104003000"
        made[name] = make_worker(
            name=name,
            region=region,
            id_number=id_number(sequence=100 + index),
            phone=f"1390000{index:04d}",
            service_domains=[domains[index % 2]],
        )
    services.certificate_add(actor=None, worker=made["王五"], level="intermediate", number="M-77", year_passed=2019)
    return made


def names(actor, **filters):
    return [worker.name for worker in selectors.worker_search(actor=actor, filters=WorkerFilters(**filters))]


def test_search_by_initials_name_id_number_and_phone(world, crowd):
    city = world.city_admin
    assert names(city, q="zs") == ["张三", "赵四", "张珊珊"]  # pinyin order: zs, zs, zss
    assert names(city, q="ZSS") == ["张珊珊"]
    assert names(city, q="zzw") == ["曾志伟"]
    assert names(city, q="张") == ["张三", "张珊珊"]
    assert names(city, q=crowd["钱七"].id_number) == ["钱七"]
    assert names(city, q=crowd["钱七"].id_number.lower()) == ["钱七"]
    assert names(city, q=crowd["孙八"].phone) == ["孙八"]
    assert names(city, q="440104199001019999") == []
    # Search never reaches outside the scope.
    assert names(world.district_a_admin, q=crowd["李四"].id_number) == []


def test_filters(world, crowd, domains):
    city = world.city_admin
    assert names(city, region=Region.objects.get(pk="440105000000")) == ["李四"]
    assert names(city, certificate="intermediate") == ["王五"]
    assert names(city, certificate="any") == ["王五"]
    assert "王五" not in names(city, certificate="none")
    assert set(names(city, domain=domains[1])) == {NAMES[i] for i in range(1, len(NAMES), 2)}
    services.worker_update(actor=None, worker=crowd["周九"], status="left")
    assert names(city, status="left") == ["周九"]
    services.credit_event_record(
        actor=None,
        worker=crowd["赵四"],
        kind="violation",
        severity="blacklist",
        title="x",
        source_document="文号",
        occurred_on=__import__("datetime").date(2025, 1, 1),
    )
    assert names(city, blacklisted="yes") == ["赵四"]
    assert "赵四" not in names(city, blacklisted="no") and len(names(city, blacklisted="no")) == len(NAMES) - 1


def test_keyset_pages_walk_forward_and_back_in_every_sort(world, crowd):
    for sort in selectors.SORTS:
        workers = selectors.worker_search(actor=world.city_admin, filters=WorkerFilters(sort=sort))
        expected = [worker.pk for worker in workers]
        seen, page, pages = [], selectors.keyset_page(workers, sort=sort, size=4), []
        while True:
            pages.append(page)
            seen += [worker.pk for worker in page.rows]
            if not page.next_cursor:
                break
            page = selectors.keyset_page(workers, sort=sort, after=page.next_cursor, size=4)
        assert seen == expected, sort
        back = selectors.keyset_page(workers, sort=sort, before=pages[-1].previous_cursor, size=4)
        assert [worker.pk for worker in back.rows] == [worker.pk for worker in pages[-2].rows]
        assert back.next_cursor and (back.previous_cursor is not None) == (len(pages) > 2)
    first = selectors.keyset_page(workers, sort="pinyin", after="not-a-cursor", size=4)
    assert [worker.name for worker in first.rows] == names(world.city_admin)[:4]


def test_counts_are_capped(world, crowd):
    workers = selectors.worker_search(actor=world.city_admin)
    assert selectors.count_capped(workers) == (len(NAMES), False)
    assert selectors.count_capped(workers, limit=5) == (5, True)


def _queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return len(captured)


def test_the_list_page_and_api_cost_the_same_for_few_and_many_rows(client, world, make_worker, crowd):
    client.force_login(world.city_admin)
    url, api = reverse("workers:list"), "/api/v1/workers/"
    few_page = _queries(client, url, {"q": "zs"})
    few_api = _queries(client, api, {"q": "zs"})
    for index in range(12):
        worker = make_worker(
            name=f"张{index}", id_number=id_number(sequence=300 + index), agency=world.agency_a, region=None
        )
        services.certificate_add(actor=None, worker=worker, level="assistant", number=f"Z-{index}", year_passed=2018)
    assert _queries(client, url, {"q": "zs"}) == few_page
    assert _queries(client, url, {"q": "z"}) == few_page
    assert _queries(client, api, {"q": "zs"}) == few_api


def test_name_prefixes_agree_with_stored_initials(world, make_worker):
    for index, name in enumerate(["长孙无忌", "长江", "曾志伟", "单田芳", "Tom李"]):
        make_worker(name=name, id_number=id_number(sequence=500 + index))
    city = world.city_admin
    assert set(names(city, q="长")) == {"长江", "长孙无忌"}
    assert names(city, q="长孙") == ["长孙无忌"]
    assert names(city, q="曾志") == ["曾志伟"]
    assert names(city, q="单") == ["单田芳"]
    assert names(city, q="Tom李") == ["Tom李"]


def test_initials_ranges():
    from shegong.workers.selectors import _next_prefix

    assert _next_prefix("zs") == "zt"
    assert _next_prefix("az") == "b"
    assert _next_prefix("zz") is None
    assert _next_prefix("a9") == "aa"
    assert _next_prefix("m") == "n"
