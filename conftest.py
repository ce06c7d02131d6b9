import os
from pathlib import Path

import pytest
from django.db.models.signals import post_migrate

from xinfang.testing import PASSWORD, Cast, build_cast


def restore_reference_data(sender, **kwargs) -> None:  # noqa: ANN001, ANN003
    """Put back the data the migrations load (taxonomy, holiday tables, rule packs, document
    templates) after a transactional test flushed the database.

    Django emits post_migrate after every flush of a TransactionTestCase; without this, the tests
    that run after a browser or concurrency test on the same worker would find no rule pack, no
    holiday table and no templates. Every loader is idempotent.
    """
    if sender.label != "core":
        return
    from deadlines import calendar
    from deadlines.holidays import load_years
    from deadlines.models import CalendarDay, ClockRule, HolidayYear, RulePack
    from deadlines.packs import install
    from documents.services import load_default_templates
    from petitions.taxonomy import load_default_taxonomy

    load_default_taxonomy()
    if not HolidayYear.objects.exists():
        load_years(HolidayYear, CalendarDay)
    if not RulePack.objects.exists():
        install(RulePack, ClockRule)
    load_default_templates()
    calendar.invalidate()


post_migrate.connect(restore_reference_data, dispatch_uid="xinfang-test-reference-data")


@pytest.fixture
def cast(db) -> Cast:  # noqa: ANN001
    return build_cast()


@pytest.fixture
def next_year_table(db):  # noqa: ANN001
    """Deadlines need the holiday table of every year they touch; near the end of a year they reach
    into the next, which the shipped calendar may not know yet. An empty year (weekends only) is
    enough for browser tests, which run on the real date. (Travelling in time instead breaks the
    live server's PostgreSQL connect timeout.)"""
    from django.utils import timezone

    from deadlines import calendar
    from deadlines.models import HolidayYear

    HolidayYear.objects.get_or_create(year=timezone.localdate().year + 1, defaults={"source": "browser test"})
    calendar.clear_local_cache()
    yield
    calendar.clear_local_cache()


def _serve_live_requests_one_at_a_time() -> None:
    """On the in-memory SQLite test database, Django's live server threads all share the test's one
    connection (an in-memory database cannot be opened twice). Its threaded server then runs
    several requests on that connection at once, which intermittently locked or hung the browser
    tests (a page polling while another acts). One request at a time (Django's plain WSGIServer
    answers with `Connection: close`, so a kept-alive browser connection cannot block the next)
    is what an in-memory database can take; PostgreSQL keeps the threaded server."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialLiveServer(WSGIServer):
        # The serving thread already uses the shared connection (LiveServerThread.run).
        def __init__(self, *args, connections_override=None, **kwargs):  # noqa: ANN001, ANN002, ANN003
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialLiveServer


_serve_live_requests_one_at_a_time()

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright (no Playwright browser download)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (installs Debian's chromium)")
    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls in the same
    # thread (fixtures, live_server setup) are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield instance
        instance.close()


def open_page(browser, base_url: str, *, timeout: int = 15000, **context_options):  # noqa: ANN001, ANN003, ANN201
    """A page in a new browser context (its own cookies), Chinese locale and time zone, with
    `page.base_url` and `page.console_errors` (messages the page logged as errors). Close it with
    `page.context.close()`."""
    options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1280, "height": 860},
               **context_options}
    pg = browser.new_context(**options).new_page()
    pg.set_default_timeout(timeout)
    pg.base_url = base_url
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.console_errors = errors
    return pg


@pytest.fixture
def page(browser, live_server):  # noqa: ANN001
    pg = open_page(browser, live_server.url)
    yield pg
    pg.context.close()


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    """Save a full-page screenshot under var/screenshots/ for reviewers."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def register_on_form(page, *, name: str, title: str, content: str, id_number: str = "", phone: str = "",  # noqa: ANN001
                     address: str = "", locality_code: str = "", more_people: tuple[dict[str, str], ...] = (),
                     headcount: int | None = None, category: tuple[str, ...] = (),
                     wait_for: str = "[data-testid=no-repeats]", save: bool = True) -> None:
    """Fill /petitions/register/ the way the front desk does: the first person (leaving the last
    field filled with Tab, which runs the address lookup or the repeat check by ID), then
    `locality_code` expected from the address, further people (field name → value), the headcount,
    the title and content (Tab runs the repeat check by text), the category by its labels level by
    level; then wait for `wait_for` (the repeat panel's answer) and, with `save`, save and wait for
    the saved matter's number."""
    from playwright.sync_api import expect

    page.goto(page.base_url + "/petitions/register/")
    first = {"name": name, "id_number": id_number, "phone": phone, "address": address}
    filled = [field for field, value in first.items() if value]
    for field in filled:
        page.fill(f"#id_people-0-{field}", first[field])
    page.press(f"#id_people-0-{filled[-1]}", "Tab")
    if locality_code:
        # expect() polls without evaluating a string in the page (the CSP forbids eval).
        expect(page.locator("#id_locality_code")).to_have_value(locality_code)
    for index, person in enumerate(more_people, start=1):
        page.click("[data-add-person]")
        for field, value in person.items():
            page.fill(f"#id_people-{index}-{field}", value)
    if headcount is not None:
        page.fill("#id_headcount", str(headcount))
    page.fill("#id_title", title)
    page.fill("#id_content", content)
    page.press("#id_content", "Tab")
    for level, label in enumerate(category):
        page.locator("[data-cascade=category] select").nth(level).select_option(label=label)
    page.wait_for_selector(wait_for)
    if save:
        page.click("[data-testid=save]")
        page.wait_for_selector("[data-testid=petition-number]")
