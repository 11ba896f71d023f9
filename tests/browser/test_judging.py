"""Two students rate the same two relations differently with the vote widgets on the map page; the
judge page then shows each of them their own perspective and everyone's, equal to DF-QuAD worked by
hand, and passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "a-long-student-password"
THESIS = "Lukashenko is hedging between Moscow and the West"
FOR = "Minsk kept talking to Western envoys all year"
AGAINST = "Belarus let Russian troops use its territory"


@pytest.fixture
def debate(live_server, transactional_db):
    from django.contrib.auth import get_user_model

    from argmap.models import Map, Membership, Node, NodeKind, Role, Visibility

    User = get_user_model()
    teacher = User.objects.create_user("ms-judge", password=PASSWORD)
    map_ = Map.objects.create(title="Is Minsk hedging?", owner=teacher, visibility=Visibility.PRIVATE)
    thesis = Node.objects.create(map=map_, kind=NodeKind.THESIS, text=THESIS, author=teacher)
    for text, stance in ((FOR, "support"), (AGAINST, "oppose")):
        Node.objects.create(map=map_, text=text, author=teacher).bear_on(thesis, stance)
    students = [User.objects.create_user(name, password=PASSWORD) for name in ("alena", "boris")]
    for student in students:
        Membership.objects.create(map=map_, user=student, role=Role.CONTRIBUTOR)
    return map_


def row_of(page, text):
    return page.locator("li.node").filter(
        has=page.locator(":scope > .node-card > p.node-text", has_text=re.compile(f"^{re.escape(text)}$")))


def rate(page, text, impact):
    """Pick an impact on one tree row's widget and send it; wait for the widget to show it."""
    widget = row_of(page, text).locator(".vote").first
    widget.locator(f'input[name="impact"][value="{impact}"]').check()
    widget.get_by_role("button", name=re.compile("^(Vote|Change vote)$")).click()
    expect(row_of(page, text).locator(".vote-summary").first).to_contain_text(f"yours: {impact}")


def score(page, perspective):
    return page.locator(f'td[data-perspective="{perspective}"] .score-value')


def test_two_students_vote_differently_and_the_perspectives_differ_as_computed_by_hand(
        new_page, live_server, debate, log_in, axe_clean):
    alena, boris = new_page(), new_page()
    log_in(alena, "alena", PASSWORD)
    log_in(boris, "boris", PASSWORD)
    for page, (for_impact, against_impact) in ((alena, (4, 0)), (boris, (2, 3))):
        page.goto(f"{live_server.url}{debate.get_absolute_url()}")
        rate(page, FOR, for_impact)
        rate(page, AGAINST, against_impact)

    judge = f"{live_server.url}/maps/{debate.code}/judge/"
    # Every leaf keeps its base score .5; weight = mean impact / 4; each side's pull is
    # F = 1 - prod(1 - weight * strength), and C moves the thesis's base .5 by their difference.
    # Alena: for 4 -> weight 1, pull .5; against 0 -> weight 0, pull 0; .5 + .5 * (.5 - 0) = .75
    alena.goto(judge)
    expect(score(alena, "mine")).to_have_text("0.75")
    # Boris: for 2 -> .5, pull .25; against 3 -> .75, pull .375; .5 - .5 * (.375 - .25) = .4375
    boris.goto(judge)
    expect(score(boris, "mine")).to_have_text("0.44")
    # Everyone: for (4 + 2) / 2 = 3 -> .75, pull .375; against (0 + 3) / 2 = 1.5 -> .375, pull .1875;
    # .5 + .5 * (.375 - .1875) = .59375
    for page in (alena, boris):
        expect(score(page, "everyone")).to_have_text("0.59")
    # Nobody who owns the map voted: both relations count as impact 2, both pulls .25: .5
    expect(score(alena, "teacher")).to_have_text("0.50")

    # Alena's "why": with her votes the supporter raised the thesis by .25 (.75 against .5
    # without it); the opponent, weighing 0, made no difference.
    alena.get_by_role("radio", name="My votes").check()
    alena.get_by_role("button", name="Explain").click()
    why = alena.locator("section.why")
    expect(why.locator("h3", has_text="Raised it")).to_be_visible()
    raised = why.locator(".why-item").filter(has_text=FOR)
    expect(raised.locator(".why-effect strong")).to_have_text("+0.25")
    expect(why.locator(".why-item").filter(has_text=AGAINST).locator(".why-effect strong")).to_have_text("0.00")
    raised.get_by_role("link", name=FOR).click()
    expect(alena.get_by_role("heading", level=1)).to_have_text(FOR)

    boris.goto(judge)
    axe_clean(boris)
    # The map page's scoreboard shows everyone's strength as a number (the bar repeats it).
    boris.goto(f"{live_server.url}{debate.get_absolute_url()}")
    board = boris.get_by_role("region", name="Scoreboard")
    expect(board.locator(".score").filter(has_text=THESIS).locator(".score-value")).to_have_text("0.59")
    axe_clean(boris)
