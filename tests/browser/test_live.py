"""Live updates in a real browser: another person's changes reach an open map page row by row,
without fetching the trees again, and without disturbing what the reader has open or typed.

Node ids are never written here (they change from run to run on PostgreSQL): rows are found by text
or by their place on the page.
"""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HEDGING = "Lukashenko is hedging"
PASSWORD = "a-long-browser-password"
LIVE = 10_000  # a poll every few seconds, then one fetch of the changed rows


@pytest.fixture
def watcher(demo_contributor):
    return demo_contributor("student-w", PASSWORD)


def node_id(row) -> int:
    return int(row.get_attribute("data-path").rsplit(".", 1)[-1])


def test_a_change_arrives_row_by_row_and_leaves_the_readers_work_alone(
        new_page, demo_map, watcher, log_in, live_server):
    from argmap.models import Node

    page = new_page()
    log_in(page, "student-w", PASSWORD)
    page.goto(demo_map)
    hedging = page.locator("section.thesis-tree").filter(
        has=page.get_by_role("heading", level=2, name=HEDGING, exact=True))
    first_level = hedging.locator(":scope > ul.tree > li.node")
    expect(first_level.first).to_be_visible()

    # The watcher opens a branch, a comment panel under another row, and a reply form under a third.
    branch = first_level.filter(has=page.locator(":scope > .node-card > .toggle")).first
    branch.locator(":scope > .node-card .toggle button").click()
    children = branch.locator(":scope > ul.tree > li.node")
    expect(children.first).to_be_visible()
    others = [first_level.nth(i) for i in range(first_level.count())]
    others = [row for row in others if row.get_attribute("id") != branch.get_attribute("id")]
    discussed, replied, unrelated = others[0], others[1], others[-1]
    discussed.locator(":scope > .node-card").get_by_role("link", name="Discuss here").click()
    panel = discussed.locator(".row-comments")
    expect(panel).to_be_visible()
    panel.get_by_label("Add a comment").fill("A comment I am still writing")
    replied.locator(":scope > .node-card > .node-controls").get_by_role("link", name="Reply for").click()
    reply_box = replied.get_by_label("Your claim, in your own words")
    expect(reply_box).to_be_visible()
    reply_box.fill("A reply I am still writing")
    page.evaluate("(id) => { window.argmapTestMark = true; document.getElementById(id).argmapSame = true; }",
                  unrelated.get_attribute("id"))
    page.evaluate("() => window.scrollTo(0, 250)")
    scrolled = page.evaluate("() => window.scrollY")

    fetched = []
    page.on("request", lambda request: fetched.append((request.url, request.headers.get("hx-target", ""))))

    # Someone else adds a claim under the open branch and edits a claim shown in it.
    parent = Node.objects.get(pk=node_id(branch))
    Node.objects.create(map=parent.map, text="A claim added while they watched").bear_on(parent, "oppose")
    edited = Node.objects.get(pk=node_id(children.first))
    edited.text = "This claim was reworded meanwhile"
    edited.save()

    start = time.monotonic()
    expect(branch.locator(":scope > ul.tree > li.node", has_text="A claim added while they watched")).to_be_visible(
        timeout=LIVE)
    expect(children.first.locator(":scope > .node-card > p.node-text")).to_have_text(
        "This claim was reworded meanwhile", timeout=LIVE)
    elapsed = time.monotonic() - start

    # Only the rows endpoint was asked: neither the map page nor its trees came again.
    map_path = re.compile(r"/maps/belarus/(?!activity/|rows/)[^/]+/(\?|$)")
    assert not [url for url, target in fetched if map_path.search(url) or target == "trees"], fetched
    assert any("/rows/?" in url for url, _ in fetched)
    assert page.evaluate("(id) => window.argmapTestMark === true && document.getElementById(id).argmapSame === true",
                         unrelated.get_attribute("id")), "an unrelated row was drawn again"
    # What the watcher had open and typed is still there, where it was.
    expect(reply_box).to_have_value("A reply I am still writing")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Add a comment")).to_have_value("A comment I am still writing")
    assert page.evaluate("() => window.scrollY") == scrolled
    assert elapsed < LIVE / 1000
