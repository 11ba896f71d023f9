"""Exercises in the browser: a teacher sets one up through the form; the pages pass axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from argmap.classroom import groups, sides
from argmap.models import Exercise
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def class_lesson(transactional_db, lesson):
    l = lesson(students=3, sides=True, groups=True, anonymity=True)
    thesis = l.builder.thesis("Minsk hedges")
    l.builder.claim("The stations went quiet", under=thesis, quote="The relay stations stopped working.")
    return l


def test_a_teacher_sets_up_an_exercise_with_the_form(page, live_server, log_in, class_lesson, axe_clean):
    l = class_lesson
    log_in(page, l.teacher.username, PASSWORD)
    page.goto(f"{live_server.url}/classes/{l.school_class.pk}/exercises/new/")
    expect(page.get_by_text("Europe/Minsk").first).to_be_visible()
    axe_clean(page)
    page.get_by_label("Title").fill("Who gains?")
    page.get_by_label("Instructions").fill("First line\nSecond <line>")
    page.get_by_label("Opens").fill("2030-12-01T14:30")
    page.get_by_label("Closes").fill("2030-12-08T09:00")
    page.get_by_label("A copy of a map you can see").check()
    page.get_by_label("Map to copy").select_option(label="Test map (ms-teacher, private)")
    page.get_by_label("Moderation").check()
    page.get_by_label("Pieces of evidence").fill("3")
    page.get_by_role("button", name="Create the exercise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who gains?")
    expect(page.get_by_text("Not yet open: opens Sun 1 Dec, 14:30 (Europe/Minsk)")).to_be_visible()
    expect(page.locator(".exercise-instructions")).to_have_text("First line\nSecond <line>", use_inner_text=True)
    axe_clean(page)
    exercise = Exercise.objects.get(title="Who gains?")
    assert exercise.moderation and exercise.target_evidence == 3


def test_the_exercise_pages_have_no_accessibility_violations(page, live_server, log_in, class_lesson, axe_clean):
    l = class_lesson
    thesis_id = l.map.nodes.get(kind="thesis").pk
    sides.replace_assignments(l.exercise, sides.spread_evenly([s.pk for s in l.students], [thesis_id], team_size=2))
    made = groups.add_groups(l.exercise, ["Reds", "Blues"], l.teacher)
    groups.replace_members(l.exercise, groups.spread_evenly([s.pk for s in l.students], [g.pk for g in made]))
    groups.create_copies(l.exercise, l.teacher)
    log_in(page, l.teacher.username, PASSWORD)
    base = f"{live_server.url}/exercises/{l.exercise.pk}"
    for address, heading in ((f"{base}/", l.exercise.title), (f"{base}/edit/", "Edit the exercise"),
                             (f"{base}/sides/", "Sides"), (f"{base}/groups/", "Small groups")):
        page.goto(address)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_clean(page)
    l.exercise.closes_at = timezone.now() - timedelta(minutes=1)
    l.exercise.opens_at = timezone.now() - timedelta(days=1)
    l.exercise.save()
    page.goto(f"{base}/snapshot/")
    expect(page.get_by_text("The stations went quiet")).to_be_visible()
    axe_clean(page)
    page.context.clear_cookies()
    log_in(page, l.students[0].username, PASSWORD)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Your side")).to_be_visible()
    axe_clean(page)
