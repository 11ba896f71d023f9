"""argmap/votes.py on its own: casting, changing, withdrawing, what may not be voted on, summaries."""

import pytest
from django.contrib.auth import get_user_model

from argmap import editing, votes
from argmap.access import access_for
from argmap.models import ExerciseGroup
from argmap.models import Map, NodeStatus, Relation, Visibility, Vote


@pytest.fixture
def claim_and_rebuttal(build):
    b = build(Visibility.PUBLIC)
    thesis = b.thesis("Minsk hedges")
    claim = b.claim("Stations went quiet", under=thesis)
    rebuttal = b.claim("They were repaired", under=claim, stance="oppose")
    User = get_user_model()
    ann, ben = User.objects.create_user("ann"), User.objects.create_user("ben")
    return b, Relation.objects.get(child=claim), Relation.objects.get(child=rebuttal), ann, ben


def test_it_records_one_vote_per_person_and_relation_and_a_second_cast_changes_it(claim_and_rebuttal):
    _, relation, _, ann, _ = claim_and_rebuttal
    votes.cast(access_for(relation.map, ann), relation, 1)
    votes.cast(access_for(relation.map, ann), relation, 4)
    assert list(Vote.objects.values_list("relation", "user", "impact")) == [(relation.pk, ann.pk, 4)]


@pytest.mark.parametrize("impact", [-1, 5, "3", 2.0, True, None])
def test_it_refuses_an_impact_that_is_not_a_whole_number_from_0_to_4(claim_and_rebuttal, impact):
    _, relation, _, ann, _ = claim_and_rebuttal
    with pytest.raises(votes.VoteRefused, match="0 \\(no impact\\) to 4 \\(decisive\\)"):
        votes.cast(access_for(relation.map, ann), relation, impact)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("sent, impact", [("0", 0), ("4", 4), (" 2 ", 2)])
def test_it_reads_an_impact_from_a_form(sent, impact):
    assert votes.parse_impact(sent) == impact


@pytest.mark.parametrize("sent", ["", None, "5", "-1", "2.5", "abc", "٣", "02", "1e0"])
def test_it_refuses_anything_else_a_form_may_send(sent):
    with pytest.raises(votes.VoteRefused):
        votes.parse_impact(sent)


def test_it_refuses_deleted_relations_and_relations_of_deleted_nodes(claim_and_rebuttal):
    b, relation, below, ann, _ = claim_and_rebuttal
    relation.soft_delete()
    with pytest.raises(votes.RelationNotSeen):
        votes.cast(access_for(relation.map, ann), relation, 2)
    # The rebuttal's own relation is live, but it hangs from nothing any more: no tree shows it.
    with pytest.raises(votes.RelationNotSeen):
        votes.cast(access_for(below.map, ann), below, 2)
    assert not Vote.objects.exists()


def test_it_refuses_a_relation_of_another_map_under_this_maps_access(claim_and_rebuttal, build):
    b, relation, _, ann, _ = claim_and_rebuttal
    other = build(Visibility.PUBLIC)
    elsewhere = other.claim("Elsewhere", under=other.thesis())
    access = access_for(b.map, ann)
    with pytest.raises(votes.RelationNotSeen):
        votes.cast(access, Relation.objects.get(child=elsewhere), 2)
    assert votes.seen_relation(access, Relation.objects.get(child=elsewhere).pk) is None
    assert votes.seen_relation(access, relation.pk) == relation


def test_a_student_cannot_vote_on_another_students_claim_awaiting_approval(lesson):
    l = lesson(moderation=True)
    thesis = l.builder.thesis()
    writer, reader = l.students
    claim, _ = editing.add_claim(thesis, writer, "Pending claim", "support", moderated=True)
    assert claim.status == NodeStatus.PENDING
    relation = Relation.objects.get(child=claim)
    with pytest.raises(votes.RelationNotSeen):
        votes.cast(access_for(relation.map, reader), relation, 3)
    votes.cast(access_for(relation.map, writer), relation, 3)  # its author sees it
    votes.cast(access_for(relation.map, l.teacher), relation, 1)  # and so do the teachers
    assert Vote.objects.count() == 2


def test_withdrawing_removes_only_ones_own_vote(claim_and_rebuttal):
    _, relation, _, ann, ben = claim_and_rebuttal
    votes.cast(access_for(relation.map, ann), relation, 3)
    votes.cast(access_for(relation.map, ben), relation, 1)
    assert votes.withdraw(relation, ann) is True
    assert votes.withdraw(relation, ann) is False
    assert list(Vote.objects.values_list("user", flat=True)) == [ben.pk]


def test_every_vote_and_withdrawal_bumps_the_maps_votes_revision(claim_and_rebuttal):
    b, relation, _, ann, _ = claim_and_rebuttal
    start = Map.objects.get(pk=b.map.pk).votes_revision
    votes.cast(access_for(relation.map, ann), relation, 3)
    votes.cast(access_for(relation.map, ann), relation, 2)
    votes.withdraw(relation, ann)
    assert Map.objects.get(pk=b.map.pk).votes_revision == start + 3


def test_summaries_give_count_mean_and_my_vote_for_many_relations_in_one_query(
    claim_and_rebuttal, django_assert_num_queries
):
    b, relation, below, ann, ben = claim_and_rebuttal
    votes.cast(access_for(relation.map, ann), relation, 4)
    votes.cast(access_for(relation.map, ben), relation, 1)
    votes.cast(access_for(below.map, ben), below, 2)
    with django_assert_num_queries(1):
        found = votes.summaries([relation.pk, below.pk], ann)
    assert found[relation.pk] == votes.Summary(count=2, total=5, mine=4)
    assert found[relation.pk].mean == 2.5
    assert found[below.pk] == votes.Summary(count=1, total=2, mine=None)


def test_a_maps_summaries_are_the_relations_own_and_kept_until_the_next_vote(
    claim_and_rebuttal, django_assert_num_queries
):
    """What a fully expanded tree reads: every relation's summary at once, read again only after a
    vote (each bumps the map's activity), and for each reader their own vote."""
    b, relation, below, ann, ben = claim_and_rebuttal
    votes.cast(access_for(relation.map, ann), relation, 4)
    votes.cast(access_for(relation.map, ben), below, 2)
    map_ = Map.objects.get(pk=b.map.pk)
    for user in (ann, ben):
        expected = votes.summaries([relation.pk, below.pk], user)
        with django_assert_num_queries(1):
            assert votes.map_summaries(map_, user) == expected
        with django_assert_num_queries(0):
            assert votes.map_summaries(map_, user) == expected
    votes.cast(access_for(map_, ben), relation, 0)
    map_.refresh_from_db()
    assert votes.map_summaries(map_, ann)[relation.pk] == votes.Summary(count=2, total=4, mine=4)


def test_a_relation_nobody_voted_on_has_no_summary_and_anonymous_readers_have_no_vote(claim_and_rebuttal):
    from django.contrib.auth.models import AnonymousUser

    _, relation, below, ann, _ = claim_and_rebuttal
    votes.cast(access_for(relation.map, ann), relation, 0)
    found = votes.summaries([relation.pk, below.pk], AnonymousUser())
    assert found == {relation.pk: votes.Summary(count=1, total=0, mine=None)}
    assert votes.NO_VOTES.mean is None and votes.NO_VOTES.count == 0
    assert votes.summaries([], ann) == {}


def test_votes_of_lists_a_persons_votes_on_one_map(claim_and_rebuttal, build):
    b, relation, below, ann, ben = claim_and_rebuttal
    other = build(Visibility.PUBLIC)
    elsewhere = Relation.objects.get(child=other.claim("Elsewhere", under=other.thesis()))
    votes.cast(access_for(below.map, ann), below, 1)
    votes.cast(access_for(relation.map, ann), relation, 3)
    votes.cast(access_for(relation.map, ben), relation, 2)
    votes.cast(access_for(elsewhere.map, ann), elsewhere, 4)
    assert [(v.relation, v.impact) for v in votes.votes_of(ann, b.map)] == [(relation, 3), (below, 1)]


def test_the_switches_are_set_on_all_an_exercises_maps_and_read_from_its_main_map(lesson):
    l = lesson()
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Blue")
    copy = Map.objects.create(title="Copy", exercise=l.exercise, group=group)
    maps = l.exercise.maps.all()
    assert votes.voting_of(maps) == {"voting": True, "votes_hidden_until_voted": False}
    assert votes.set_voting(maps, voting=False, hidden_until_voted=True) == 2
    assert votes.set_voting(maps, voting=False, hidden_until_voted=True) == 0
    Map.objects.filter(pk=copy.pk).update(voting=True)  # the main map's values are the ones shown
    assert votes.voting_of(maps) == {"voting": False, "votes_hidden_until_voted": True}
    assert votes.voting_of(Map.objects.none()) == {"voting": True, "votes_hidden_until_voted": False}
