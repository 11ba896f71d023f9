"""Moderation and anonymity in a real browser: a student's claim added inline shows as pending to
them and not at all to a classmate; a rejection shows the teacher's feedback; the pages pass axe-core.

Node ids are never written here (they change from run to run on PostgreSQL): rows are found by text.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HEDGING = "Lukashenko is hedging"
PASSWORD = "a-long-browser-password"
NEW_CLAIM = "Minsk quietly courts Beijing as a third partner"


@pytest.fixture
def exercise(demo_map):
    """The demo map as an open exercise's map, with moderation and anonymity, and two students."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from argmap.models import ClassRole, Enrolment, Exercise, SchoolClass
    from argmap.classroom.pseudonyms import ensure_pseudonyms
    from argmap.models import Map

    User = get_user_model()
    map_ = Map.objects.get(code="belarus")
    school_class = SchoolClass.objects.create(name="11B", created_by=map_.owner)
    Enrolment.objects.create(school_class=school_class, user=map_.owner, role=ClassRole.TEACHER)
    for name in ("pupil-anna", "pupil-boris"):
        student = User.objects.create_user(name, password=PASSWORD)
        Enrolment.objects.create(school_class=school_class, user=student, role=ClassRole.STUDENT)
    exercise = Exercise.objects.create(school_class=school_class, title="Hedging?", moderation=True, anonymity=True,
                                       opens_at=timezone.now() - timedelta(minutes=5))
    ensure_pseudonyms(exercise)
    Map.objects.filter(pk=map_.pk).update(exercise=exercise)
    return exercise


def thesis_card(page, text: str):
    return page.locator(".thesis-card").filter(has=page.get_by_role("heading", level=2, name=text, exact=True))


def row_of(page, text: str):
    return page.locator("li.node").filter(
        has=page.locator(":scope > .node-card > p.node-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def test_a_students_claim_waits_for_approval_and_a_classmate_does_not_see_it(
    new_page, demo_map, exercise, log_in, axe_clean
):
    from argmap.models import Pseudonym
    from argmap.models import Node, NodeStatus

    anna = new_page()
    log_in(anna, "pupil-anna", PASSWORD)
    anna.goto(demo_map)
    card = thesis_card(anna, HEDGING)
    card.locator(".node-controls").get_by_role("link", name="Reply for").click()
    card.get_by_label("Your claim, in your own words").fill(NEW_CLAIM)
    card.get_by_role("button", name="Add the claim").click()
    row = row_of(anna, NEW_CLAIM)
    expect(row.locator(".badge--pending")).to_have_text("Pending approval")
    expect(row.locator(".node-meta")).to_contain_text("by pupil-anna")
    axe_clean(anna)
    assert Node.objects.get(text=NEW_CLAIM).status == NodeStatus.PENDING

    boris = new_page()
    log_in(boris, "pupil-boris", PASSWORD)
    boris.goto(demo_map)
    expect(thesis_card(boris, HEDGING)).to_be_visible()
    expect(boris.locator("body")).not_to_contain_text(NEW_CLAIM)

    # Rejected with feedback: Anna reads it beside her claim; Boris still sees nothing of it.
    from argmap.models import Decision, Review

    node = Node.objects.get(text=NEW_CLAIM)
    Review.objects.create(exercise=exercise, node=node, decision=Decision.REJECTED,
                          feedback="Which source says so? Quote it.")
    node.status = NodeStatus.REJECTED
    node.save(update_fields=["status"])
    anna.reload()
    row = row_of(anna, NEW_CLAIM)
    expect(row.locator(".badge--rejected")).to_have_text("Rejected")
    expect(row.locator(".review-feedback")).to_contain_text("Which source says so? Quote it.")
    axe_clean(anna)

    # Once approved, Boris sees it under Anna's pseudonym, never her username.
    node.status = NodeStatus.APPROVED
    node.save(update_fields=["status"])
    boris.reload()
    alias = Pseudonym.objects.get(exercise=exercise, user__username="pupil-anna").name
    expect(row_of(boris, NEW_CLAIM).locator(".node-meta")).to_contain_text(f"by {alias}")
    expect(boris.locator("body")).not_to_contain_text("pupil-anna")
