"""Headless Chromium (Debian's package) driven by Playwright; no browser download."""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make between browser steps are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def watch_for_errors(page) -> list[str]:
    """Collect the page's script errors and failed loads (the browser's favicon aside)."""
    errors = []

    def on_console(message):
        # Failed loads are checked below, with their address.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)
    return errors


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = watch_for_errors(page)
    yield page
    context.close()
    # The Content Security Policy blocks nothing the pages need, no script fails, and
    # every resource loads (the browser's own favicon request aside).
    assert errors == [], errors


@pytest.fixture
def screenshot(page, artifacts):
    folder = artifacts
    counter = {"n": 0}

    def take(name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def staff_page(browser, live_server):
    """A factory of pages logged in as a Secretariat officer, one browser context per
    language (the language cookie set, the session made on the server: no login form).
    `bypass_csp` lets the accessibility tests inject axe-core; every context is closed and
    checked for script errors and failed loads at the end."""
    from django.conf import settings
    from django.test import Client

    from recommendations import roles
    from tests.integration.shared import make_user

    user = make_user("officer", group=roles.SECRETARIAT)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    opened = []

    def open_page(language: str, *, width: int = 1366, height: int = 768, bypass_csp=False):
        context = browser.new_context(
            locale="zh-CN" if language.startswith("zh") else "en-US",
            viewport={"width": width, "height": height},
            bypass_csp=bypass_csp,
        )
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "domain": host,
                    "path": "/",
                },
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "domain": host,
                    "path": "/",
                },
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        opened.append((context, watch_for_errors(page)))
        return page

    yield open_page
    for context, _errors in opened:
        context.close()
    assert [errors for _context, errors in opened if errors] == []


@pytest.fixture
def artifacts(request):
    """A clean folder for this test's screenshots, under test-artifacts/."""
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def seeded_work(reference_data, seeds):
    """The seeds with follow-ups from three states (two implemented claims among them) and
    three actions on Kenya's follow-up of 93(b), which is returned. The reference data
    (themes) is loaded before the seeds are imported, or they would have no theme."""
    import datetime

    from recommendations.choices import Status
    from recommendations.models import FollowUp
    from recommendations.services import follow_ups as follow_up_services
    from tests.integration.shared import make_follow_up, rec

    for label, iso3, status in [
        ("93(a)", "KEN", Status.IMPLEMENTED),
        ("93(b)", "KEN", Status.IN_PROGRESS),
        ("94(a)", "BOL", Status.NOT_STARTED),
        ("95(a)", "CHN", Status.IMPLEMENTED),
        ("99(a)", "KEN", Status.NOT_IMPLEMENTED),
    ]:
        make_follow_up(rec(label), iso3, status)
    follow_up = FollowUp.objects.get(recommendation=rec("93(b)"), member_state_id="KEN")
    for day, kind in [(1, "legislation"), (2, "capacity_building"), (3, "cooperation")]:
        follow_up_services.action_create(
            follow_up=follow_up,
            user=None,
            date=datetime.date(2025, 3, day),
            kind=kind,
            description="A national strategy on drug demand reduction, adopted by decree "
            "and funded for five years, with a monitoring framework and yearly reports "
            "to parliament on its implementation in every province.",
            evidence_url="https://example.org/a/very/long/path/to/the/evidence/document.pdf",
        )
    return follow_up
