"""Exercises as plain domain code: setting one up, times, sides, groups, snapshots at closing."""

import datetime
import zoneinfo
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from argmap import editing
from argmap.classroom import groups, sides
from argmap.classroom.exercises import (
    consequences,
    create_exercise,
    main_map,
    map_of,
    state_label,
    update_exercise,
    when,
)
from argmap.models import (
    ClassRole,
    Enrolment,
    ExerciseGroup,
    GroupMember,
    Pseudonym,
    SchoolClass,
    SideAssignment,
    Snapshot,
)
from argmap.classroom.snapshots import approved_only, ensure_snapshots, outline
from argmap.forms.exercises import ExerciseForm
from argmap.models import Comment, Map, MapSource, Node, NodeStatus, Quote, Visibility

MINSK = zoneinfo.ZoneInfo("Europe/Minsk")


def times(opens_in_hours=-1, closes_in_hours=2):
    now = timezone.now()
    return {"opens_at": now + timedelta(hours=opens_in_hours), "closes_at": now + timedelta(hours=closes_in_hours)}


# Setting up


def test_it_starts_an_exercise_on_a_new_private_map(lesson):
    l = lesson()
    exercise = create_exercise(l.school_class, l.teacher, title="Who benefits?", question="Who gains from the deal?",
                               instructions="Read first.", **times())
    map_ = main_map(exercise)
    assert (map_.title, map_.question, map_.owner, map_.visibility) == (
        "Who benefits?", "Who gains from the deal?", l.teacher, Visibility.PRIVATE)
    assert map_.group is None and exercise.created_by == l.teacher
    assert exercise.instructions == "Read first."


def test_it_starts_an_exercise_on_a_private_copy_leaving_the_original_alone(lesson, build):
    l = lesson()
    prepared = build(Visibility.PUBLIC)
    thesis = prepared.thesis("Minsk hedges")
    prepared.claim("Quiet stations", under=thesis, quote="The relay stations stopped working.")
    exercise = create_exercise(l.school_class, l.teacher, title="Year 11, 2026", copy_of=prepared.map, **times())
    copy = main_map(exercise)
    assert copy.pk != prepared.map.pk and copy.visibility == Visibility.PRIVATE and copy.title == "Year 11, 2026"
    assert sorted(Node.objects.filter(map=copy).values_list("text", flat=True)) == ["Minsk hedges", "Quiet stations"]
    assert MapSource.objects.filter(map=copy, source=prepared.source).exists()
    assert Quote.objects.filter(node__map=copy).count() == 1
    prepared.map.refresh_from_db()
    assert prepared.map.exercise is None and prepared.map.visibility == Visibility.PUBLIC


def test_one_prepared_map_serves_several_classes(lesson, build):
    l = lesson()
    next_year = SchoolClass.objects.create(name="Year 11, next year")
    Enrolment.objects.create(school_class=next_year, user=l.teacher, role=ClassRole.TEACHER)
    prepared = build(Visibility.PRIVATE)
    prepared.thesis("Minsk hedges")
    one = create_exercise(l.school_class, l.teacher, title="A", copy_of=prepared.map, **times())
    two = create_exercise(next_year, l.teacher, title="B", copy_of=prepared.map, **times())
    assert main_map(one).pk != main_map(two).pk
    assert Node.objects.filter(text="Minsk hedges").count() == 3


def test_it_saves_nothing_when_the_copy_fails(lesson, build, monkeypatch):
    l = lesson()
    prepared = build(Visibility.PUBLIC)
    exercises_before, maps_before = l.school_class.exercises.count(), Map.objects.count()

    def broken_copy(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("argmap.classroom.exercises.copy_map", broken_copy)
    with pytest.raises(RuntimeError):
        create_exercise(l.school_class, l.teacher, title="Doomed", copy_of=prepared.map, **times())
    assert l.school_class.exercises.count() == exercises_before and Map.objects.count() == maps_before


def test_anonymity_gives_every_student_a_pseudonym(lesson):
    l = lesson(students=3)
    exercise = create_exercise(l.school_class, l.teacher, title="Masked", anonymity=True, **times())
    assert set(Pseudonym.objects.filter(exercise=exercise).values_list("user", flat=True)) == {
        s.pk for s in l.students}


def test_turning_anonymity_on_later_names_students_too(lesson):
    l = lesson(students=2)
    notes = update_exercise(l.exercise, {"anonymity": True})
    assert Pseudonym.objects.filter(exercise=l.exercise).count() == 2
    assert any("pseudonyms" in note for note in notes)


# Times


def test_times_typed_in_the_class_zone_are_stored_in_utc():
    with timezone.override(MINSK):
        form = ExerciseForm({"title": "T", "opens_at": "2026-12-01T14:30", "closes_at": "2026-12-01T16:00",
                             "target_evidence": 0, "target_rebuttals": 0, "target_comments": 0}, zone=MINSK)
        assert form.is_valid(), form.errors
    opens = form.cleaned_data["opens_at"]
    assert opens.astimezone(datetime.UTC) == datetime.datetime(2026, 12, 1, 11, 30, tzinfo=datetime.UTC)


def test_a_time_the_clocks_skip_is_refused():
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    with timezone.override(berlin):
        form = ExerciseForm({"title": "T", "opens_at": "2026-03-29T02:30", "closes_at": "2026-03-29T05:00",
                             "target_evidence": 0, "target_rebuttals": 0, "target_comments": 0}, zone=berlin)
        assert not form.is_valid()
    assert "may not exist" in str(form.errors["opens_at"])


def test_times_read_in_the_class_zone():
    moment = datetime.datetime(2026, 12, 1, 11, 30, tzinfo=datetime.UTC)
    assert when(moment, MINSK) == "Tue 1 Dec, 14:30 (Europe/Minsk)"


def test_the_state_follows_the_clock(lesson):
    l = lesson(opens_at=timezone.now() + timedelta(hours=1), closes_at=timezone.now() + timedelta(hours=2))
    assert state_label(l.exercise).startswith("not yet open: opens ")
    later = timezone.now() + timedelta(hours=1, minutes=30)
    assert state_label(l.exercise, later).startswith("open, closes ")
    assert state_label(l.exercise, later + timedelta(hours=1)).startswith("closed since ")
    assert "(Europe/Minsk)" in state_label(l.exercise)


def test_moving_the_closing_time_into_the_future_reopens(lesson):
    l = lesson(opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() - timedelta(hours=1))
    notes = update_exercise(l.exercise, {"closes_at": timezone.now() + timedelta(hours=1)})
    assert l.exercise.is_open()
    assert "open again" in " ".join(notes)


def test_changing_options_says_what_it_does(lesson):
    l = lesson()
    before = {"moderation": False, "groups": False, "sides": False}
    l.exercise.moderation = l.exercise.groups = l.exercise.sides = True
    said = " ".join(consequences(l.exercise, before))
    assert "wait for approval" in said and "Groups page" in said and "Sides page" in said
    assert update_exercise(l.exercise, {"moderation": True}) == []  # no change, nothing to say


# Sides


@pytest.mark.parametrize("students, theses", [(1, 1), (7, 1), (13, 2), (20, 3), (5, 4), (30, 2)])
def test_sides_are_spread_evenly(students, theses):
    dealt = sides.spread_evenly(range(students), range(100, 100 + theses), seed=7)
    assert sorted(a.user_id for a in dealt) == list(range(students))  # everyone once
    counts = Counter((a.thesis_id, a.stance) for a in dealt)
    all_counts = [counts.get((t, s), 0) for t in range(100, 100 + theses) for s in sides.STANCES]
    assert max(all_counts) - min(all_counts) <= 1


def test_the_same_seed_deals_the_same_sides_and_another_seed_another_deal():
    first = sides.spread_evenly(range(24), [1, 2], seed=42)
    assert sides.spread_evenly(range(24), [1, 2], seed=42) == first
    assert any(sides.spread_evenly(range(24), [1, 2], seed=seed) != first for seed in range(1, 5))


@pytest.mark.parametrize("students, team_size", [(7, 3), (13, 2), (20, 4), (9, 10), (6, 1)])
def test_teams_have_at_most_the_size_asked_and_nearly_equal_sizes(students, team_size):
    dealt = sides.spread_evenly(range(students), [1, 2], team_size=team_size, seed=3)
    teams: dict[str, list] = {}
    for a in dealt:
        teams.setdefault(a.team, []).append(a)
    for members in teams.values():
        assert len({(a.thesis_id, a.stance) for a in members}) == 1  # a team argues one side
        assert len(members) <= team_size
    for combination in {(a.thesis_id, a.stance) for a in dealt}:
        sizes = [len(m) for m in teams.values() if (m[0].thesis_id, m[0].stance) == combination]
        assert max(sizes) - min(sizes) <= 1
    assert sorted(teams) == sorted(f"Team {n}" for n in range(1, len(teams) + 1))


def test_no_thesis_no_sides():
    with pytest.raises(ValueError):
        sides.spread_evenly([1, 2], [])


def test_assigning_again_replaces_the_assignments_and_names_team_mates(lesson):
    l = lesson(students=4, sides=True)
    thesis = l.builder.thesis("Minsk hedges")
    one, two, three, four = l.students
    sides.replace_assignments(l.exercise, [sides.Assignment(one.pk, thesis.pk, "support", "Team 1")])
    sides.replace_assignments(l.exercise, [
        sides.Assignment(one.pk, thesis.pk, "oppose", "Team 1"),
        sides.Assignment(two.pk, thesis.pk, "oppose", "Team 1"),
        sides.Assignment(three.pk, thesis.pk, "support", ""),
    ])
    assert SideAssignment.objects.filter(exercise=l.exercise).count() == 3
    assignment, mates = sides.side_of(l.exercise, one)
    assert (assignment.stance, assignment.thesis, mates) == ("oppose", thesis, [two])
    assert sides.side_of(l.exercise, three)[1] == []
    assert sides.side_of(l.exercise, four) == (None, [])


# Groups


def test_students_are_dealt_evenly_over_groups():
    dealt = groups.spread_evenly(range(11), [5, 6, 7], seed=1)
    assert sorted(Counter(dealt.values()).values()) == [3, 4, 4]
    assert groups.spread_evenly(range(11), [5, 6, 7], seed=1) == dealt


def test_each_group_gets_one_copy_and_a_group_added_later_gets_its_own_then(lesson):
    l = lesson(students=3, groups=True)
    l.builder.thesis("Minsk hedges")
    a, b = groups.add_groups(l.exercise, groups.numbered_names(l.exercise, 2), l.teacher)
    assert (a.name, b.name) == ("Group 1", "Group 2")
    assert Map.objects.filter(exercise=l.exercise, group__isnull=False).count() == 0  # not until asked
    made = groups.create_copies(l.exercise, l.teacher)
    assert {m.title for m in made} == {"Is Lukashenko hedging? — Group 1", "Is Lukashenko hedging? — Group 2"}
    assert all(m.visibility == Visibility.PRIVATE and m.owner == l.teacher for m in made)
    assert groups.create_copies(l.exercise, l.teacher) == []  # once per group
    (c,) = groups.add_groups(l.exercise, ["Late comers"], l.teacher)
    copy_of_c = Map.objects.get(exercise=l.exercise, group=c)
    assert Node.objects.filter(map=copy_of_c, text="Minsk hedges").exists()
    assert groups.numbered_names(l.exercise, 1) == ["Group 3"]


def test_a_student_works_on_their_groups_copy(lesson):
    l = lesson(students=3, groups=True)
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Reds")
    groups.replace_members(l.exercise, {l.students[0].pk: group.pk, l.students[1].pk: None})
    no_map, why = map_of(l.exercise, l.students[0], False)
    assert no_map is None and "Reds, has no copy of the map yet" in why
    assert "not in a group" in map_of(l.exercise, l.students[1], False)[1]
    (copy,) = groups.create_copies(l.exercise, l.teacher)
    assert map_of(l.exercise, l.students[0], False) == (copy, "")
    assert map_of(l.exercise, l.teacher, True) == (l.map, "")
    assert GroupMember.objects.filter(exercise=l.exercise).count() == 1



def test_a_group_is_renamed_unless_another_group_has_the_name(lesson):
    l = lesson(groups=True)
    l.builder.thesis("Minsk hedges")
    reds, blues = groups.add_groups(l.exercise, ["Reds", "Blues"], l.teacher)
    (red_copy, _) = groups.create_copies(l.exercise, l.teacher)
    groups.rename_group(reds, "Crimson")
    with pytest.raises(groups.GroupNameTaken):
        groups.rename_group(blues, "Crimson")
    groups.rename_group(blues, "Blues")  # its own name is no clash
    assert list(ExerciseGroup.objects.order_by("id").values_list("name", flat=True)) == ["Crimson", "Blues"]
    red_copy.refresh_from_db()
    assert red_copy.group == reds and red_copy.title == f"{l.exercise} — Reds"  # the copy keeps its title


def test_a_removed_groups_copy_becomes_the_teachers_private_map(lesson):
    l = lesson(students=3, groups=True)
    l.builder.thesis("Minsk hedges")
    reds, blues = groups.add_groups(l.exercise, ["Reds", "Blues"], l.teacher)
    groups.replace_members(l.exercise, {l.students[0].pk: reds.pk, l.students[1].pk: blues.pk})
    red_copy, blue_copy = groups.create_copies(l.exercise, l.teacher)
    Map.objects.filter(pk=red_copy.pk).update(visibility=Visibility.UNLISTED, owner=l.students[2])

    (kept,) = groups.remove_group(reds, l.co_teacher)

    assert kept.pk == red_copy.pk and Node.objects.filter(map=kept, text="Minsk hedges").exists()
    assert (kept.exercise, kept.group, kept.owner, kept.visibility) == (None, None, l.co_teacher, Visibility.PRIVATE)
    assert list(ExerciseGroup.objects.filter(exercise=l.exercise)) == [blues]
    assert dict(GroupMember.objects.values_list("user", "group")) == {l.students[1].pk: blues.pk}
    assert "not in a group" in map_of(l.exercise, l.students[0], False)[1]
    assert main_map(l.exercise) == l.map and Map.objects.get(pk=blue_copy.pk).group == blues
    assert groups.create_copies(l.exercise, l.teacher) == []  # the other group keeps its one copy


# Snapshots


def close(exercise):
    exercise.closes_at = timezone.now() - timedelta(seconds=1)
    exercise.save(update_fields=["closes_at"])


def test_no_snapshot_while_the_exercise_is_open(lesson):
    l = lesson()
    assert ensure_snapshots(l.exercise) == 0
    assert not Snapshot.objects.exists()


def test_the_first_look_after_closing_keeps_the_map_as_it_was(lesson, django_assert_max_num_queries):
    l = lesson(moderation=True)
    thesis = l.builder.thesis("Minsk hedges")
    claim = l.builder.claim("Quiet stations", under=thesis, stance="oppose",
                            quote="The relay stations stopped working.")
    pending = Node.objects.create(map=l.map, text="A student's idea", author=l.students[0], status=NodeStatus.PENDING)
    pending.bear_on(thesis, "support")
    gone = l.builder.claim("Deleted one", under=thesis)
    editing.delete_node(gone, l.teacher)
    Comment.objects.create(node=claim, author=l.students[1], text="Good point")
    close(l.exercise)

    assert ensure_snapshots(l.exercise) == 1
    with django_assert_max_num_queries(1):
        assert ensure_snapshots(l.exercise) == 0  # lazily, once
    data = Snapshot.objects.get(map=l.map, closed_at=l.exercise.closes_at).data
    by_text = {n["text"]: n for n in data["nodes"]}
    assert set(by_text) == {"Minsk hedges", "Quiet stations", "A student's idea"}
    assert by_text["A student's idea"]["status"] == "pending" and by_text["A student's idea"]["author"] == "student-1"
    assert by_text["Quiet stations"]["comments"] == 1
    assert {"child": claim.pk, "parent": thesis.pk, "stance": "oppose"} in data["relations"]
    (quote,) = data["quotes"]
    assert quote["exact"] == "The relay stations stopped working." and quote["source"] == l.builder.source.code


def test_every_map_of_the_exercise_gets_its_snapshot_and_a_second_closing_another(lesson):
    l = lesson(groups=True)
    l.builder.thesis("Minsk hedges")
    groups.add_groups(l.exercise, ["Reds", "Blues"], l.teacher)
    groups.create_copies(l.exercise, l.teacher)
    close(l.exercise)
    assert ensure_snapshots(l.exercise) == 3
    l.exercise.closes_at = timezone.now() + timedelta(hours=1)  # reopened…
    l.exercise.save(update_fields=["closes_at"])
    assert ensure_snapshots(l.exercise) == 0
    close(l.exercise)  # …and closed again
    assert ensure_snapshots(l.exercise) == 3
    assert Snapshot.objects.filter(exercise=l.exercise).count() == 6


def test_the_outline_hides_what_students_may_not_see_and_writes_a_node_out_once(lesson):
    l = lesson()
    one = l.builder.thesis("Minsk hedges")
    two = l.builder.thesis("Minsk is loyal")
    shared = l.builder.claim("Shared claim", under=one)
    shared.bear_on(two, "oppose")
    below = l.builder.claim("Below shared", under=shared)
    pending = Node.objects.create(map=l.map, text="Pending", author=l.students[0], status=NodeStatus.PENDING)
    pending.bear_on(one, "support")
    l.builder.claim("Under pending", under=pending)
    close(l.exercise)
    ensure_snapshots(l.exercise)
    data = Snapshot.objects.get().data

    trees = outline(data)
    assert [t.text for t in trees] == ["Minsk hedges", "Minsk is loyal"]
    assert [c.text for c in trees[0].children] == ["Shared claim", "Pending"]
    assert [c.text for c in trees[0].children[0].children] == ["Below shared"]
    elsewhere = trees[1].children[0]
    assert (elsewhere.text, elsewhere.stance, elsewhere.elsewhere, elsewhere.children) == (
        "Shared claim", "oppose", True, [])

    for_students = outline(data, show=approved_only, name=lambda author_id, username: username.upper())
    assert [c.text for c in for_students[0].children] == ["Shared claim"]  # pending goes with what is under it
    assert for_students[0].author == l.teacher.username.upper()
