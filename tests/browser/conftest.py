"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Nothing is downloaded: the browser is the system `chromium` (never `playwright install`). One browser
serves every browser test of the run; each test gets a fresh context (no cookies or storage shared).

Every page a test opens is watched: a console error (CSP violations are reported there), an uncaught
page error or any response with an error status (a 404 for a stylesheet, a 500 from an htmx request)
fails the test at teardown.
"""

import io
import os
import shutil

import pytest

# The sync Playwright API keeps an asyncio loop running in the test thread for as long as it is
# started; Django refuses ORM calls from a thread with a running loop unless this variable says that
# is fine (it is: the test code is synchronous). It is set only while Playwright runs (see
# `playwright_instance`), not at import: `manage.py check --deploy` fails on it (async.E001), and
# tests that start manage.py in a subprocess would inherit it from this process.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-gpu",
]
VIEWPORT = {"width": 1280, "height": 900}
DEMO_MAP_CODE = "belarus"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of our own on a server database (test_argmap_browser on PostgreSQL).

    Other people may run the rest of the suite against the same PostgreSQL at the same time; sharing
    `test_argmap` with them would make one run drop the other's database. SQLite needs nothing: its
    test database is already one per test process (see settings).
    """
    from django.conf import settings

    for db in settings.DATABASES.values():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            continue
        test = db.setdefault("TEST", {})
        name = test.get("NAME") or f"test_{db['NAME']}"
        if not name.endswith("_browser"):
            test["NAME"] = f"{name}_browser"


def chromium_path() -> str:
    executable = shutil.which("chromium")
    if executable is None:
        message = "chromium is not installed: apt-get install -y chromium (the browser tests use Debian's build)"
        if os.environ.get("ARGMAP_REQUIRE_ALL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return executable


# Package scope: started for the first browser test and stopped after the last one, so that in a run
# of the whole suite the other tests see neither the running event loop nor DJANGO_ALLOW_ASYNC_UNSAFE.
@pytest.fixture(scope="package")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    chromium_path()  # skip (or fail) before starting anything
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ.setdefault(ASYNC_UNSAFE, "true")
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)


@pytest.fixture(scope="package")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageProblems:
    """What went wrong on the pages of one context: console errors, page errors, error responses."""

    def __init__(self):
        self.items: list[str] = []

    def watch(self, page):
        page.on("console", lambda msg: msg.type == "error" and self.items.append(f"console error: {msg.text}"))
        page.on("pageerror", lambda error: self.items.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: response.status >= 400
            and self.items.append(f"HTTP {response.status} for {response.request.method} {response.url}"),
        )
        page.on("requestfailed", self._request_failed)
        return page

    def _request_failed(self, request):
        # A request cut short because the page moved on (a click while something loads) is no fault.
        if request.failure != "net::ERR_ABORTED":
            self.items.append(f"request failed: {request.url} ({request.failure})")


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh context (`new_page(java_script_enabled=False)` for a page without JS).

    At teardown, fails the test if any of the pages it opened logged an error.
    """
    contexts, problems = [], PageProblems()

    def open_page(**context_options):
        context = browser.new_context(viewport=VIEWPORT, **context_options)
        context.set_default_timeout(5_000)
        contexts.append(context)
        return problems.watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()
    assert not problems.items, "The browser reported problems:\n" + "\n".join(problems.items)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def page_expecting_400(browser):
    """A page whose only allowed problem is the refused POST (status 400) the test makes on purpose;
    anything else the browser reports (console errors, CSP violations, other error statuses) fails."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(5_000)
    page, problems = context.new_page(), []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: msg.type == "error" and "status of 400" not in msg.text
            and problems.append(f"console error: {msg.text}"))
    page.on("response", lambda r: r.status >= 400 and not (r.status == 400 and r.request.method == "POST")
            and problems.append(f"HTTP {r.status} for {r.request.method} {r.url}"))
    yield page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def demo_map(live_server, transactional_db):
    """The seeded demo map on the live server; returns its address (`/maps/belarus/`, which redirects).

    The database is transactional (really committed), so what the test writes the server sees.
    """
    from django.core.management import call_command

    call_command("load_seeds", stdout=io.StringIO())
    return f"{live_server.url}/maps/{DEMO_MAP_CODE}/"


@pytest.fixture
def demo_contributor(demo_map):
    """`demo_contributor(username, password)`: a new account with a contributor's role on the demo map."""
    from django.contrib.auth import get_user_model

    from argmap.models import Map, Membership, Role

    def make(username: str, password: str):
        user = get_user_model().objects.create_user(username, password=password)
        Membership.objects.create(map=Map.objects.get(code=DEMO_MAP_CODE), user=user, role=Role.CONTRIBUTOR)
        return user

    return make


def axe_clean(page):
    """Run axe-core (rules and best practices) on the page as it is now; fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    # Sanity: axe really looked at this page (its checks passed on something).
    assert results.response.get("passes"), f"axe-core did not run on {page.url}"
    assert results.violations_count == 0, f"axe found problems on {page.url}:\n{results.generate_report()}"


@pytest.fixture(name="axe_clean")
def axe_clean_fixture():
    """`axe_clean` for the tests, without importing from a conftest module."""
    return axe_clean


@pytest.fixture
def log_in(live_server):
    """`log_in(page, username, password)`: sign in through the real login form."""

    def sign_in(page, username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return sign_in
