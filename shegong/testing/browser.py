"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, `apt-get install chromium`), never a
downloaded browser build. Use the `page` fixture (desktop) or `phone_page` (a phone-sized window) with `live_server`.
"""

import os
import shutil
import tempfile

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium_browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the Django test code around it stays synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="shegong-chromium-")
    with sync_playwright() as playwright:
        # Playwright gives each context a fresh profile; the temporary folder keeps Chromium's own files out of $HOME.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": profile}
        )
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


def _new_page(browser, **context_options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_options)
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(chromium_browser):
    context, page = _new_page(chromium_browser, viewport={"width": 1600, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium_browser):
    context, page = _new_page(
        chromium_browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    context.close()


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")


def open_menu_entry(page, url_name: str) -> None:
    """Click the menu entry for `url_name` as a person would: open the phone menu if it is folded, then the
    entry's section drop-down if it sits in one."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and page.locator("#main-nav").is_hidden():
        toggler.click()
        page.locator("#main-nav").wait_for(state="visible")
    entry = page.locator(f"[data-nav='{url_name}']").first
    if entry.is_hidden():
        section = page.locator(".dropdown", has=entry).locator("[data-nav-section]")
        section.click()
        entry.wait_for(state="visible")
    entry.click()
    page.wait_for_load_state("networkidle")
