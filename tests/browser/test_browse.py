"""Browsing the demo map in a real browser: expanding branches, filtering, focus views, quotes.

Node ids are never written here: on PostgreSQL the ids of the seeded nodes change from test to test
(flushing does not reset sequences), so nodes are found by their text and ids read from the page.
"""

import re

import pytest
from django.urls import reverse
from django.utils.text import Truncator
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_TITLE = "How reliable an ally is Belarus to Russia?"
HEDGING = "Lukashenko is hedging"
LOYAL = "Belarus is a loyal ally"
BACK_DOORS = "Lukashenko keeps back doors open to the West"
SURVIVAL = "Lukashenko's real priority is keeping himself in power, not serving Putin"
UNSUPPORTED = "Lukashenko just likes to keep everyone guessing"


def exactly(text: str) -> re.Pattern:
    return re.compile(f"^{re.escape(text)}$")


def open_map(page, url: str):
    response = page.goto(url)
    expect(page).to_have_url(re.compile(r"/maps/belarus/how-reliable-an-ally-is-belarus-to-russia/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MAP_TITLE)
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load: the tree buttons would reload the page"
    return response


def settled(page) -> None:
    """Wait until htmx has finished: new content is only wired up (hx-get and so on) when it settles,
    20 ms after the swap; a click before that would submit the form the old-fashioned way."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def mark_document(page) -> None:
    """Tag this document, so a later `assert_same_document` proves htmx did the work (no reload)."""
    page.evaluate("() => { window.argmapTestMark = true; }")


def assert_same_document(page) -> None:
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded instead of updated by htmx"


def thesis_section(page, thesis: str):
    return page.locator("section.thesis-tree").filter(
        has=page.get_by_role("heading", level=2, name=thesis, exact=True)
    )


def rows_in(scope):
    """The node rows directly inside a tree list or thesis section (not the deeper ones)."""
    return scope.locator(":scope > ul.tree > li.node")


def row_with_text(rows, text: str):
    return rows.filter(has=rows.page.locator(":scope > .node-card > p.node-text", has_text=exactly(text)))


def first_level_row(page, thesis: str, text: str):
    row = row_with_text(rows_in(thesis_section(page, thesis)), text)
    expect(row).to_have_count(1)
    return row


def card_text(row) -> str:
    return row.locator(":scope > .node-card > p.node-text").inner_text()


def texts_of(rows) -> list[str]:
    return rows.locator(":scope > .node-card > p.node-text").all_inner_texts()


def node_id_of(dom_id: str) -> str:
    return dom_id.rsplit("-", 1)[1]


def child_texts(parent_text: str) -> dict[str, list[str]]:
    """What the database says lies directly under a node, by stance (in map order)."""
    from argmap.models import Relation

    relations = Relation.objects.live().filter(
        map__code="belarus", parent__text=parent_text, child__deleted_at__isnull=True
    ).order_by("id")
    result = {"support": [], "oppose": []}
    for relation in relations.select_related("child"):
        result[relation.stance].append(relation.child.text)
    return result


def tab_until(page, condition_js: str, what: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(condition_js):
            return
    active = page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"{limit} presses of Tab never reached {what}; focus ended on {active}")


def test_it_loads_its_stylesheet_and_htmx(page, demo_map):
    response = open_map(page, demo_map)
    # The policy is really in force, so "no console errors" also means "no CSP violations".
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
    # The stylesheet paints the page background and the dark site header.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(244, 246, 249)"
    header = page.locator(".site-header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(29, 35, 43)"
    assert page.evaluate("htmx.version").startswith("2.")


def test_it_expands_and_collapses_a_branch_with_the_mouse(page, demo_map):
    expected = child_texts(BACK_DOORS)
    count = len(expected["support"]) + len(expected["oppose"])
    open_map(page, demo_map)
    row = first_level_row(page, HEDGING, BACK_DOORS)
    dom_id = row.get_attribute("id")
    toggle = page.locator(f"#{dom_id}-toggle")
    children = page.locator(f"#{dom_id}-children > li.node")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text(f"Show {count} responses")
    expect(children).to_have_count(0)
    mark_document(page)

    toggle.click()

    expect(children).to_have_count(count)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_attribute("aria-controls", f"{dom_id}-children")
    expect(toggle).to_have_text(f"Hide {count} responses")
    assert sorted(texts_of(children)) == sorted(expected["support"] + expected["oppose"])
    for child in children.all():
        expect(child).to_be_visible()
    expect(children.filter(has=page.locator(":scope > .node-card .stance--support"))).to_have_count(
        len(expected["support"])
    )
    settled(page)

    toggle.click()

    expect(children).to_have_count(0)
    expect(page.locator(f"#{dom_id}-children")).to_have_count(0)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text(f"Show {count} responses")
    settled(page)
    assert_same_document(page)


def test_it_expands_and_collapses_branches_with_the_keyboard_alone(page, demo_map):
    open_map(page, demo_map)
    first_toggle = page.locator("#trees button[aria-expanded]").first
    toggle_id = first_toggle.get_attribute("id")
    dom_id = toggle_id.removesuffix("-toggle")
    children = page.locator(f"#{dom_id}-children > li.node")
    toggle = page.locator(f"#{toggle_id}")

    mark_document(page)
    tab_until(page, f"document.activeElement.id === {toggle_id!r}", f"the first toggle (#{toggle_id})")
    page.keyboard.press("Enter")

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(children.first).to_be_visible()
    expect(toggle).to_be_focused()
    settled(page)

    page.keyboard.press("Space")

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(children).to_have_count(0)
    expect(toggle).to_be_focused()
    settled(page)

    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_be_focused()
    settled(page)

    # Further down the open branch, the first row with responses of its own.
    tab_until(
        page,
        f"""(() => {{
            const el = document.activeElement;
            return el.tagName === 'BUTTON' && el.id.endsWith('-toggle') && !!el.closest('#{dom_id}-children');
        }})()""",
        f"a toggle inside #{dom_id}-children",
    )
    inner_toggle_id = page.evaluate("document.activeElement.id")
    inner_id = inner_toggle_id.removesuffix("-toggle")
    assert inner_id.startswith(f"{dom_id}-")
    inner_toggle = page.locator(f"#{inner_toggle_id}")
    expect(inner_toggle).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")

    expect(inner_toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#{inner_id}-children > li.node").first).to_be_visible()
    expect(inner_toggle).to_be_focused()
    # The branch above stays open.
    expect(toggle).to_have_attribute("aria-expanded", "true")
    settled(page)
    assert_same_document(page)


def test_it_filters_the_trees_by_stance_and_evidence(page, demo_map):
    from argmap.models import Node

    # A claim with no evidence anywhere below it: "Evidence only" must leave it out.
    hedging = Node.objects.get(map__code="belarus", kind="thesis", text=HEDGING)
    Node.objects.create(map=hedging.map, text=UNSUPPORTED).bear_on(hedging, "support")

    open_map(page, demo_map)
    trees = page.locator("#trees")
    expect(row_with_text(rows_in(thesis_section(page, HEDGING)), UNSUPPORTED)).to_be_visible()
    expect(trees.locator(".stance--oppose").first).to_be_visible()
    mark_document(page)

    page.locator("label.filter-option", has_text="Supporting only").click()

    expect(page).to_have_url(re.compile(r"[?&]filter=support(&|$)"))
    expect(page.get_by_label("Supporting only")).to_be_checked()
    expect(trees.locator(".stance--oppose")).to_have_count(0)
    expect(trees.locator(".stance--support").first).to_be_visible()
    settled(page)
    # Deeper levels follow the filter too.
    trees.get_by_role("link", name="Expand all").click()
    expect(page).to_have_url(re.compile(r"expand=all"))
    expect(trees.get_by_role("link", name="Collapse all")).to_be_visible()
    expect(page).to_have_url(re.compile(r"filter=support"))
    assert trees.locator("li.node").count() > 20
    expect(trees.locator(".stance--oppose")).to_have_count(0)
    expect(trees.locator("li.node--oppose")).to_have_count(0)

    page.locator("label.filter-option", has_text="Opposing only").click()

    expect(page).to_have_url(re.compile(r"[?&]filter=oppose(&|$)"))
    expect(page.get_by_label("Opposing only")).to_be_checked()
    expect(trees.locator(".stance--support")).to_have_count(0)
    expect(trees.locator(".stance--oppose").first).to_be_visible()
    expect(trees.locator("li.node--support")).to_have_count(0)

    page.locator("label.filter-option", has_text="Evidence only").click()

    expect(page).to_have_url(re.compile(r"[?&]filter=evidence(&|$)"))
    expect(page.get_by_label("Evidence only")).to_be_checked()
    expect(trees.get_by_text(UNSUPPORTED, exact=True)).to_have_count(0)
    expect(trees.locator(".stance--oppose").first).to_be_visible()
    expect(trees.locator(".stance--support").first).to_be_visible()
    settled(page)
    trees.get_by_role("link", name="Expand all").click()
    expect(trees.get_by_role("link", name="Collapse all")).to_be_visible()
    rows = trees.locator("li.node")
    assert rows.count() > 20
    not_leading_to_evidence = rows.evaluate_all(
        """rows => rows
            .filter(li => !li.matches('.node--evidence') && !li.querySelector('li.node--evidence'))
            .map(li => li.id + ': ' + li.querySelector('.node-text').textContent)"""
    )
    assert not_leading_to_evidence == []

    page.locator("label.filter-option", has_text="Everything").click()
    expect(page).to_have_url(re.compile(r"filter=all"))
    expect(trees.get_by_text(UNSUPPORTED, exact=True)).to_be_visible()
    settled(page)
    assert_same_document(page)


def test_it_opens_a_focus_view_from_a_nodes_focus_link(page, demo_map):
    expected = child_texts(BACK_DOORS)
    open_map(page, demo_map)
    row = first_level_row(page, HEDGING, BACK_DOORS)

    row.locator(":scope > .node-card").get_by_role("link", name="Focus", exact=True).click()

    expect(page).to_have_url(re.compile(r"/maps/belarus/nodes/\d+/\?path=\d+\.\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BACK_DOORS)
    supporting = page.locator("section.column--support")
    opposing = page.locator("section.column--oppose")
    expect(supporting.get_by_role("heading", level=2)).to_have_text(f"+ Supporting ({len(expected['support'])})")
    expect(opposing.get_by_role("heading", level=2)).to_have_text(f"− Opposing ({len(expected['oppose'])})")
    expect(supporting.locator("li.child-card > p.node-text")).to_have_text(expected["support"])
    expect(opposing.locator("li.child-card > p.node-text")).to_have_text(expected["oppose"])
    expect(page.locator("#comments").get_by_role("heading", level=2)).to_have_text(re.compile(r"^Comments \(\d+\)$"))
    where = page.locator("section[aria-labelledby=places-heading]")
    expect(where.get_by_role("heading", level=2)).to_have_text("Where it appears")
    expect(where.get_by_role("link", name=LOYAL, exact=True)).to_be_visible()

    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("listitem")).to_have_text([MAP_TITLE, HEDGING, BACK_DOORS])
    expect(breadcrumb.locator("[aria-current=page]")).to_have_text(BACK_DOORS)
    breadcrumb.get_by_role("link", name=MAP_TITLE, exact=True).click()

    expect(page).to_have_url(re.compile(r"/maps/belarus/how-reliable-an-ally-is-belarus-to-russia/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MAP_TITLE)
    expect(first_level_row(page, HEDGING, BACK_DOORS)).to_be_visible()


def test_it_opens_the_focus_view_of_a_node_deeper_in_the_tree(page, demo_map):
    open_map(page, demo_map)
    row = first_level_row(page, HEDGING, BACK_DOORS)
    page.locator(f"#{row.get_attribute('id')}-toggle").click()
    child = rows_in(row).first
    expect(child).to_be_visible()
    text = card_text(child)

    child.locator(":scope > .node-card").get_by_role("link", name="Focus", exact=True).click()

    expect(page).to_have_url(re.compile(r"/maps/belarus/nodes/\d+/\?path=\d+\.\d+\.\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    # The breadcrumb shortens long claims to 70 characters.
    expect(breadcrumb.get_by_role("listitem")).to_have_text([MAP_TITLE, HEDGING, BACK_DOORS, Truncator(text).chars(70)])
    # The node also bears (through other claims) on the other thesis: both sides are named.
    sides = page.locator("article.focus-node ul.sides > li")
    expect(sides.filter(has_text=HEDGING)).to_have_count(1)
    expect(sides.filter(has_text=LOYAL)).to_have_count(1)

    breadcrumb.get_by_role("link", name=BACK_DOORS, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BACK_DOORS)


def test_it_shows_replies_nested_under_their_comment(page, demo_map, live_server):
    from argmap.models import Comment

    replies = Comment.objects.live().filter(node__map__code="belarus", reply_to__isnull=False)
    reply = replies.select_related("node").order_by("id").first()
    assert reply is not None, "the demo map should have a reply to a comment"
    page.goto(live_server.url + reverse("node-focus", args=["belarus", reply.node_id]) + "#comments")

    expect(page.get_by_role("heading", level=1)).to_have_text(reply.node.text)
    parent = page.locator(f"#comments li.comment#comment-{reply.reply_to_id}")
    nested = parent.locator(f":scope > ul.replies > li.comment#comment-{reply.pk}")
    expect(nested).to_be_visible()
    expect(nested.locator(".comment-text")).to_have_text(reply.text)
    expect(page.locator("#comments")).to_be_in_viewport()


def test_it_follows_a_quote_to_its_passage_in_the_source(page, demo_map):
    open_map(page, demo_map)
    row = first_level_row(page, HEDGING, BACK_DOORS)
    page.locator(f"#{row.get_attribute('id')}-toggle").click()
    evidence = row.locator(":scope > ul.tree > li.node--evidence").first
    expect(evidence).to_be_visible()
    figure = evidence.locator(":scope > .node-card > figure.quote").first
    quoted = figure.locator("blockquote").text_content()
    link = figure.locator("figcaption a")
    source_title = link.inner_text()
    quote_id = re.fullmatch(r"/maps/belarus/sources/[\w-]+/\?quote=(\d+)#quote-\1", link.get_attribute("href")).group(1)

    link.click()

    expect(page).to_have_url(re.compile(rf"/maps/belarus/sources/[\w-]+/\?quote={quote_id}#quote-{quote_id}$"))
    assert page.evaluate("location.hash") == f"#quote-{quote_id}"
    expect(page.get_by_role("heading", level=1)).to_have_text(source_title)
    text = page.locator("#source-text")
    anchor = text.locator(f"span#quote-{quote_id}")
    expect(anchor).to_have_count(1)
    targets = text.locator("a.hl.is-target")
    expect(targets.first).to_be_visible()
    # The marked segments run on from the quote's anchor with no unmarked text between them, and
    # together they are exactly the quoted text.
    run = anchor.evaluate(
        """anchor => {
            const marked = [...document.querySelectorAll('#source-text a.hl.is-target')];
            const run = [];
            for (let node = anchor.nextSibling; node && run.length < marked.length; node = node.nextSibling) {
                if (node.nodeType === Node.ELEMENT_NODE && node.matches('span.quote-anchor')) continue;
                if (node.nodeType !== Node.ELEMENT_NODE || !node.matches('a.hl.is-target')) break;
                run.push(node);
            }
            return {all: run.length === marked.length, text: run.map(el => el.textContent).join('')};
        }"""
    )
    assert run["all"], "the highlighted segments are not one unbroken run starting at the quote's anchor"
    assert run["text"] == quoted
    if text.locator("a.hl[data-quotes]").count():
        # Each segment lists the quotes covering it: the target's are exactly the marked ones.
        with_id = text.locator(f'a.hl[data-quotes~="{quote_id}"]')
        assert with_id.count() == targets.count()
        assert with_id.evaluate_all("els => els.every(el => el.classList.contains('is-target'))")
    expect(targets.first).to_be_in_viewport()
    # The list beside the text marks the same quote.
    marked_use = page.locator(".passage.is-target").filter(has=page.locator(f'a[href$="#quote-{quote_id}"]'))
    expect(marked_use.first).to_be_visible()


def test_it_shows_a_node_under_its_other_parent(page, demo_map):
    open_map(page, demo_map)
    row = first_level_row(page, HEDGING, SURVIVAL)
    dom_id = row.get_attribute("id")
    page.locator(f"#{dom_id}-toggle").click()
    children = page.locator(f"#{dom_id}-children > li.node")
    child = children.filter(has=page.locator(":scope > .node-card > details.other-places")).first
    expect(child).to_be_visible()
    child_dom_id = child.get_attribute("id")
    node_id = node_id_of(child_dom_id)
    text = card_text(child)
    details = child.locator(":scope > .node-card > details.other-places")
    expect(details.locator("summary")).to_have_text(re.compile(r"^Also in \d+ other places?$"))
    link = details.locator("ul a").first
    expect(link).to_be_hidden()

    details.locator("summary").click()

    expect(link).to_be_visible()
    other_parent = link.inner_text()
    link.click()

    expect(page).to_have_url(re.compile(rf"#node-[\d-]+-{node_id}$"))
    target_id = page.evaluate("location.hash").removeprefix("#")
    assert target_id.endswith(f"-{node_id}")
    assert target_id != child_dom_id
    target = page.locator(f"li#{target_id}")
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()
    expect(target.locator(":scope > .node-card > p.node-text")).to_have_text(text)
    # It hangs under the other parent there, not under the row we came from.
    parent = page.locator(f"#{target_id.rsplit('-', 1)[0]}")
    expect(parent.locator(":scope > .node-card > p.node-text")).to_have_text(other_parent)
    assert target_id.rsplit("-", 1)[0] != dom_id


AXE_PAGES = ["map list", "map", "map with a branch open", "focus view", "source reader", "login"]


@pytest.mark.parametrize("where", AXE_PAGES)
def test_it_has_no_accessibility_violations(page, demo_map, live_server, axe_clean, where):
    if where == "map list":
        page.goto(live_server.url + "/")
        expect(page.get_by_role("link", name=MAP_TITLE)).to_be_visible()
    elif where == "login":
        page.goto(live_server.url + "/accounts/login/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    else:
        open_map(page, demo_map)
        if where == "map with a branch open":
            row = first_level_row(page, HEDGING, BACK_DOORS)
            page.locator(f"#{row.get_attribute('id')}-toggle").click()
            expect(row.locator(":scope > ul.tree > li.node").first).to_be_visible()
            # An open "other places" disclosure too.
            row.locator(":scope > .node-card > details.other-places > summary").click()
        elif where == "focus view":
            row = first_level_row(page, HEDGING, BACK_DOORS)
            row.locator(":scope > .node-card").get_by_role("link", name="Focus", exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(BACK_DOORS)
        elif where == "source reader":
            row = first_level_row(page, HEDGING, BACK_DOORS)
            page.locator(f"#{row.get_attribute('id')}-toggle").click()
            row.locator("figure.quote figcaption a").first.click()
            expect(page.locator("#source-text a.is-target").first).to_be_visible()
    axe_clean(page)


def test_it_works_without_javascript(new_page, demo_map):
    page = new_page(java_script_enabled=False)
    page.goto(demo_map)
    expect(page.get_by_role("heading", level=1)).to_have_text(MAP_TITLE)
    row = first_level_row(page, HEDGING, BACK_DOORS)
    dom_id = row.get_attribute("id")
    key = dom_id.removeprefix("node-").replace("-", ".")
    toggle = page.locator(f"#{dom_id}-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()  # submits the toggle's form: a full page load

    expect(page).to_have_url(re.compile(rf"\?open={re.escape(key)}#{dom_id}$"))
    expect(page.locator(f"#{dom_id}-toggle")).to_have_attribute("aria-expanded", "true")
    children = page.locator(f"#{dom_id}-children > li.node")
    assert sorted(texts_of(children)) == sorted(sum(child_texts(BACK_DOORS).values(), []))
    for child in children.all():
        expect(child).to_be_visible()

    # Closing it again works the same way.
    page.locator(f"#{dom_id}-toggle").click()
    expect(page.locator(f"#{dom_id}-toggle")).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"#{dom_id}-children")).to_have_count(0)

    # The filter needs its Apply button: choosing a radio alone changes nothing.
    page.locator("label.filter-option", has_text="Opposing only").click()
    expect(page.get_by_label("Opposing only")).to_be_checked()
    expect(page.locator("#trees .stance--support").first).to_be_visible()
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"\?filter=oppose$"))
    expect(page.get_by_label("Opposing only")).to_be_checked()
    expect(page.locator("#trees .stance--support")).to_have_count(0)
    expect(page.locator("#trees .stance--oppose").first).to_be_visible()
