"""The judge page (/maps/<code>/judge/) and the map page's scoreboard: who sees what, names under
anonymity, pending claims left out, and the same few queries whatever the map's size."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from argmap import editing, judging
from argmap.browsing import forget_graphs
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.models import Map, Membership, Node, NodeStatus, Quote, Relation, Role, SourceRating, Visibility, Vote
from argmap.synthetic import Shape, build_map
from tests.helpers import vote


def judge_url(map_, by=None):
    url = reverse("map-judge", args=[map_.code])
    return f"{url}?by={by}" if by else url


def cells(html, perspective):
    """The numbers in one perspective's column of the table, top to bottom."""
    return re.findall(rf'data-perspective="{re.escape(perspective)}">\s*<span class="score-value">([0-9.]+)<', html)


@pytest.fixture
def debate(build, people):
    b = build()
    thesis = b.thesis("Belarus is hedging")
    a = b.claim("Minsk talks to the West", under=thesis, quote="relay stations stopped working")
    o = b.claim("Minsk hosts Russian troops", under=thesis, stance="oppose")
    users = people(b.map)
    vote(users["owner"], a, thesis, 4)  # owner: A 1, B unvoted
    vote(users["contributor"], o, thesis, 4)  # contributor: B 1, A unvoted
    return b, thesis, a, o, users


def test_it_shows_each_perspective_side_by_side(client, debate):
    b, thesis, a, o, users = debate
    client.force_login(users["contributor"])
    html = client.get(judge_url(b.map)).text
    # Everyone: A 4 -> 1, vs .5; B 4 -> 1, va .5: .5
    assert cells(html, "everyone") == ["0.50"]
    # Owners and editors: A 1, vs .5; B unvoted .5, va .25: .5 + .5 * .25 = .625
    assert cells(html, "teacher") == ["0.62"] or cells(html, "teacher") == ["0.63"]
    # Mine: A unvoted, vs .25; B 1, va .5: .5 - .5 * .25 = .375
    assert cells(html, "mine") in (["0.37"], ["0.38"])
    assert "Owners and editors" in html and "My votes" in html
    assert '<meter class="score-bar" min="0" max="1" value="0.500"' in html


def test_the_why_panel_names_what_raised_and_lowered_the_thesis(client, debate):
    b, thesis, a, o, users = debate
    client.force_login(users["contributor"])
    html = client.get(judge_url(b.map, by="mine")).text
    raised, lowered = html.split("<h3>Raised it</h3>")[1].split("<h3>Lowered it</h3>")
    # With the contributor's votes: without A, vs 0 and va .5: .25, so A raised it by .125;
    # without B, .5 + .5 * .25 = .625, so B lowered it by .25.
    assert "+0.12" in raised or "+0.13" in raised
    assert a.text in raised and o.text not in raised
    assert o.text in lowered and "−0.25" in lowered
    assert reverse("node-focus", args=[b.map.code, a.pk]) + f"?path={thesis.pk}.{a.pk}" in raised
    assert "Test article" in raised  # the map's title of the source its quote comes from, linked to the passage
    assert f"?quote={Quote.objects.get(node=a).pk}" in raised
    assert "no votes: impact 2 assumed" in raised and "1 vote" in lowered
    assert 'name="by" value="mine" checked' in html


def test_an_unknown_perspective_explains_with_everyones_votes(client, debate):
    b, *_ = debate
    response = client.get(judge_url(b.map, by="<script>"))
    assert response.status_code == 200 and 'name="by" value="everyone" checked' in response.text
    assert "&lt;script&gt;" not in response.text and "<script>" not in response.text.split("</head>")[1]


@pytest.mark.parametrize("who, status, mine", [
    ("anonymous", 200, False), ("outsider", 200, False), ("viewer", 200, False),
    ("contributor", 200, True), ("editor", 200, True), ("owner", 200, True),
])
def test_anyone_who_reads_a_public_map_may_judge_it(client, debate, who, status, mine):
    b, thesis, a, o, users = debate
    if who != "anonymous":
        client.force_login(users[who])
    response = client.get(judge_url(b.map))
    assert response.status_code == status
    assert ('data-perspective="mine"' in response.text) == mine
    assert thesis.text in response.text


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_a_private_map_is_not_found_by_people_without_a_role(client, build, outsider, who):
    b = build(Visibility.PRIVATE)
    b.thesis()
    if who == "outsider":
        client.force_login(outsider)
    assert client.get(judge_url(b.map)).status_code == 404


def test_the_page_only_reads(client, debate):
    b, thesis, a, o, users = debate
    client.force_login(users["owner"])
    assert client.post(judge_url(b.map)).status_code == 405


def test_the_map_page_has_a_scoreboard(client, debate):
    b, thesis, *_ = debate
    html = client.get(b.map.get_absolute_url()).text
    board = html.split('aria-labelledby="scoreboard-heading"')[1].split("</section>")[0]
    assert thesis.text in board and '<span class="score-value">0.50</span>' in board
    assert reverse("map-judge", args=[b.map.code]) in board


def test_a_map_that_hides_votes_shows_a_student_nothing_of_the_others_votes_before_they_vote(client, debate):
    b, thesis, a, o, users = debate
    Map.objects.filter(pk=b.map.pk).update(votes_hidden_until_voted=True)
    second = get_user_model().objects.create_user("contributor-two")
    Membership.objects.create(map=b.map, user=second, role=Role.CONTRIBUTOR)
    client.force_login(second)
    html = client.get(judge_url(b.map)).text
    # Nothing voted yet: every relation counts as unvoted, .5 both ways.
    assert cells(html, "everyone") == ["0.50"] and cells(html, "teacher") == ["0.50"]
    vote(second, a, thesis, 0)
    html = client.get(judge_url(b.map)).text
    # Now A's votes count (owner 4, second 0: mean 2, vs .25), B still unvoted (va .25): .5
    assert cells(html, "everyone") == ["0.50"]
    # Owners and editors on A: 4 -> vs .5; B unvoted, va .25: .625
    assert cells(html, "teacher") in (["0.62"], ["0.63"])
    client.force_login(users["owner"])  # owners see every vote
    assert cells(client.get(judge_url(b.map)).text, "teacher") in (["0.62"], ["0.63"])


def test_names_follow_anonymity_and_pending_claims_never_appear(client, lesson):
    l = lesson(students=2, anonymity=True, moderation=True)
    ensure_pseudonyms(l.exercise)
    thesis = l.builder.thesis("Belarus is hedging")
    writer, reader = l.students
    Map.objects.filter(pk=l.map.pk).update(visibility=Visibility.PRIVATE)
    approved, _ = editing.add_claim(thesis, writer, "An approved claim by the writer", "support")
    Node.objects.filter(pk=approved.pk).update(status=NodeStatus.APPROVED)
    editing.add_claim(thesis, writer, "A claim still awaiting approval", "oppose", moderated=True)
    editing.add_claim(thesis, reader, "Own pending claim of the reader", "oppose", moderated=True)
    client.force_login(reader)
    html = client.get(judge_url(l.map)).text
    assert "An approved claim by the writer" in html
    assert "A claim still awaiting approval" not in html and "Own pending claim of the reader" not in html
    assert writer.username not in html and l.exercise.pseudonyms.get(user=writer).name in html
    client.force_login(l.teacher)
    html = client.get(judge_url(l.map)).text
    assert f"by {writer.username}" in html and "A claim still awaiting approval" not in html
    # The map page's scoreboard leaves out the reader's own pending thesis too, saying so.
    editing.add_thesis(l.map, reader, "Pending thesis of the reader", moderated=True)
    client.force_login(reader)
    board = client.get(l.map.get_absolute_url()).text.split('id="scoreboard-heading"')[1].split("</section>")[0]
    assert "Pending thesis of the reader" in board and "not counted until approved" in board


def test_an_exercise_with_teams_shows_each_team(client, lesson):
    from argmap.models import SideAssignment

    l = lesson(students=2, sides=True)
    thesis = l.builder.thesis("Belarus is hedging")
    a = l.builder.claim("Minsk talks to the West", under=thesis)
    for student, team in zip(l.students, ("Red", "Blue")):
        SideAssignment.objects.create(exercise=l.exercise, user=student, thesis=thesis, stance="support", team=team)
    vote(l.students[0], a, thesis, 0)
    vote(l.students[1], a, thesis, 4)
    client.force_login(l.teacher)
    html = client.get(judge_url(l.map)).text
    assert "Team Red" in html and "Team Blue" in html and "Teachers" in html
    # Red: A 0, vs 0: .5. Blue: A 1 -> vs .5: .75.
    assert cells(html, "team:Red") == ["0.50"] and cells(html, "team:Blue") == ["0.75"]


def judged_map(nodes, sources, voters):
    m = build_map(f"Judged {nodes}", sources, Shape(nodes=nodes, top_branching=min(nodes // 3, 40), seed=nodes))
    relations = list(Relation.objects.filter(map=m).order_by("id")[:80])
    Vote.objects.bulk_create(Vote(relation=r, user=u, impact=(r.pk + i) % 5) for r in relations
                             for i, u in enumerate(voters))
    SourceRating.objects.create(map=m, source=sources[0], rating=3)  # also bumps votes_revision
    for voter in voters:
        Membership.objects.create(map=m, user=voter, role=Role.CONTRIBUTOR)
    return Map.objects.get(pk=m.pk)


def test_the_judge_page_and_the_scoreboard_cost_the_same_queries_for_30_and_2000_nodes(
        client, demo_map, django_assert_max_num_queries):
    sources = list(demo_map.sources.all())
    voters = [get_user_model().objects.create_user(f"voter-{n}") for n in range(3)]
    small, large = judged_map(30, sources, voters), judged_map(2000, sources, voters)
    client.force_login(voters[0])
    counts = {}
    for label, m in (("small", small), ("large", large)):
        for page, url in (("judge", judge_url(m)), ("judge by mine", judge_url(m, "mine")),
                          ("map", m.get_absolute_url())):
            forget_graphs()
            judging.forget_strengths()
            with django_assert_max_num_queries(40) as cold:
                assert client.get(url).status_code == 200
            with django_assert_max_num_queries(40) as warm:
                client.get(url)
            counts[label, page] = (len(cold), len(warm))
    for page in ("judge", "judge by mine", "map"):
        assert counts["large", page] == counts["small", page], (page, counts)
    # Cold: session, user, map, graph (2), base scores, votes of three perspectives, nodes, quotes.
    # Warm the strengths are cached: session, user, map, nodes, quotes.
    assert counts["large", "judge"] == (11, 5)
