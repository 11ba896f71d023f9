"""Strengths of a real map (argmap/judging.py): whose votes count, which nodes take part, base scores
from source ratings, and the cache that recomputes only the map that changed.

Every expected value is worked by hand from DF-QuAD with weight = mean impact / 4 (0.5 unvoted):
F(v1..vn) = 1 - prod(1 - wi * vi) per side; C(b, va, vs) = b - b(va - vs) if va > vs,
b + (1 - b)(vs - va) if vs > va, b if equal. Leaves keep their base score (0.5 unless rated).
"""

import pytest
from django.contrib.auth import get_user_model

from argmap import judging
from argmap.browsing import forget_graphs
from argmap.judging import EVERYONE, MINE, TEACHER, TEAM, map_strengths
from argmap.models import SideAssignment
from argmap.models import (
    Map, MapSource, Membership, Node, NodeStatus, Quote, Relation, Role, Source, SourceRating, Vote,
)
from argmap.access import access_for
from argmap.synthetic import Shape, build_map
from tests.helpers import vote


def fresh(map_):
    return Map.objects.select_related("exercise__school_class").get(pk=map_.pk)


@pytest.fixture
def debate(build, people):
    """A thesis with one supporter (A) and one opponent (B), four voters with different views."""
    b = build()
    thesis = b.thesis("Belarus is hedging")
    a = b.claim("Minsk talks to the West", under=thesis)
    o = b.claim("Minsk hosts Russian troops", under=thesis, stance="oppose")
    users = people(b.map)
    second = get_user_model().objects.create_user("contributor-two")
    Membership.objects.create(map=b.map, user=second, role=Role.CONTRIBUTOR)
    vote(users["owner"], a, thesis, 4)
    vote(users["owner"], o, thesis, 0)
    vote(users["editor"], a, thesis, 2)
    vote(users["contributor"], a, thesis, 0)
    vote(users["contributor"], o, thesis, 4)
    vote(second, o, thesis, 2)
    return b, thesis, a, o, users, second


def test_it_counts_the_votes_of_each_perspective(debate):
    b, thesis, a, o, users, second = debate
    m = fresh(b.map)
    # Everyone: A (4+2+0)/3 = 2 -> w .5, vs = .25; B (0+4+2)/3 = 2 -> w .5, va = .25; equal: base .5
    assert map_strengths(m, EVERYONE).get(thesis.pk) == pytest.approx(0.5)
    # Owner and editor: A (4+2)/2 = 3 -> .75, vs = .375; B 0 -> va 0; .5 + .5 * .375 = .6875
    assert map_strengths(m, TEACHER).get(thesis.pk) == pytest.approx(0.6875)
    # The contributor: A 0 -> vs 0; B 4 -> va .5; .5 - .5 * .5 = .25
    assert map_strengths(m, MINE, viewer=users["contributor"]).get(thesis.pk) == pytest.approx(0.25)
    # The second contributor: A unvoted -> .5, vs .25; B 2 -> .5, va .25: .5
    assert map_strengths(m, MINE, viewer=second).get(thesis.pk) == pytest.approx(0.5)
    # Someone who never voted: every relation unvoted, vs = va = .25
    assert map_strengths(m, MINE, viewer=users["viewer"]).get(thesis.pk) == pytest.approx(0.5)
    assert map_strengths(m, TEACHER).vote_counts == {
        Relation.objects.get(child=a).pk: 2, Relation.objects.get(child=o).pk: 1}


def test_it_explains_which_child_raised_and_which_lowered_the_thesis(debate):
    b, thesis, a, o, users, _ = debate
    why = map_strengths(fresh(b.map), MINE, viewer=users["contributor"]).why(thesis.pk)
    effects = {c.child: c.effect for c in why.children}
    # Without B the thesis keeps .5 (A weighs 0): B lowered it by .25; A changed nothing.
    assert effects == {o.pk: pytest.approx(-0.25), a.pk: pytest.approx(0)}
    assert why.children[0].child == o.pk and why.strength == pytest.approx(0.25)


def test_a_map_that_hides_votes_counts_others_only_where_the_reader_voted(debate):
    b, thesis, a, o, users, second = debate
    m = fresh(b.map)
    # The second contributor voted on B only: A counts as unvoted (.5, vs .25); B everyone's mean
    # 2 -> va .25: .5. The owner's 4 on A stays out of it.
    blind = map_strengths(m, EVERYONE, until_voted_by=second)
    assert blind.vote_counts == {Relation.objects.get(child=o).pk: 3}
    assert blind.get(thesis.pk) == pytest.approx(0.5)
    m.votes_hidden_until_voted = True
    assert judging.hidden_until_voted(access_for(m, second)) == second
    assert judging.hidden_until_voted(access_for(m, users["owner"])) is None
    # Someone signed out has voted on nothing: no vote counts.
    from django.contrib.auth.models import AnonymousUser

    assert map_strengths(m, EVERYONE, until_voted_by=AnonymousUser()).vote_counts == {}


def test_it_counts_the_class_teachers_and_each_team_in_an_exercise(lesson):
    l = lesson(students=3, sides=True)
    thesis = l.builder.thesis("Belarus is hedging")
    a = l.builder.claim("Minsk talks to the West", under=thesis)
    o = l.builder.claim("Minsk hosts Russian troops", under=thesis, stance="oppose")
    s1, s2, s3 = l.students
    for student, team in ((s1, "Red"), (s2, "Red"), (s3, "Blue")):
        SideAssignment.objects.create(exercise=l.exercise, user=student, thesis=thesis, stance="support", team=team)
    vote(l.teacher, a, thesis, 4)
    vote(s1, a, thesis, 0)
    vote(s2, a, thesis, 2)
    vote(s3, o, thesis, 4)
    m = fresh(l.map)
    # Teachers: A 4 -> 1, vs .5; B unvoted .5, va .25; .5 + .5 * .25 = .625
    assert map_strengths(m, TEACHER).get(thesis.pk) == pytest.approx(0.625)
    # Red: A (0+2)/2 = 1 -> .25, vs .125; B unvoted, va .25; .5 - .5 * .125 = .4375
    assert map_strengths(m, TEAM, team="Red").get(thesis.pk) == pytest.approx(0.4375)
    # Blue: A unvoted, vs .25; B 4 -> 1, va .5; .5 - .5 * .25 = .375
    assert map_strengths(m, TEAM, team="Blue").get(thesis.pk) == pytest.approx(0.375)
    assert judging.teams_of(m) == ["Blue", "Red"]
    shown = judging.perspectives(access_for(m, s1))
    assert [p.key for p in shown] == ["everyone", "teacher", "mine", "team:Blue", "team:Red"]
    assert [p.label for p in shown][:3] == ["Everyone", "Teachers", "My votes"]


def test_it_refuses_a_perspective_it_cannot_compute(debate):
    b, *_ = debate
    with pytest.raises(ValueError):
        map_strengths(b.map, "friends")
    with pytest.raises(ValueError):
        map_strengths(b.map, TEAM, team="Red")  # no exercise, no teams
    with pytest.raises(ValueError):
        map_strengths(b.map, MINE)


def test_pending_rejected_and_deleted_nodes_take_no_part(lesson):
    l = lesson(moderation=True)
    thesis = l.builder.thesis("Belarus is hedging")
    a = l.builder.claim("Minsk talks to the West", under=thesis)
    student = l.students[0]
    pending = Node.objects.create(map=l.map, text="Pending support", author=student, status=NodeStatus.PENDING)
    pending.bear_on(thesis, "support")
    under_pending = Node.objects.create(map=l.map, text="Hangs from the pending one", author=l.teacher)
    under_pending.bear_on(pending, "support")
    rejected = Node.objects.create(map=l.map, text="Rejected attack", author=student, status=NodeStatus.REJECTED)
    rejected.bear_on(thesis, "oppose")
    deleted = l.builder.claim("Deleted attack", under=thesis, stance="oppose")
    deleted.soft_delete()
    vote(student, pending, thesis, 4)  # a vote on a relation that takes no part changes nothing
    result = map_strengths(fresh(l.map), EVERYONE)
    assert set(result.values) == {thesis.pk, a.pk}
    # Only A: vs = .5 * .5 = .25; .5 + .5 * .25 = .625
    assert result.get(thesis.pk) == pytest.approx(0.625)
    # Whoever reads, the author of the pending claim included.
    assert map_strengths(fresh(l.map), MINE, viewer=student).get(thesis.pk) == pytest.approx(0.625)


def test_evidence_starts_from_its_sources_ratings(build, teacher):
    b = build()
    other = Source.objects.create(text="Everything is fine in Minsk, says the blog.")
    unrated = Source.objects.create(text="Nobody has rated this article yet.")
    for source in (other, unrated):
        MapSource.objects.create(map=b.map, source=source)
    thesis = b.thesis()
    reliable = b.claim("Relays stopped", under=thesis, quote="relay stations stopped working")
    partisan = Node.objects.create(map=b.map, text="All is fine", author=teacher)
    partisan.bear_on(thesis, "oppose")
    Quote.anchor(partisan, other, "Everything is fine").save()
    both = b.claim("Both say so", under=thesis, quote="Moscow heard another")
    Quote.anchor(both, other, "says the blog").save()
    not_counted = Node.objects.create(map=b.map, text="Unrated evidence", author=teacher)
    not_counted.bear_on(thesis, "support")
    Quote.anchor(not_counted, unrated, "Nobody has rated").save()
    SourceRating.objects.create(map=b.map, source=b.source, rating=4, rated_by=teacher)
    SourceRating.objects.create(map=b.map, source=other, rating=0, rated_by=teacher)
    SourceRating.objects.create(map=b.map, source=unrated, rating=4, counts=False, rated_by=teacher)
    # A rating on another map is that map's judgement only.
    elsewhere = build()
    SourceRating.objects.create(map=elsewhere.map, source=other, rating=4, rated_by=teacher)
    result = map_strengths(fresh(b.map), EVERYONE)
    assert result.get(reliable.pk) == pytest.approx(1.0)  # rated 4: 4/4
    assert result.get(partisan.pk) == pytest.approx(0.0)  # rated 0
    assert result.get(both.pk) == pytest.approx(0.5)  # mean of 4/4 and 0/4
    assert result.get(not_counted.pk) == pytest.approx(0.5)  # its rating does not count
    # Supporters 1, .5, .5 at weight .5: vs = 1 - (1 - .5)(1 - .25)(1 - .25) = .71875;
    # the partisan attacker is 0: va = 0. .5 + .5 * .71875 = .859375
    assert result.get(thesis.pk) == pytest.approx(0.859375)


def test_a_vote_recomputes_its_map_from_the_cached_graph(debate, django_assert_num_queries):
    b, thesis, a, o, users, _ = debate
    m = fresh(b.map)
    before = map_strengths(m, EVERYONE)
    with django_assert_num_queries(0):
        assert map_strengths(m, EVERYONE) is before
    vote(users["viewer"], a, thesis, 4)  # the model allows it; the views decide who may
    m = fresh(b.map)
    with django_assert_num_queries(2):  # the votes and the base scores; the graph is unchanged
        after = map_strengths(m, EVERYONE)
    # A (4+2+0+4)/4 = 2.5 -> .625, vs .3125; va .25; .5 + .5 * .0625 = .53125
    assert after.get(thesis.pk) == pytest.approx(0.53125) != before.get(thesis.pk)
    Vote.objects.filter(user=users["viewer"]).delete()
    assert map_strengths(fresh(b.map), EVERYONE).get(thesis.pk) == pytest.approx(0.5)


def test_a_node_change_recomputes_its_map(debate):
    b, thesis, a, o, users, _ = debate
    assert map_strengths(fresh(b.map), EVERYONE).get(thesis.pk) == pytest.approx(0.5)
    b.claim("Minsk refused to join the war", under=thesis)
    # A new supporter, unvoted: vs = 1 - (1 - .25)(1 - .25) = .4375; va .25; .5 + .5 * .1875 = .59375
    assert map_strengths(fresh(b.map), EVERYONE).get(thesis.pk) == pytest.approx(0.59375)
    o.soft_delete()
    # B gone: vs .4375, va 0; .5 + .5 * .4375 = .71875
    assert map_strengths(fresh(b.map), EVERYONE).get(thesis.pk) == pytest.approx(0.71875)


def test_a_change_on_one_map_leaves_the_others_cached(debate, build, teacher, django_assert_num_queries):
    b, thesis, a, *_ = debate
    other = build()
    other_thesis = other.thesis()
    other_claim = other.claim("Something", under=other_thesis)
    vote(teacher, other_claim, other_thesis, 1)
    first, second = map_strengths(fresh(b.map)), map_strengths(fresh(other.map))
    vote(teacher, other_claim, other_thesis, 3)
    other.claim("More", under=other_thesis)
    m = fresh(b.map)
    with django_assert_num_queries(0):
        assert map_strengths(m) is first
    assert map_strengths(fresh(other.map)) is not second


def voted_map(nodes, sources, users):
    """A synthetic map with every relation of the first level voted by each user, and a rating."""
    m = build_map(f"Judged {nodes}", sources, Shape(nodes=nodes, top_branching=min(nodes // 3, 40), seed=nodes))
    relations = list(Relation.objects.filter(map=m).order_by("id")[:60])
    Vote.objects.bulk_create(Vote(relation=r, user=u, impact=(r.pk + i) % 5) for r in relations
                             for i, u in enumerate(users))
    SourceRating.objects.create(map=m, source=sources[0], rating=3)  # bumps votes_revision
    return fresh(m)


def test_it_reads_the_same_few_queries_for_30_and_2000_nodes(demo_map, django_assert_num_queries):
    sources = list(demo_map.sources.all())
    User = get_user_model()
    users = [User.objects.create_user(f"voter-{n}") for n in range(3)]
    counts = {}
    for size in (30, 2000):
        m = voted_map(size, sources, users)
        for perspective, extra in ((EVERYONE, {}), (TEACHER, {}), (MINE, {"viewer": users[0]})):
            forget_graphs()
            judging.forget_strengths()
            with django_assert_num_queries(4):  # graph (2 without an exercise), base scores, votes
                result = map_strengths(m, perspective, **extra)
            assert len(result.values) == size
            with django_assert_num_queries(0):
                map_strengths(m, perspective, **extra)
        counts[size] = result
    assert counts[2000].vote_counts and counts[30].vote_counts
