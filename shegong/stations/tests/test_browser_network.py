"""A station head's flow in Chromium: open the network page, drill to their station, assign a second full-time
social worker, see the staffing verdict turn from 不达标 to 达标, and open the printable poster."""

import os

import pytest
from django.urls import reverse

from shegong.policies import registry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.policies.presets import install_presets
from shegong.refdata.seed import install_dictionaries
from shegong.regions.models import Region
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import STAFFING
from shegong.stations.tests.factories import LONG_AGO, make_station, make_worker, staff
from shegong.testing.browser import login, open_menu_entry
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, PASSWORD, STREET_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHEGONG_SCREENSHOTS")  # a folder to keep screenshots in, for a person to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_station_head_assigns_a_worker_and_the_verdict_turns(live_server, page, world):
    # A transactional test starts from a flushed database: the data migrations' presets are put back first.
    install_presets()
    install_dictionaries()
    # Guangzhou's presets set no staffing standard; 越秀区 adopts one (2 full-time social workers per street station).
    profile = PolicyProfile.objects.create(
        name="越秀区站点配备标准", region=Region.objects.get(pk=DISTRICT_A), valid_from=LONG_AGO
    )
    PolicyRule.objects.create(
        profile=profile,
        kind=STAFFING,
        params=registry.get(STAFFING).clean_params({"street_station": 2}),
        source_text="越秀区测试文件：每个街道社工站至少配备2名专职社会工作者。",
    )
    station = make_station(Station.Kind.STATION, STREET_A, name="北京街社工站", agency=world.agency_a)
    make_station(Station.Kind.ROOM, COMMUNITY_A, name="流水井社区社工室", agency=world.agency_a)
    staff(station, 1)
    make_worker(name="新来的社工", region=STREET_A, agency=world.agency_a)

    login(page, live_server.url, "station_head_a", PASSWORD)
    open_menu_entry(page, "stations:network")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("network-title").inner_text().startswith("北京街道")
    shot(page, "stations-network")
    page.get_by_test_id("network-station").filter(has_text="北京街社工站").get_by_test_id("station-link").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("station-name").inner_text() == "北京街社工站"
    verdict = page.get_by_test_id("verdict-staffing_minimum")
    assert verdict.get_attribute("data-status") == "fail"
    assert "不达标" in verdict.inner_text()
    assert "配备专职社会工作者 1 名，规定至少 2 名" in verdict.inner_text()
    shot(page, "stations-detail-before")

    form = page.get_by_test_id("assign-form")
    form.locator("#id_worker").fill("新来的社工")
    form.locator("#id_role").select_option("full_time")
    assert form.locator("#id_full_time").is_checked()
    form.get_by_test_id("assign-submit").click()
    page.wait_for_load_state("networkidle")
    verdict = page.get_by_test_id("verdict-staffing_minimum")
    assert verdict.get_attribute("data-status") == "pass"
    assert "达标" in verdict.inner_text() and "不达标" not in verdict.inner_text()
    assert "配备专职社会工作者 2 名，规定至少 2 名" in verdict.inner_text()
    assert page.get_by_test_id("staff-row").filter(has_text="新来的社工").count() == 1
    assert StaffAssignment.objects.filter(station=station, worker__name="新来的社工", full_time=True).exists()
    shot(page, "stations-detail-after")

    with page.context.expect_page() as opened:
        page.get_by_test_id("station-poster").click()
    poster = opened.value
    poster.wait_for_load_state("networkidle")
    assert poster.get_by_test_id("poster-sheet").count() == 1
    assert "北京街社工站" in poster.get_by_test_id("poster-sheet").inner_text()
    shot(poster, "stations-poster")
    pdf = page.request.get(live_server.url + reverse("stations:poster", args=[station.code]))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert not page.js_errors, page.js_errors
