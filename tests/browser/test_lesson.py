"""A whole lesson in a real browser, through the pages only: a teacher makes a class and a moderated
exercise on a copy of the demo map; a student joins with the link, quotes a passage by dragging the
mouse over it and adds evidence; it appears on the teacher's open dashboard by itself; the teacher
approves it with a note and releases the results; the student sees it approved with the note, and a
classmate sees it only once it is approved.

Nothing is set up in the database but the teacher's account and the seed map: ids, codes and
addresses are read from the pages (they differ from run to run on PostgreSQL).
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_evidence import drag_over, unquoted_sentence

pytestmark = pytest.mark.browser

TEACHER = "mr-dvorak"
TEACHER_PASSWORD = "a-long-teacher-pass"
STUDENT_PASSWORD = "violet-harbour-kettle-17"
CLASS_NAME = "10A debate"
EXERCISE = "Who does Minsk really side with?"
BACK_DOORS = "Lukashenko keeps back doors open to the West"
CLAIM = "Minsk keeps a line open to the West in case Moscow falters"
NOTE = "Good find: say next time how reliable this source is."
LIVE = 15_000  # the dashboard polls every few seconds, then fetches the page
LOCAL_TIME = "%Y-%m-%dT%H:%M"


@pytest.fixture
def teacher(demo_map):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(TEACHER, password=TEACHER_PASSWORD)


def local(moment) -> str:
    """A time as the exercise form takes it: local to the class (Europe/Minsk, the default zone)."""
    return timezone.localtime(moment, ZoneInfo("Europe/Minsk")).strftime(LOCAL_TIME)


def sign_up_with_link(page, join_url: str, username: str) -> None:
    page.goto(join_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join “{CLASS_NAME}”")
    page.get_by_role("link", name="Sign up and join").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(STUDENT_PASSWORD)
    page.get_by_label("Password confirmation").fill(STUDENT_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CLASS_NAME)
    expect(page.get_by_role("status")).to_contain_text(f"Welcome! You joined “{CLASS_NAME}”.")


def claim_row(page):
    return page.locator("li.node").filter(
        has=page.locator(":scope > .node-card > p.node-text", has_text=re.compile(f"^{re.escape(CLAIM)}$"))
    )


def test_a_whole_lesson_from_the_class_to_approved_evidence(new_page, live_server, teacher, log_in, axe_clean):
    from argmap.models import Map, Source

    demo = Map.objects.get(code="belarus")
    source = Source.objects.in_map(demo).order_by("mapsource__id")[1]
    start, end = unquoted_sentence(source)
    passage = source.text[start:end]

    # The teacher makes the class and reads its join link from the class page.
    desk = new_page()
    log_in(desk, TEACHER, TEACHER_PASSWORD)
    desk.get_by_role("navigation", name="Site").get_by_role("link", name="Classes").click()
    desk.get_by_role("link", name="New class").click()
    desk.get_by_label("Name").fill(CLASS_NAME)
    desk.get_by_role("button", name="Create class").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(CLASS_NAME)
    code = re.fullmatch(r"Join code: (\w+)", desk.locator(".join-code").text_content().strip()).group(1)
    join_url = desk.locator("a.join-link").get_attribute("href")
    assert join_url.endswith(f"/join/{code}/")

    # A moderated exercise on a copy of the demo map, open now and for two hours.
    desk.get_by_role("link", name="New exercise").click()
    now = timezone.now()
    desk.get_by_label("Title").fill(EXERCISE)
    desk.get_by_label("Opens").fill(local(now - timedelta(minutes=1)))
    desk.get_by_label("Closes").fill(local(now + timedelta(hours=2)))
    desk.get_by_label("A copy of a map you can see").check()
    desk.get_by_label("Map to copy").select_option(label=f"{demo.title} (ms-novak, public)")
    desk.get_by_label("Moderation").check()
    desk.get_by_role("button", name="Create the exercise").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(EXERCISE)
    expect(desk.locator(".exercise-setup")).to_contain_text("Moderation on")
    desk.get_by_role("navigation", name="Running this exercise").get_by_role("link", name="Dashboard").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(f"Dashboard: {EXERCISE}")
    expect(desk.locator("#contributions")).to_contain_text("Nothing is waiting")
    desk.evaluate("() => { window.argmapTestMark = true; }")  # gone if the page is ever reloaded
    axe_clean(desk)

    # A student signs up with the link and lands in the class; a classmate does the same.
    anna = new_page()
    sign_up_with_link(anna, join_url, "anna-b")
    boris = new_page()
    sign_up_with_link(boris, join_url, "boris-k")

    anna.get_by_role("link", name=EXERCISE).click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(EXERCISE)
    axe_clean(anna)
    exercise_url = anna.url
    anna.get_by_role("link", name=f"Work on “{EXERCISE}”").click()  # the copy is named after the exercise
    expect(anna.get_by_role("heading", level=1)).to_have_text(EXERCISE)
    assert "/maps/belarus/" not in anna.url, "the student works on the exercise's copy, not the demo map"
    sources = anna.get_by_role("complementary").filter(has=anna.get_by_role("heading", name="Sources"))
    sources.get_by_role("link", name=source.display_title, exact=True).click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(source.display_title)
    reader_url = anna.url

    # The evidence: a passage selected with the mouse, the node found by searching, a side, a claim.
    drag_over(anna, source.text, start, end)
    expect(anna.locator("#evidence-form")).to_be_visible()
    expect(anna.locator("[data-evidence-preview]")).to_have_text(passage)
    anna.locator("#evidence-q").fill("back doors")
    choice = anna.locator("#evidence-node-choices label.node-choice", has_text=BACK_DOORS)
    expect(choice).to_have_count(1)
    choice.click()
    anna.get_by_label("supports it").check()
    anna.get_by_label("Your claim, in your own words").fill(CLAIM)
    anna.get_by_role("button", name="Add evidence").click()
    anna.wait_for_url(re.compile(r"\?quote=\d+#quote-\d+$"))
    expect(anna.get_by_text(f"Added your evidence “{CLAIM}”")).to_be_visible()
    used_by = anna.locator(".passage.is-target")
    expect(used_by.first).to_contain_text(CLAIM)
    expect(used_by.first.locator(".badge--pending")).to_have_text("Pending approval")
    anna.get_by_role("link", name="See it in the tree").click()
    tree_url = anna.url
    expect(claim_row(anna).first.locator(".badge--pending")).to_have_text("Pending approval")

    # The classmate sees nothing of it while it waits, in the tree or in the reader.
    boris.goto(tree_url)
    expect(boris.get_by_text(BACK_DOORS, exact=True).first).to_be_visible()
    expect(boris.locator("main")).not_to_contain_text(CLAIM)
    boris.goto(reader_url)
    expect(boris.get_by_role("heading", level=1)).to_have_text(source.display_title)
    expect(boris.locator("main")).not_to_contain_text(CLAIM)

    # It comes up on the teacher's dashboard without a reload; she approves it with a note.
    contributions = desk.locator("#contributions")
    expect(contributions).to_contain_text(CLAIM, timeout=LIVE)
    card = contributions.locator("article.contribution", has_text=CLAIM)
    expect(card).to_contain_text("anna-b")
    expect(card.locator("blockquote")).to_have_text(passage)
    expect(desk.locator("#students tr", has_text="anna-b").locator(".pending-count")).to_have_text("1")
    assert desk.evaluate("() => window.argmapTestMark === true"), "the dashboard was reloaded"
    axe_clean(desk)
    card.get_by_label("Feedback note").fill(NOTE)
    card.get_by_role("button", name="Approve").click()
    expect(desk.locator("#contributions .decided")).to_contain_text(f"Approved: “{CLAIM[:20]}")
    expect(card).to_have_count(0)

    # Anna: approved, no badge; the note waits for the release of the results.
    anna.goto(tree_url)
    expect(claim_row(anna).first).to_be_visible()
    expect(claim_row(anna).first.locator(".badge--pending")).to_have_count(0)
    anna.goto(exercise_url)
    anna.get_by_role("link", name="My work and feedback").click()
    mine = anna.locator("article.contribution", has_text=CLAIM)
    expect(mine.locator(".status-badge")).to_have_text("Approved")
    expect(anna.locator("main")).not_to_contain_text(NOTE)
    my_work_url = anna.url

    # Boris now sees it, in the tree and in the reader.
    boris.goto(tree_url)
    expect(claim_row(boris).first).to_be_visible()
    expect(claim_row(boris).first.locator(".badge--pending")).to_have_count(0)
    boris.goto(reader_url)
    expect(boris.locator(".passage", has_text=CLAIM).first).to_be_visible()

    # Released: Anna reads the teacher's note beside her evidence.
    desk.get_by_role("button", name="Release results to students").click()
    expect(desk.locator("#release")).to_contain_text("Released")
    anna.goto(my_work_url)
    mine = anna.locator("article.contribution", has_text=CLAIM)
    expect(mine.locator(".status-badge")).to_have_text("Approved")
    expect(mine.locator(".feedback")).to_contain_text(NOTE)
    assert desk.evaluate("() => window.argmapTestMark === true"), "the dashboard was reloaded"
