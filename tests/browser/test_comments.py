"""Comments and live updates in a real browser: posting and replying inline, the tree's comment
panel, and a second person's page showing new comments and nodes without a reload.

Node ids are read from the database by text (they differ from run to run on PostgreSQL).
"""

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BACK_DOORS = "Lukashenko keeps back doors open to the West"
HEDGING = "Lukashenko is hedging"
PASSWORD = "a-long-browser-password"
LIVE = 8_000  # a poll every 2 s, then a fetch: well within this on a busy machine


@pytest.fixture
def student(demo_contributor):
    """A contributor on the demo map, with a password to log in with."""
    return demo_contributor("student-b", PASSWORD)


def node(text):
    from argmap.models import Node

    return Node.objects.get(map__code="belarus", text=text)


def focus_url(live_server, text) -> str:
    return live_server.url + reverse("node-focus", args=["belarus", node(text).pk])


def mark_document(page) -> None:
    page.evaluate("() => { window.argmapTestMark = true; }")


def assert_same_document(page) -> None:
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded instead of updated"


def settled(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def test_it_posts_a_comment_and_a_reply_on_the_focus_view(page, live_server, student, log_in, axe_clean):
    log_in(page, "student-b", PASSWORD)
    page.goto(focus_url(live_server, BACK_DOORS))
    mark_document(page)
    section = page.locator("#comments")
    heading = section.get_by_role("heading", level=2)
    before = int(re.search(r"\d+", heading.inner_text()).group())

    section.get_by_label("Add a comment").fill("Which article says so? <b>not bold</b>")
    section.get_by_role("button", name="Post comment").click()

    mine = section.locator("li.comment", has_text="Which article says so?")
    expect(mine).to_be_visible()
    expect(mine.locator(".comment-text").first).to_have_text("Which article says so? <b>not bold</b>")
    expect(heading).to_have_text(f"Comments ({before + 1})")
    expect(section.get_by_label("Add a comment")).to_have_value("")
    settled(page)

    mine.get_by_text("Reply", exact=True).click()
    mine.get_by_label("Your reply").fill("Foreign Policy, see https://foreignpolicy.com/")
    mine.get_by_role("button", name="Post reply").click()

    reply = section.locator("li.comment", has_text="Which article says so?").locator(":scope > ul.replies > li.comment")
    expect(reply).to_have_count(1)
    expect(reply.get_by_role("link", name="https://foreignpolicy.com/")).to_have_attribute("rel", "nofollow")
    expect(heading).to_have_text(f"Comments ({before + 2})")
    assert_same_document(page)
    settled(page)

    # Every form open at once for axe: reply and edit on the reply, the new-comment form below.
    reply.get_by_text("Reply", exact=True).click()
    reply.get_by_text("Edit", exact=True).click()
    expect(reply.get_by_label("Your comment")).to_have_value("Foreign Policy, see https://foreignpolicy.com/")
    axe_clean(page)


def test_it_edits_and_deletes_a_comment_inline(page, live_server, student, log_in):
    log_in(page, "student-b", PASSWORD)
    page.goto(focus_url(live_server, BACK_DOORS))
    mark_document(page)
    section = page.locator("#comments")
    section.get_by_label("Add a comment").fill("Frist try")
    section.get_by_role("button", name="Post comment").click()
    mine = section.locator("li.comment", has_text="Frist try")
    expect(mine).to_be_visible()
    settled(page)

    mine.get_by_text("Edit", exact=True).click()
    mine.get_by_label("Your comment").fill("First try")
    mine.get_by_role("button", name="Save").click()
    edited = section.locator("li.comment", has_text="First try")
    expect(edited.locator(".comment-meta")).to_contain_text("(edited)")
    settled(page)

    edited.get_by_role("button", name=re.compile("^Delete")).click()
    expect(section.get_by_text("You deleted this comment.")).to_be_visible()
    expect(section.locator(".comment-text", has_text="First try")).to_have_count(0)
    settled(page)
    section.get_by_role("button", name=re.compile("^Restore")).click()
    expect(section.locator(".comment-text", has_text="First try")).to_be_visible()
    assert_same_document(page)


def test_it_opens_a_nodes_thread_under_its_row_in_the_tree(page, demo_map, student, log_in, axe_clean):
    log_in(page, "student-b", PASSWORD)
    page.goto(demo_map)
    mark_document(page)
    # The claim stands under both theses: take its first row.
    row = page.locator("li.node").filter(
        has=page.locator(":scope > .node-card > p.node-text", has_text=BACK_DOORS)).first
    toggle = row.locator(":scope > .node-card").get_by_role("link", name="Discuss here")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()

    panel = row.locator(":scope > .node-card > section.row-comments")
    expect(panel).to_be_visible()
    expect(row.locator(":scope > .node-card").get_by_role("link", name="Hide discussion")).to_have_attribute(
        "aria-expanded", "true")
    settled(page)
    # Tag the row's card: posting changes the map, so the card is soon drawn again (live) and the tag goes.
    card_id = row.get_attribute("id") + "-card"
    page.evaluate("(id) => { document.getElementById(id).dataset.testOld = 'yes'; }", card_id)
    panel.get_by_label("Add a comment").fill("Said from the tree")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-text", has_text="Said from the tree")).to_be_visible()
    assert_same_document(page)

    # After the card's refresh the open thread is still under its row.
    page.wait_for_function("(id) => !document.getElementById(id).dataset.testOld", arg=card_id, timeout=LIVE)
    expect(panel.locator(".comment-text", has_text="Said from the tree")).to_be_visible()
    hide = row.locator(":scope > .node-card").get_by_role("link", name="Hide discussion")
    expect(hide).to_have_attribute("aria-expanded", "true")
    settled(page)
    axe_clean(page)

    hide.click()
    expect(panel).to_be_hidden()
    expect(row.locator(":scope > .node-card").get_by_role("link", name="Discuss here")).to_have_attribute(
        "aria-expanded", "false")


def test_a_second_reader_sees_new_comments_and_nodes_without_reloading(
        new_page, demo_map, live_server, student, log_in):
    from argmap.models import Node

    reader = new_page()  # anonymous, on the map page
    reader.goto(demo_map)
    mark_document(reader)
    row = reader.locator("li.node").filter(
        has=reader.locator(":scope > .node-card > p.node-text", has_text=BACK_DOORS)).first
    count_link = row.locator(":scope > .node-card > .node-meta a", has_text=re.compile(r"^\d+ comments?$"))
    before = int(count_link.inner_text().split()[0])
    reader.evaluate("() => window.scrollTo(0, 300)")
    scrolled = reader.evaluate("() => window.scrollY")
    assert scrolled > 0

    writer = new_page()
    log_in(writer, "student-b", PASSWORD)
    writer.goto(focus_url(live_server, BACK_DOORS))
    writer.locator("#comments").get_by_label("Add a comment").fill("Seen live?")
    writer.locator("#comments").get_by_role("button", name="Post comment").click()
    expect(writer.locator("#comments .comment-text", has_text="Seen live?")).to_be_visible()

    expect(count_link).to_have_text(f"{before + 1} comment{'s' if before + 1 != 1 else ''}", timeout=LIVE)
    assert reader.evaluate("() => window.scrollY") == scrolled, "the refresh moved the page"

    Node.objects.create(map=node(HEDGING).map, text="A claim added meanwhile", author=student).bear_on(
        node(HEDGING), "support")
    expect(reader.get_by_text("A claim added meanwhile")).to_be_visible(timeout=LIVE)
    assert_same_document(reader)


def test_it_never_throws_away_what_someone_is_typing(new_page, live_server, student, log_in):
    from argmap.models import Comment, Node

    page = new_page()
    log_in(page, "student-b", PASSWORD)
    page.goto(focus_url(live_server, BACK_DOORS))
    mark_document(page)
    box = page.locator("#comments").get_by_label("Add a comment")
    box.fill("Half a thought")

    back_doors = node(BACK_DOORS)
    Comment.objects.create(node=back_doors, author=None, text="Someone else spoke")
    Node.objects.create(map=back_doors.map, text="Another claim meanwhile").bear_on(back_doors, "support")

    # The children columns are refreshed; the new comment comes into the thread around the writing.
    expect(page.locator("#children").get_by_text("Another claim meanwhile")).to_be_visible(timeout=LIVE)
    expect(page.locator("#comments").locator(".comment-text", has_text="Someone else spoke")).to_be_visible(
        timeout=LIVE)
    expect(box).to_have_value("Half a thought")
    expect(box).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="New changes")).to_have_count(0)
    assert_same_document(page)


def test_a_watcher_sees_anothers_comment_in_an_open_thread_while_writing_a_reply(
        new_page, demo_map, live_server, student, log_in):
    from argmap import comments

    first = comments.post(node(BACK_DOORS), student, "Which article says so?")
    watcher = new_page()
    log_in(watcher, "student-b", PASSWORD)
    watcher.goto(demo_map)
    mark_document(watcher)
    row = watcher.locator("li.node").filter(
        has=watcher.locator(":scope > .node-card > p.node-text", has_text=BACK_DOORS)).first
    row.locator(":scope > .node-card").get_by_role("link", name="Discuss here").click()
    panel = row.locator(".row-comments")
    thread = panel.locator("li.comment", has_text="Which article says so?")
    thread.get_by_text("Reply", exact=True).click()
    reply = watcher.locator("#" + thread.get_by_label("Your reply").get_attribute("id"))
    reply.fill("The one from May, I think")
    settled(watcher)
    heading = panel.get_by_role("heading", level=3)
    before = int(re.search(r"\d+", heading.inner_text()).group())

    comments.post(node(BACK_DOORS), None, "Another reader chimes in")
    comments.post(node(BACK_DOORS), None, "An answer to the question", reply_to=first)
    started = time.monotonic()
    expect(panel.locator(".comment-text", has_text="Another reader chimes in")).to_be_visible(timeout=LIVE)
    seen = time.monotonic() - started
    expect(thread.locator("ul.replies .comment-text", has_text="An answer to the question")).to_be_visible()
    expect(heading).to_have_text(f"Comments ({before + 2})")
    # The reply being written is where it was: same box, same text, still focused.
    expect(reply).to_have_value("The one from May, I think")
    expect(reply).to_be_focused()
    assert_same_document(watcher)
    assert seen < 3.5, f"the comment took {seen:.1f} s to arrive"


def test_it_posts_and_replies_without_javascript(new_page, live_server, student, log_in):
    page = new_page(java_script_enabled=False)
    log_in(page, "student-b", PASSWORD)
    page.goto(focus_url(live_server, BACK_DOORS))
    section = page.locator("#comments")
    section.get_by_label("Add a comment").fill("Posted the old way")
    section.get_by_role("button", name="Post comment").click()

    expect(page).to_have_url(re.compile(r"/nodes/\d+/#comment-\d+$"))
    mine = page.locator("#comments li.comment", has_text="Posted the old way")
    mine.get_by_text("Reply", exact=True).click()  # <details> opens without any script
    mine.get_by_label("Your reply").fill("Answered the old way")
    mine.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/nodes/\d+/#comment-\d+$"))
    thread = page.locator("#comments li.comment", has_text="Posted the old way")
    reply = thread.locator(":scope > ul.replies > li.comment")
    expect(reply.locator(".comment-text")).to_have_text("Answered the old way")


def test_it_keeps_a_form_opened_in_the_tree_when_the_map_changes(page, demo_map, student, log_in):
    from argmap.models import Comment, Membership, Role

    Membership.objects.filter(user=student).update(role=Role.EDITOR)
    log_in(page, "student-b", PASSWORD)
    page.goto(demo_map)
    mark_document(page)
    row = page.locator("li.node").filter(
        has=page.locator(":scope > .node-card > p.node-text", has_text=BACK_DOORS)).first
    row.locator(".node-controls").get_by_role("link", name="Edit", exact=True).click()
    field = row.locator("textarea[name=text]")
    expect(field).to_have_value(BACK_DOORS)
    settled(page)
    page.locator("h1").click()  # the focus leaves the form; nothing typed yet, but the form is open

    count_link = row.locator(":scope > .node-card > .node-meta a", has_text=re.compile(r"^\d+ comments?$"))
    before = int(count_link.inner_text().split()[0])
    Comment.objects.create(node=node(BACK_DOORS), author=None, text="Meanwhile")
    # The row's card is drawn again around the open form, which stays as it was.
    expect(count_link).to_have_text(f"{before + 1} comment{'s' if before + 1 != 1 else ''}", timeout=LIVE)
    expect(field).to_have_value(BACK_DOORS)
    expect(field).to_be_visible()
    assert_same_document(page)
