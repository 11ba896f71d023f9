"""Changing the demo map in a real browser: a contributor adds a claim inline, edits it, deletes it
and restores it from its history; the open form passes axe-core.

Node ids are never written here (they change from run to run on PostgreSQL): rows are found by text.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_TITLE = "How reliable an ally is Belarus to Russia?"
HEDGING = "Lukashenko is hedging"
PASSWORD = "a-long-browser-password"
NEW_CLAIM = "Minsk still buys Russian gas at a discount"
EDITED_CLAIM = "Minsk still buys Russian gas at a deep discount"


@pytest.fixture
def contributor(demo_contributor):
    return demo_contributor("student-e", PASSWORD)


def settled(page) -> None:
    """Wait until htmx has finished swapping and settling (new content is wired up only then)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def thesis_card(page, text: str):
    return page.locator(".thesis-card").filter(has=page.get_by_role("heading", level=2, name=text, exact=True))


def first_level_row(page, thesis: str, text: str):
    section = page.locator("section.thesis-tree").filter(has=thesis_card(page, thesis))
    return section.locator(":scope > ul.tree > li.node").filter(
        has=page.locator(":scope > .node-card > p.node-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def controls(row):
    return row.locator(":scope > .node-card > .node-controls")


def test_it_adds_edits_deletes_and_restores_a_claim_without_leaving_the_map(
    page, demo_map, contributor, log_in, live_server, axe_clean
):
    from argmap.models import Node

    log_in(page, "student-e", PASSWORD)
    page.goto(demo_map)
    expect(page.get_by_role("heading", level=1)).to_have_text(MAP_TITLE)
    page.evaluate("() => { window.argmapTestMark = true; }")

    # Reply against the thesis: the form opens under it, its text box focused.
    card = thesis_card(page, HEDGING)
    card.locator(".node-controls").get_by_role("link", name="Reply against").click()
    text_box = card.get_by_label("Your claim, in your own words")
    expect(text_box).to_be_focused()
    expect(card.get_by_label("Opposes")).to_be_checked()
    settled(page)
    axe_clean(page)

    text_box.fill(NEW_CLAIM)
    card.get_by_role("button", name="Add the claim").click()
    row = first_level_row(page, HEDGING, NEW_CLAIM)
    expect(row).to_have_count(1)
    expect(row.locator(":scope > .node-card .stance")).to_have_text(re.compile("Opposes"))
    expect(row.locator(":scope > .node-card")).to_be_focused()  # the keyboard lands on what changed
    settled(page)
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded instead of updated"

    # Edit it in place.
    controls(row).get_by_role("link", name="Edit").click()
    edit_box = row.get_by_label("The text")
    expect(edit_box).to_have_value(NEW_CLAIM)
    settled(page)
    edit_box.fill(EDITED_CLAIM)
    row.get_by_role("button", name="Save").click()
    row = first_level_row(page, HEDGING, EDITED_CLAIM)
    expect(row).to_have_count(1)
    settled(page)

    # Delete it: a confirmation first, then it leaves the tree and an undo is offered.
    controls(row).locator("summary", has_text="More").click()
    controls(row).get_by_role("link", name="Delete…").click()
    row.get_by_role("button", name="Delete").click()
    expect(first_level_row(page, HEDGING, EDITED_CLAIM)).to_have_count(0)
    notice = page.locator("#deleted-notice")
    expect(notice).to_contain_text("Deleted.")
    settled(page)
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded instead of updated"
    assert Node.objects.get(text=EDITED_CLAIM).is_deleted

    # Its page shows the history, and it comes back from there.
    notice.get_by_role("link", name="See it and its history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EDITED_CLAIM)
    expect(page.locator(".deleted-banner")).to_contain_text("Deleted by student-e")
    history = page.locator("#history")
    expect(history.locator(".history-entry")).to_have_count(3)
    expect(history.locator(".text-before")).to_have_text(NEW_CLAIM)
    expect(history.locator(".text-after")).to_have_text(EDITED_CLAIM)
    axe_clean(page)
    history.get_by_role("button", name="Restore it").click()

    expect(page.locator(".deleted-banner")).to_have_count(0)
    expect(page.locator("#history .history-entry").first).to_contain_text("restored it")
    assert not Node.objects.get(text=EDITED_CLAIM).is_deleted
    page.get_by_role("link", name="Show in the tree").click()
    expect(first_level_row(page, HEDGING, EDITED_CLAIM)).to_have_count(1)


def test_it_moves_a_claim_with_the_node_picker(page, demo_map, contributor, log_in, axe_clean):
    from argmap.models import Node, Relation

    log_in(page, "student-e", PASSWORD)
    page.goto(demo_map)
    card = thesis_card(page, HEDGING)
    card.locator(".node-controls").get_by_role("link", name="Reply for").click()
    card.get_by_label("Your claim, in your own words").fill(NEW_CLAIM)
    card.get_by_role("button", name="Add the claim").click()
    row = first_level_row(page, HEDGING, NEW_CLAIM)
    expect(row).to_have_count(1)
    settled(page)

    controls(row).locator("summary", has_text="More").click()
    controls(row).get_by_role("link", name="Move…").click()
    search = row.get_by_label("Find the node to place it under")
    expect(search).to_be_visible()
    settled(page)
    search.fill("loyal ally")
    target = row.get_by_role("radio", name=re.compile("Belarus is a loyal ally"))
    expect(target).to_be_visible()
    axe_clean(page)
    target.check()
    row.get_by_label("Opposes").check()
    row.get_by_role("button", name="Move it").click()

    expect(first_level_row(page, HEDGING, NEW_CLAIM)).to_have_count(0)
    expect(first_level_row(page, "Belarus is a loyal ally", NEW_CLAIM)).to_have_count(1)
    settled(page)
    relation = Relation.objects.live().get(child=Node.objects.get(text=NEW_CLAIM))
    assert (relation.parent.text, relation.stance) == ("Belarus is a loyal ally", "oppose")
