"""The teacher's dashboard in a real browser: deciding inline without leaving the page, new work
appearing without a reload, the same decisions without JavaScript, and axe on both pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from argmap.models import Node, NodeStatus
from tests.classwork import pending
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LIVE = 8_000  # a poll every 2 s, then a fetch


@pytest.fixture
def moderated(transactional_db, lesson):
    l = lesson(moderation=True, target_evidence=1)
    l.thesis = l.builder.thesis("Lukashenko is hedging")
    l.claim = pending(l, l.students[0], "He keeps doors open to the West", under=l.thesis,
                      quote="Moscow heard another.")
    return l


def open_dashboard(page, live_server, log_in, l):
    log_in(page, l.teacher.username, PASSWORD)
    page.goto(live_server.url + reverse("exercise-dashboard", args=[l.exercise.pk]))
    page.evaluate("() => { window.argmapTestMark = true; }")


def test_a_teacher_approves_and_rejects_in_place(page_expecting_400, live_server, log_in, moderated, axe_clean):
    l, page = moderated, page_expecting_400
    other = pending(l, l.students[1], "Everyone knows it", under=l.thesis)
    open_dashboard(page, live_server, log_in, l)
    axe_clean(page)

    card = page.locator(f"#contribution-{l.claim.pk}")
    card.get_by_label("Grade").fill("9/10")
    card.get_by_role("button", name="Approve").click()
    expect(page.locator("#contributions .decided")).to_contain_text("Approved: “He keeps doors open")
    expect(card).to_have_count(0)

    refused = page.locator(f"#contribution-{other.pk}")
    refused.get_by_role("button", name="Reject").click()
    expect(page.locator(f"#contribution-{other.pk} .review-errors")).to_contain_text("Say why")
    page.locator(f"#contribution-{other.pk}").get_by_label("Feedback note").fill("Which source says so?")
    page.locator(f"#contribution-{other.pk}").get_by_role("button", name="Reject").click()
    expect(page.locator("#contributions .decided")).to_contain_text("Rejected: “Everyone knows it")
    expect(page.locator("#contributions")).to_contain_text("Nothing is waiting")

    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded"
    assert Node.objects.get(pk=l.claim.pk).status == NodeStatus.APPROVED
    assert Node.objects.get(pk=other.pk).status == NodeStatus.REJECTED


def test_new_work_appears_without_a_reload_also_after_a_decision(page, live_server, log_in, moderated):
    l = moderated
    open_dashboard(page, live_server, log_in, l)
    row = page.locator(f"#student-{l.students[0].pk}")
    row.get_by_label("Grade").fill("B+")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#student-{l.students[0].pk}")).to_contain_text("Saved.")
    page.locator(f"#contribution-{l.claim.pk}").get_by_role("button", name="Approve").click()
    expect(page.locator("#contributions .decided")).to_contain_text("Approved")
    pending(l, l.students[1], "A brand new claim", under=l.thesis)
    expect(page.locator("#contributions")).to_contain_text("A brand new claim", timeout=LIVE)
    expect(page.locator(f"#student-{l.students[1].pk} .pending-count")).to_have_text("1")
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded"


def test_a_students_comment_refreshes_only_the_students_table(page, live_server, log_in, moderated):
    from tests.classwork import remark

    l = moderated
    open_dashboard(page, live_server, log_in, l)
    comments_done = page.locator(f"#student-{l.students[1].pk}")
    before = comments_done.inner_text()
    fetched = []
    page.on("request", lambda request: "/dashboard/" in request.url and "/activity/" not in request.url
            and fetched.append(request.headers.get("hx-target", "page")))

    remark(l.thesis, l.students[1], "Why this thesis?")

    expect(comments_done).not_to_have_text(before, timeout=LIVE)
    assert fetched == ["students"], fetched
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded"


def test_it_works_without_javascript(new_page, live_server, log_in, moderated):
    l = moderated
    page = new_page(java_script_enabled=False)
    open_dashboard_no_js = live_server.url + reverse("exercise-dashboard", args=[l.exercise.pk])
    log_in(page, l.teacher.username, PASSWORD)
    page.goto(open_dashboard_no_js)
    page.locator(f"#contribution-{l.claim.pk}").get_by_role("button", name="Approve").click()
    expect(page.locator(".dashboard-messages")).to_contain_text("Approved: “He keeps doors open")
    row = page.locator(f"#student-{l.students[0].pk}")
    row.get_by_label("Grade").fill("A")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".dashboard-messages")).to_contain_text("Saved the result")
    page.get_by_role("button", name="Release results to students").click()
    expect(page.locator("#release")).to_contain_text("Released")

    log_in(page, l.students[0].username, PASSWORD)
    page.goto(live_server.url + reverse("exercise-my-work", args=[l.exercise.pk]))
    expect(page.locator("main")).to_contain_text("Grade: A")


def test_a_students_page_shows_their_work_and_passes_axe(page, live_server, log_in, moderated, axe_clean):
    l = moderated
    log_in(page, l.students[0].username, PASSWORD)
    page.goto(live_server.url + reverse("exercise-my-work", args=[l.exercise.pk]))
    expect(page.locator(f"#contribution-{l.claim.pk}")).to_contain_text("Waiting for approval")
    axe_clean(page)
