"""Impact votes in a real browser: rating with the keyboard, the widget swapped in place by htmx,
withdrawing, and the same form working without JavaScript."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HEDGING = "Lukashenko is hedging"
PASSWORD = "a-long-browser-password"


@pytest.fixture
def voter(demo_contributor):
    return demo_contributor("voter-b", PASSWORD)


def first_child_relation():
    from argmap.models import Node, Relation

    thesis = Node.objects.get(map__code="belarus", text=HEDGING)
    return Relation.objects.live().filter(parent=thesis).order_by("id").first()


def focus_url(live_server) -> str:
    from argmap.models import Node

    thesis = Node.objects.get(map__code="belarus", text=HEDGING)
    return live_server.url + reverse("node-focus", args=["belarus", thesis.pk])


def test_it_votes_with_the_keyboard_and_withdraws_without_reloading(page, live_server, voter, log_in, axe_clean):
    from argmap.models import Vote

    relation = first_child_relation()
    log_in(page, "voter-b", PASSWORD)
    page.goto(focus_url(live_server))
    page.evaluate("() => { window.argmapTestMark = true; }")
    widget = page.locator(f"#relation-{relation.pk}-vote")
    expect(widget).to_contain_text("No impact votes yet")
    axe_clean(page)
    widget.get_by_role("radio", name="1 small").check()
    page.keyboard.press("ArrowRight")  # moves the choice to 2, then 3: a radio group
    page.keyboard.press("ArrowRight")
    expect(widget.get_by_role("radio", name="3 large")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the Vote button
    expect(widget).to_contain_text("Impact 3.0 of 4, from 1 vote · yours: 3")
    assert page.evaluate("() => window.argmapTestMark === true"), "the page was reloaded"
    assert list(Vote.objects.filter(user=voter).values_list("relation", "impact")) == [(relation.pk, 3)]
    widget.get_by_role("button", name="Withdraw my vote").click()
    expect(widget).to_contain_text("No impact votes yet")
    assert not Vote.objects.filter(user=voter).exists()
    assert page.evaluate("() => window.argmapTestMark === true")


def test_the_vote_form_works_without_javascript(new_page, live_server, voter, log_in):
    from argmap.models import Vote

    relation = first_child_relation()
    page = new_page(java_script_enabled=False)
    log_in(page, "voter-b", PASSWORD)
    page.goto(focus_url(live_server))
    widget = page.locator(f"#relation-{relation.pk}-vote")
    widget.get_by_role("radio", name="4 decisive").check()
    widget.get_by_role("button", name="Vote").click()
    expect(page).to_have_url(re.compile(rf"/nodes/\d+/#relation-{relation.pk}-vote$"))
    expect(page.locator(f"#relation-{relation.pk}-vote")).to_contain_text("yours: 4")
    assert Vote.objects.get(user=voter).impact == 4
