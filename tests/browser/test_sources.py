"""An owner adds a web page as a source, marks its page clutter and reads it, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.test_sourcefiles import ARTICLE_HTML

pytestmark = pytest.mark.browser

OWNER_PASSWORD = "a-long-owner-password"
FOOTER = "Subscribe to our newsletter"
# The page's article ends with a sign-up line that trafilatura keeps: page clutter to mark.
PAGE = ARTICLE_HTML.replace("war.</p>", f"war.</p>\n      <p>{FOOTER} for more from Minsk.</p>")


@pytest.fixture
def owner(demo_map):
    """The demo map's owner, with a password we know."""
    from argmap.models import Map

    user = Map.objects.get(code="belarus").owner
    user.set_password(OWNER_PASSWORD)
    user.save()
    return user


def source_text(page) -> str:
    return page.evaluate("() => document.getElementById('source-text').textContent")


def test_it_adds_a_web_page_marks_its_clutter_and_shows_it_dimmed(page, live_server, demo_map, owner, log_in,
                                                                 axe_clean, tmp_path):
    from argmap.models import Map, Source

    log_in(page, owner.username, OWNER_PASSWORD)
    page.goto(demo_map)
    page.get_by_role("link", name="Add a source").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a source")
    axe_clean(page)

    upload = tmp_path / "minsk-hedges.html"
    upload.write_text(PAGE, encoding="utf-8")
    page.get_by_label("Or upload a file").set_input_files(str(upload))
    page.get_by_role("button", name="Add the source").click()

    # The manage page of the new source, titled from the page's own metadata.
    expect(page.get_by_role("heading", level=1)).to_have_text("Minsk hedges its bets")
    expect(page.get_by_role("status")).to_contain_text("Added “Minsk hedges its bets” to this map.")
    axe_clean(page)
    source = Source.objects.in_map(Map.objects.get(code="belarus")).get(title="Minsk hedges its bets")
    assert FOOTER in source.text and "Cookie settings" not in source.text

    page.get_by_label("Passage that is clutter").fill(f"{FOOTER} for more from Minsk.")
    page.get_by_label("Label (optional)").first.fill("newsletter box")
    page.get_by_role("button", name="Mark as clutter").first.click()
    expect(page.get_by_role("status")).to_contain_text("Marked 1 passage as clutter.")
    expect(page.locator("#clutter-ranges")).to_contain_text("newsletter box")
    axe_clean(page)

    page.get_by_role("link", name="Read it with its highlights").click()
    text = page.locator("#source-text")
    expect(text).to_contain_text("Lukashenko has kept the relay stations running")
    expect(text).not_to_contain_text("Cookie settings")
    assert source_text(page) == source.text  # what the selection script counts offsets in
    dimmed = text.locator(".clutter")
    expect(dimmed).to_have_text(f"{FOOTER} for more from Minsk.")
    plain_colour = page.evaluate("() => getComputedStyle(document.getElementById('source-text')).color")
    assert dimmed.evaluate("el => getComputedStyle(el).color") != plain_colour
    expect(page.get_by_role("list", name="Legend")).to_contain_text("dimmed: page clutter")

    # Unmarking is inline (htmx) and the reader shows the text plain again.
    page.go_back()
    page.reload()
    page.evaluate("() => { window.argmapTestMark = true; }")
    page.get_by_role("button", name=re.compile("^Unmark characters")).click()
    expect(page.locator("#clutter-ranges")).to_contain_text("Unmarked (1)")
    assert page.evaluate("() => window.argmapTestMark === true"), "the page reloaded instead of htmx swapping the list"
    expect(page.get_by_role("button", name=re.compile("^Mark characters .* again$"))).to_be_visible()
    page.goto(f"{live_server.url}/maps/belarus/sources/{source.code}/")
    expect(page.locator("#source-text .clutter")).to_have_count(0)

    page.get_by_role("link", name="Manage this source").click()
    page.get_by_role("link", name="Sources", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sources of this map")
    axe_clean(page)


def test_it_keeps_crlf_text_exact_in_the_page(page, live_server, demo_map, owner, log_in, tmp_path):
    from argmap.models import Map, Source

    log_in(page, owner.username, OWNER_PASSWORD)
    page.goto(f"{live_server.url}/maps/belarus/sources/new/")
    upload = tmp_path / "windows.txt"
    upload.write_bytes("Menu | Home\r\nFirst paragraph.\r\n\r\nSecond “paragraph” 🙂.\r\n".encode())
    page.get_by_label("Title").fill("Windows line endings")
    page.get_by_label("Or upload a file").set_input_files(str(upload))
    page.get_by_role("button", name="Add the source").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Windows line endings")
    page.get_by_label("From character").fill("0")
    page.get_by_label("To character (not included)").fill("13")
    page.get_by_role("button", name="Mark as clutter").nth(1).click()
    expect(page.get_by_role("status")).to_contain_text("Marked 1 passage as clutter.")

    source = Source.objects.in_map(Map.objects.get(code="belarus")).get(title="Windows line endings")
    assert "\r\n" in source.text
    page.goto(f"{live_server.url}/maps/belarus/sources/{source.code}/")
    assert source_text(page) == source.text
    expect(page.locator("#source-text .clutter")).to_have_count(1)


def test_it_keeps_highlights_on_quoted_clutter_and_stays_readable(page, live_server, demo_map, axe_clean):
    from argmap.models import ClutterRange, Map, Quote

    map_ = Map.objects.get(code="belarus")
    quote = Quote.objects.of_map(map_).live().order_by("id").first()
    ClutterRange.objects.create(map=map_, source=quote.source, start=max(0, quote.start - 20), end=quote.start + 5)
    page.goto(f"{live_server.url}/maps/belarus/sources/{quote.source.code}/")
    quoted_clutter = page.locator("#source-text a.hl.clutter").first
    expect(quoted_clutter).to_be_visible()
    plain_clutter_background = page.locator("#source-text span.clutter").first.evaluate(
        "el => getComputedStyle(el).backgroundColor")
    background = quoted_clutter.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", plain_clutter_background), "the highlight is lost under clutter"
    assert source_text(page) == quote.source.text
    axe_clean(page)  # colour contrast of dimmed text, plain and highlighted
