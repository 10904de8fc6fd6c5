"""Take the README's screenshots from a running demo (`./dev demo` in another terminal), with Debian's Chromium.

    .venv/bin/python docs/screenshots.py [http://127.0.0.1:8000] [NAME.png ...]   (names: only those shots)

Chinese text needs a CJK font on the machine (Debian: apt-get install fonts-noto-cjk).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000"
ONLY = set(sys.argv[2:])
OUT = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "Shegong@2026"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# (file name, username, path, phone-sized?, then): `then` is a list of selectors clicked in turn after opening the path,
# to reach pages whose address depends on the demo's ids (a project, an evaluation's report, a scoring form);
# "follow:SELECTOR" opens the link's address signed out.
SHOTS = [
    ("home.png", "gz_admin", "/", False),
    ("regions.png", "gz_admin", "/regions/440104000000/", False),
    ("network.png", "gz_admin", "/stations/network/", False),
    ("workers.png", "gz_admin", "/workers/", False),
    ("agencies.png", "gz_admin", "/agencies/", False),
    ("policies.png", "gz_admin", "/policies/", False),
    ("audit.png", "auditor", "/audit/", False),
    ("public-page.png", None, "/s/440104003104/", True),
    ("recipients.png", "yuexiu_admin", "/recipients/", False),
    ("projects.png", "gz_admin", "/projects/", False),
    ("projects-failing.png", "gz_admin", "/projects/non-compliant/", False),
    ("project-verdicts.png", "yuexiu_admin", "/projects/non-compliant/", False, ["main .card h2 a"]),
    (
        "evaluation-report.png",
        "gz_admin",
        "/evaluations/?state=published",
        False,
        ["[data-testid=evaluation-row] a", "[data-testid=report-link]"],
    ),
    ("scoring-form.png", "evaluator", "/evaluations/mine/", True, ["[data-testid=my-form]"]),
    ("rectification.png", "yuexiu_admin", "/inspections/?overdue=1", False),
    # The questionnaire a recipient opens from a QR code: the link is read signed in, then opened signed out.
    (
        "survey.png",
        "gz_admin",
        "/evaluations/?state=scoring",
        True,
        ["[data-testid=evaluation-row] a", "follow:[data-testid=survey-link]"],
    ),
    # 码上办: the resident's form behind a community's QR code, the head's queue, a case on the worker's phone.
    ("request-form.png", None, "/requests/new/440104003104/", True),
    ("request-queue.png", "station_head", "/requests/queue/", False),
    ("case-detail.png", "worker", "/casework/mine/?stage=intervention", True, ["[data-testid=case-link]"]),
    ("group-detail.png", "station_head", "/groupwork/groups/?stage=maturity", False, ["[data-testid=group-link]"]),
    ("person-times.png", "gz_admin", "/persontimes/", False),
    ("inbox.png", "station_head", "/inbox/", False),
    # The demo volunteer's time bank on a phone.
    ("time-bank.png", "volunteer", "/timebank/my/", True),
    # 统计看板: the city's key indicators with targets, a district's drill-down, an indicator, targets, the report.
    ("dashboard.png", "gz_admin", "/analytics/", False),
    ("dashboard-district.png", "gz_admin", "/analytics/region/440104000000/", False),
    ("indicator.png", "gz_admin", "/analytics/region/440100000000/indicator/person_times/", False),
    ("targets.png", "gz_admin", "/analytics/targets/", False),
    ("report-print.png", "gz_admin", "/analytics/region/440100000000/report/", False),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, username, path, phone, *then in SHOTS:
            if ONLY and name not in ONLY:
                continue
            options = (
                {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
                if phone
                else {"viewport": {"width": 1600, "height": 900}}
            )
            context = browser.new_context(locale="zh-CN", **options)
            page = context.new_page()
            if username:
                page.goto(f"{BASE}/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit].btn-primary")
                page.wait_for_load_state("networkidle")
            page.goto(f"{BASE}{path}")
            page.wait_for_load_state("networkidle")
            for selector in then[0] if then else []:
                if selector.startswith("follow:"):
                    href = page.locator(selector.removeprefix("follow:")).first.get_attribute("href")
                    context.clear_cookies()
                    page.goto(f"{BASE}{href}" if href.startswith("/") else href)
                    page.wait_for_load_state("networkidle")
                    continue
                target = page.locator(selector).first
                if selector.startswith("#"):
                    target.scroll_into_view_if_needed()
                    continue
                target.click()
                page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=False)
            print(f"{name}: {page.title()}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
