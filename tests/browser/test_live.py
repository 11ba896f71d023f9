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


def watch_requests(page) -> list:
    fetched = []
    page.on("request", lambda request: fetched.append((request.url, request.headers.get("hx-target", ""))))
    return fetched


def trees_fetched(fetched) -> list:
    map_path = re.compile(r"/maps/belarus/(?!activity/|rows/)[^/]+/(\?|$)")
    return [url for url, target in fetched if map_path.search(url) or target == "trees"]


def test_a_reworded_thesis_swaps_its_card_and_the_cards_that_name_it(new_page, demo_map, watcher, log_in):
    from argmap.models import Node, NodeStatus

    page = new_page()
    log_in(page, "student-w", PASSWORD)
    page.goto(demo_map)
    hedging = page.locator("section.thesis-tree").filter(
        has=page.get_by_role("heading", level=2, name=HEDGING, exact=True))
    hedging = page.locator(f'section[data-path="{hedging.get_attribute("data-path")}"]')
    loyal = page.locator("section.thesis-tree").filter(
        has=page.get_by_role("heading", level=2, name="Belarus is a loyal ally", exact=True))
    # A claim under both theses: under the other one, its card says where else it is.
    also = loyal.locator(":scope > ul.tree > li.node").filter(
        has=page.locator(":scope > .node-card > p.node-text", has_text="back doors")).locator(
        ":scope > .node-card details.other-places")
    expect(also).to_contain_text(HEDGING)
    first_row = "(path) => document.querySelector(`section[data-path='${path}'] > ul.tree > li`)"
    page.evaluate(f"(path) => {{ ({first_row})(path).argmapSame = true; }}", hedging.get_attribute("data-path"))
    fetched = watch_requests(page)

    thesis = Node.objects.get(map__code="belarus", text=HEDGING)
    thesis.text = "Lukashenko is hedging his bets"
    thesis.status = NodeStatus.PENDING  # as when a teacher sends a thesis back for approval
    thesis.save()

    expect(hedging.get_by_role("heading", level=2)).to_have_text("Lukashenko is hedging his bets", timeout=LIVE)
    expect(hedging.locator(".thesis-card .kind-label")).to_contain_text("Pending approval")
    expect(hedging).to_have_class(re.compile(r"thesis-tree--pending"))
    expect(also).to_contain_text("Lukashenko is hedging his bets", timeout=LIVE)
    assert not trees_fetched(fetched), fetched
    assert page.evaluate(f"(path) => ({first_row})(path).argmapSame", hedging.get_attribute("data-path")), \
        "the thesis's tree was drawn again"


def test_a_level_shown_whole_stays_whole_after_a_live_update(new_page, demo_map, watcher, log_in, settings):
    from argmap.models import Node

    settings.ARGMAP_CHILDREN_PAGE = 2
    page = new_page()
    log_in(page, "student-w", PASSWORD)
    page.goto(demo_map)
    hedging = page.locator("section.thesis-tree").filter(
        has=page.get_by_role("heading", level=2, name=HEDGING, exact=True))
    branch = hedging.locator(":scope > ul.tree > li.node").filter(
        has=page.locator(":scope > .node-card .toggle button", has_text=re.compile(r"Show ([3-9]|\d\d)"))).first
    branch = page.locator("#" + branch.get_attribute("id"))  # its button's words change as it opens
    branch.locator(":scope > .node-card .toggle button").click()
    level = branch.locator(":scope > ul.tree")
    level.locator(":scope > li.more-children button").click()
    expect(level.locator(":scope > li.more-children")).to_have_count(0)
    shown = level.locator(":scope > li.node").count()
    assert shown > 2

    Node.objects.create(map=Node.objects.get(pk=node_id(branch)).map, text="One more reply, live").bear_on(
        Node.objects.get(pk=node_id(branch)), "support")

    expect(level.locator(":scope > li.node", has_text="One more reply, live")).to_be_visible(timeout=LIVE)
    expect(level.locator(":scope > li.node")).to_have_count(shown + 1)
    expect(level.locator(":scope > li.more-children")).to_have_count(0)


def test_a_page_the_log_cannot_bring_up_to_date_or_without_a_new_thesis_refreshes_its_trees(
        new_page, demo_map, watcher, log_in):
    from django.db import transaction

    from argmap.models import LiveChange, Node, NodeKind

    page = new_page()
    log_in(page, "student-w", PASSWORD)
    page.goto(demo_map)
    page.evaluate("() => { window.argmapTestMark = true; }")
    fetched = watch_requests(page)

    thesis = Node.objects.get(map__code="belarus", text=HEDGING)
    with transaction.atomic():  # as if the log had been pruned past this page
        Node.objects.create(map=thesis.map, text="A claim the log lost").bear_on(thesis, "support")
        LiveChange.objects.filter(map=thesis.map).delete()

    expect(page.get_by_text("A claim the log lost")).to_be_visible(timeout=LIVE)
    assert trees_fetched(fetched) and not any("/rows/?" in url for url, _ in fetched), fetched
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded instead of updated"

    # A new thesis has no place on the page yet: the trees come whole too, with it.
    Node.objects.create(map=thesis.map, kind=NodeKind.THESIS, text="Belarus plays for time")
    expect(page.get_by_role("heading", level=2, name="Belarus plays for time")).to_be_visible(timeout=LIVE)
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded instead of updated"


def test_a_hidden_tab_skips_its_polls_and_asks_at_once_when_shown_again(new_page, demo_map):
    from argmap.models import Node

    page = new_page()  # anonymous: reading is enough
    page.goto(demo_map)
    polls = []
    page.on("request", lambda request: "/activity/" in request.url and polls.append(request.url))
    shown = "(hidden) => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});" \
            " document.dispatchEvent(new Event('visibilitychange')); }"
    page.evaluate(shown, True)
    page.wait_for_timeout(500)  # a poll already on its way
    polls.clear()
    page.wait_for_timeout(4_500)
    assert polls == [], "a hidden tab polled"

    thesis = Node.objects.get(map__code="belarus", text=HEDGING)
    Node.objects.create(map=thesis.map, text="Said while the tab was hidden").bear_on(thesis, "support")
    # At once: well before the next of its 2 s ticks would come.
    with page.expect_request(lambda request: "/activity/" in request.url, timeout=400):
        page.evaluate(shown, False)
    expect(page.get_by_text("Said while the tab was hidden")).to_be_visible(timeout=LIVE)
