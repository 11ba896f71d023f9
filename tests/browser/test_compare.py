"""The group comparison page in a real browser: columns fit for a few groups, scroll in their own
box for many, and the page passes axe."""

import pytest

from argmap.classroom.copying import copy_map
from argmap.models import ExerciseGroup
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def compare_page(page, live_server, log_in, lesson_, groups: int):
    lesson_.builder.claim("Stations went quiet", under=lesson_.builder.thesis("Lukashenko is hedging"),
                          quote="The relay stations stopped working.")
    for number in range(1, groups + 1):
        group = ExerciseGroup.objects.create(exercise=lesson_.exercise, name=f"Group {number}")
        copy_map(lesson_.map, title=f"Group {number}", owner=lesson_.teacher, exercise=lesson_.exercise, group=group)
    log_in(page, lesson_.teacher.username, PASSWORD)
    page.goto(f"{live_server.url}/exercises/{lesson_.exercise.pk}/compare/")


OVERFLOW = """() => {
    const boxes = [...document.querySelectorAll('.compare-scroll')];
    return {
        page: document.documentElement.scrollWidth > document.documentElement.clientWidth,
        boxes: boxes.map(box => box.scrollWidth > box.clientWidth),
    };
}"""


def test_it_fits_eight_groups_without_scrolling(transactional_db, page, live_server, log_in, lesson, axe_clean):
    compare_page(page, live_server, log_in, lesson(groups=True), groups=8)
    assert page.get_by_role("columnheader", name="Group 8").first.is_visible()
    overflow = page.evaluate(OVERFLOW)
    assert overflow == {"page": False, "boxes": [False, False, False]}
    axe_clean(page)


def test_it_scrolls_the_tables_not_the_page_for_many_groups(transactional_db, page, live_server, log_in, lesson, axe_clean):
    compare_page(page, live_server, log_in, lesson(groups=True), groups=12)
    overflow = page.evaluate(OVERFLOW)
    assert overflow["page"] is False and all(overflow["boxes"])
    table = page.locator(".compare-scroll").nth(1)
    table.evaluate("box => box.scrollLeft = box.scrollWidth")
    # The thesis stays in view beside the last group's column.
    assert page.get_by_role("rowheader", name="Lukashenko is hedging").is_visible()
    assert table.get_by_role("columnheader", name="Group 12").is_visible()
    axe_clean(page)

