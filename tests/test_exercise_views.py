"""The exercise pages: setting one up, its page, editing, sides, groups, the snapshot; per role and with bad input."""

import datetime
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from argmap.classroom import groups, sides
from argmap.classroom.exercises import main_map
from argmap.models import (
    ClassRole,
    Enrolment,
    Exercise,
    ExerciseGroup,
    GroupMember,
    Pseudonym,
    SchoolClass,
    SideAssignment,
)
from argmap.models import Map, Node, NodeStatus, Source, Visibility
from tests.conftest import PASSWORD


@pytest.fixture
def cast(lesson, outsider):
    """A lesson with two students, plus a student of another class, an outsider and nobody."""
    l = lesson(students=2)
    other_class = SchoolClass.objects.create(name="Year 9")
    stranger = get_user_model().objects.create_user("other-student", password=PASSWORD)
    Enrolment.objects.create(school_class=other_class, user=stranger, role=ClassRole.STUDENT)
    users = {"teacher": l.teacher, "co_teacher": l.co_teacher, "student": l.students[0],
             "other_class_student": stranger, "outsider": outsider, "anonymous": None}
    return SimpleNamespace(lesson=l, users=users, exercise=l.exercise, school_class=l.school_class)


def as_(client, user):
    if user is not None:
        client.force_login(user)
    return client


def new_exercise_data(**changes):
    data = {
        "title": "Who benefits from the deal?", "instructions": "Find three sources.",
        "opens_at": "2030-12-01T14:30", "closes_at": "2030-12-08T14:30", "start_from": "new",
        "question": "Who gains?", "copy_of": "", "target_evidence": "3", "target_rebuttals": "1",
        "target_comments": "2",
    }
    data.update(changes)
    return data


def new_url(cast):
    return reverse("exercise-new", args=[cast.school_class.pk])


def detail_url(exercise):
    return reverse("exercise-detail", args=[exercise.pk])


# Setting up


@pytest.mark.parametrize("role, status", [
    ("teacher", 200), ("co_teacher", 200), ("student", 403), ("other_class_student", 404), ("outsider", 404),
])
def test_it_shows_the_new_exercise_form_to_the_class_teachers_only(client, cast, role, status):
    response = as_(client, cast.users[role]).get(new_url(cast))
    assert response.status_code == status
    if status == 200:
        assert "Europe/Minsk" in response.content.decode()


def test_it_sends_anonymous_visitors_to_log_in(client, cast):
    response = client.get(new_url(cast))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(detail_url(cast.exercise)).status_code == 302


def test_a_teacher_creates_an_exercise_on_a_new_map(client, cast):
    response = as_(client, cast.users["co_teacher"]).post(new_url(cast), new_exercise_data(sides="on", anonymity="on"))
    exercise = Exercise.objects.get(title="Who benefits from the deal?")
    assert response.status_code == 302 and response["Location"] == detail_url(exercise)
    # 14:30 in Minsk (UTC+3) is 11:30 UTC
    assert exercise.opens_at == datetime.datetime(2030, 12, 1, 11, 30, tzinfo=datetime.UTC)
    assert (exercise.sides, exercise.anonymity, exercise.moderation, exercise.groups) == (True, True, False, False)
    assert (exercise.target_evidence, exercise.target_rebuttals, exercise.target_comments) == (3, 1, 2)
    map_ = main_map(exercise)
    assert (map_.title, map_.question, map_.owner, map_.visibility) == (
        "Who benefits from the deal?", "Who gains?", cast.users["co_teacher"], Visibility.PRIVATE)
    assert Pseudonym.objects.filter(exercise=exercise).count() == 2
    page = client.get(detail_url(exercise)).content.decode()
    assert "Exercise created. Next: assign the sides." in page


def test_a_teacher_creates_an_exercise_on_a_copy_of_their_map(client, cast, build):
    prepared = build(Visibility.PRIVATE)  # owned by the lesson's teacher
    prepared.thesis("Minsk hedges")
    response = as_(client, cast.users["teacher"]).post(
        new_url(cast), new_exercise_data(start_from="copy", copy_of=str(prepared.map.pk)))
    assert response.status_code == 302
    copy = main_map(Exercise.objects.get(title="Who benefits from the deal?"))
    assert copy.pk != prepared.map.pk and Node.objects.filter(map=copy, text="Minsk hedges").exists()


def test_the_copy_choice_lists_only_maps_the_teacher_may_see(client, cast, build, outsider):
    mine = build(Visibility.PRIVATE).map
    mine.title = "My prepared map"
    mine.save()
    hidden = Map.objects.create(title="Someone else's private map", owner=outsider)
    page = as_(client, cast.users["teacher"]).get(new_url(cast)).content.decode()
    assert "My prepared map" in page and "Someone else&#x27;s private map" not in page
    before = Exercise.objects.count()
    response = client.post(new_url(cast), new_exercise_data(start_from="copy", copy_of=str(hidden.pk)))
    assert response.status_code == 400 and "Choose one of the maps in the list." in response.content.decode()
    response = client.post(new_url(cast), new_exercise_data(start_from="copy", copy_of="999999999"))
    assert response.status_code == 400
    response = client.post(new_url(cast), new_exercise_data(start_from="copy", copy_of=""))
    assert response.status_code == 400 and "Choose the map to copy." in response.content.decode()
    assert Exercise.objects.count() == before and not Map.objects.filter(title="Who benefits from the deal?").exists()


@pytest.mark.parametrize("changes, message", [
    ({"closes_at": "2030-12-01T14:00"}, "The exercise must close after it opens."),
    ({"closes_at": "2030-12-01T14:30"}, "The exercise must close after it opens."),
    ({"opens_at": "2030-13-45T99:00"}, "Give a date and a time, e.g."),
    ({"opens_at": "next tuesday"}, "Give a date and a time, e.g."),
    ({"opens_at": ""}, "Give a date and a time."),
    ({"target_evidence": "21"}, "Between 0 and 20."),
    ({"target_comments": "-1"}, "Between 0 and 20."),
    ({"target_rebuttals": "two"}, "A whole number between 0 and 20."),
    ({"title": "x" * 201}, "at most 200 characters"),
    ({"title": ""}, "This field is required."),
    ({"instructions": "y" * 5001}, "at most 5000 characters"),
    ({"start_from": "steal"}, "Choose a new map or a copy."),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, cast, changes, message):
    before = (Exercise.objects.count(), Map.objects.count())
    response = as_(client, cast.users["teacher"]).post(new_url(cast), new_exercise_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Exercise.objects.count(), Map.objects.count()) == before


def test_a_time_that_does_not_exist_in_the_class_zone_is_refused(client, cast):
    cast.school_class.time_zone = "Europe/Berlin"
    cast.school_class.save()
    response = as_(client, cast.users["teacher"]).post(
        new_url(cast), new_exercise_data(opens_at="2030-03-31T02:30", closes_at="2030-04-01T10:00"))
    assert response.status_code == 400 and "Europe/Berlin" in response.content.decode()


def test_nul_bytes_are_dropped_and_text_is_escaped(client, cast):
    data = new_exercise_data(title="<script>alert(1)</script>\x00", instructions="Line one <b>bold</b>\r\nLine two")
    as_(client, cast.users["teacher"]).post(new_url(cast), data)
    exercise = Exercise.objects.get(title="<script>alert(1)</script>")
    page = as_(client, cast.users["student"]).get(detail_url(exercise)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Line one &lt;b&gt;bold&lt;/b&gt;<br>Line two" in page


# The exercise's page


@pytest.mark.parametrize("role, status", [
    ("teacher", 200), ("co_teacher", 200), ("student", 200), ("other_class_student", 404), ("outsider", 404),
])
def test_the_exercise_page_is_for_the_class(client, cast, role, status):
    assert as_(client, cast.users[role]).get(detail_url(cast.exercise)).status_code == status


def test_students_see_the_state_in_the_class_zone_instructions_targets_and_the_map(client, cast):
    e = cast.exercise
    e.closes_at = datetime.datetime(2030, 12, 1, 11, 30, tzinfo=datetime.UTC)
    e.instructions = "Read the article."
    e.target_evidence = 3
    e.save()
    page = as_(client, cast.users["student"]).get(detail_url(e)).content.decode()
    assert "Open, closes Sun 1 Dec, 14:30 (Europe/Minsk)" in page
    assert "Read the article." in page and "<strong>3</strong> pieces of evidence for your side" in page
    assert cast.lesson.map.get_absolute_url() in page
    assert reverse("exercise-edit", args=[e.pk]) not in page  # no teacher links


def test_teachers_get_the_links_to_run_it(client, cast):
    e = cast.exercise
    e.sides = e.groups = True
    e.save()
    page = as_(client, cast.users["co_teacher"]).get(detail_url(e)).content.decode()
    for name in ("exercise-edit", "exercise-sides", "exercise-groups"):
        assert reverse(name, args=[e.pk]) in page


def test_a_student_in_a_group_exercise_goes_to_their_groups_copy(client, cast):
    e = cast.exercise
    e.groups = True
    e.save()
    student = cast.users["student"]
    page = as_(client, student).get(detail_url(e)).content.decode()
    assert "You are not in a group yet" in page and cast.lesson.map.get_absolute_url() not in page
    group = ExerciseGroup.objects.create(exercise=e, name="Reds")
    GroupMember.objects.create(exercise=e, group=group, user=student)
    (copy,) = groups.create_copies(e, cast.users["teacher"])
    page = client.get(detail_url(e)).content.decode()
    assert copy.get_absolute_url() in page and cast.lesson.map.get_absolute_url() not in page


def test_a_student_sees_their_side_and_team_mates_by_pseudonym_under_anonymity(client, lesson):
    l = lesson(students=3, sides=True, anonymity=True)
    thesis = l.builder.thesis("Minsk hedges <for real>")
    one, two, three = l.students
    sides.replace_assignments(l.exercise, [sides.Assignment(s.pk, thesis.pk, "oppose", "Team 1") for s in (one, two)])
    Pseudonym.objects.create(exercise=l.exercise, user=two, name="Amber Heron")
    page = as_(client, one).get(detail_url(l.exercise)).content.decode()
    assert "against</strong> the thesis “Minsk hedges &lt;for real&gt;”" in page
    assert "Team 1" in page and "Amber Heron" in page and "student-2" not in page
    client.force_login(l.teacher)
    assert "student-2" not in client.get(detail_url(l.exercise)).content.decode()  # teachers see no team list here
    l.exercise.anonymity = False
    l.exercise.save()
    client.force_login(one)
    assert "with student-2" in client.get(detail_url(l.exercise)).content.decode()


def test_the_exercise_page_costs_the_same_for_a_large_class(client, lesson, django_assert_max_num_queries):
    l = lesson(students=40, sides=True, anonymity=True)
    thesis = l.builder.thesis("Minsk hedges")
    sides.replace_assignments(l.exercise, sides.spread_evenly([s.pk for s in l.students], [thesis.pk], team_size=20))
    for user in (l.students[0], l.teacher):
        client.force_login(user)
        with django_assert_max_num_queries(9):
            assert client.get(detail_url(l.exercise)).status_code == 200


# Editing


def edit_data(exercise, **changes):
    data = {"title": exercise.title, "instructions": exercise.instructions,
            "opens_at": "2020-01-01T09:00", "closes_at": "2040-01-01T09:00",
            "target_evidence": "0", "target_rebuttals": "0", "target_comments": "0"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role, status", [
    ("teacher", 200), ("co_teacher", 200), ("student", 403), ("other_class_student", 404), ("outsider", 404),
])
def test_only_teachers_edit(client, cast, role, status):
    assert as_(client, cast.users[role]).get(reverse("exercise-edit", args=[cast.exercise.pk])).status_code == status
    before = Exercise.objects.get(pk=cast.exercise.pk).instructions
    client.post(reverse("exercise-edit", args=[cast.exercise.pk]), edit_data(cast.exercise, instructions="Hacked"))
    assert (Exercise.objects.get(pk=cast.exercise.pk).instructions == "Hacked") == (status == 200)
    assert before != "Hacked"


def test_the_edit_form_shows_the_times_in_the_class_zone(client, cast):
    cast.exercise.opens_at = datetime.datetime(2030, 12, 1, 11, 30, tzinfo=datetime.UTC)
    cast.exercise.closes_at = datetime.datetime(2030, 12, 2, 11, 30, tzinfo=datetime.UTC)
    cast.exercise.save()
    page = as_(client, cast.users["teacher"]).get(reverse("exercise-edit", args=[cast.exercise.pk])).content.decode()
    assert 'value="2030-12-01T14:30"' in page


def test_editing_says_what_an_option_change_does(client, cast):
    url = reverse("exercise-edit", args=[cast.exercise.pk])
    data = edit_data(cast.exercise, moderation="on", instructions="New")
    response = as_(client, cast.users["teacher"]).post(url, data)
    assert response.status_code == 302
    page = client.get(detail_url(cast.exercise)).content.decode()
    assert "wait for approval" in page and "New" in page
    assert Exercise.objects.get(pk=cast.exercise.pk).moderation


def test_editing_refuses_closing_before_opening(client, cast):
    url = reverse("exercise-edit", args=[cast.exercise.pk])
    response = as_(client, cast.users["teacher"]).post(url, edit_data(cast.exercise, closes_at="2019-01-01T09:00"))
    assert response.status_code == 400 and "must close after it opens" in response.content.decode()


@pytest.mark.parametrize("changes", [{"opens_at": "0001-01-01T00:00"}, {"closes_at": "9999-12-31T23:59"},
                                     {"opens_at": "1999-12-31T23:59"}, {"closes_at": "3001-01-01T00:00"}])
def test_a_time_at_the_calendars_edge_is_refused_with_a_message(client, cast, changes):
    """The class's zone pushed 0001-01-01 before year 1: a 500 instead of a form error."""
    as_(client, cast.users["teacher"])
    before = (Exercise.objects.count(), Map.objects.count())
    response = client.post(new_url(cast), new_exercise_data(**changes))
    assert response.status_code == 400 and "Give a date between the years 2000 and 2999." in response.content.decode()
    assert (Exercise.objects.count(), Map.objects.count()) == before
    saved = Exercise.objects.filter(pk=cast.exercise.pk).values("opens_at", "closes_at").get()
    response = client.post(reverse("exercise-edit", args=[cast.exercise.pk]), edit_data(cast.exercise, **changes))
    assert response.status_code == 400 and "Give a date between the years 2000 and 2999." in response.content.decode()
    assert Exercise.objects.filter(pk=cast.exercise.pk).values("opens_at", "closes_at").get() == saved


def test_moving_the_closing_time_reopens_and_close_now_closes(client, lesson):
    l = lesson(opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(days=1))
    url = reverse("exercise-edit", args=[l.exercise.pk])
    as_(client, l.teacher).post(url, edit_data(l.exercise))
    l.exercise.refresh_from_db()
    assert l.exercise.is_open()
    assert "open again" in client.get(detail_url(l.exercise)).content.decode()
    response = client.post(url, {"close_now": "1"})
    assert response.status_code == 302
    l.exercise.refresh_from_db()
    assert l.exercise.has_closed()


# Sides


def sides_url(exercise):
    return reverse("exercise-sides", args=[exercise.pk])


@pytest.fixture
def with_sides(lesson):
    l = lesson(students=6, sides=True)
    l.theses = [l.builder.thesis("Minsk hedges"), l.builder.thesis("Minsk is loyal")]
    return l


def test_sides_are_for_teachers_and_only_when_the_exercise_uses_them(client, with_sides, outsider):
    assert as_(client, with_sides.students[0]).get(sides_url(with_sides.exercise)).status_code == 403
    client.force_login(outsider)
    assert client.get(sides_url(with_sides.exercise)).status_code == 404
    client.force_login(with_sides.co_teacher)
    assert client.get(sides_url(with_sides.exercise)).status_code == 200
    with_sides.exercise.sides = False
    with_sides.exercise.save()
    response = client.get(sides_url(with_sides.exercise))
    assert response.status_code == 404 and "does not use sides" in response.content.decode()


def test_a_teacher_assigns_sides_at_random_evenly_and_must_confirm_replacing(client, with_sides):
    l = with_sides
    as_(client, l.teacher)
    response = client.post(sides_url(l.exercise), {"random": "1", "random-team_size": "2"})
    assert response.status_code == 302
    rows = list(SideAssignment.objects.filter(exercise=l.exercise))
    assert len(rows) == 6 and all(r.team.startswith("Team ") for r in rows)
    response = client.post(sides_url(l.exercise), {"random": "1"})
    assert response.status_code == 400 and "tick this to replace them" in response.content.decode()
    assert SideAssignment.objects.filter(exercise=l.exercise).count() == 6
    response = client.post(sides_url(l.exercise), {"random": "1", "random-replace": "on"})
    assert response.status_code == 302
    assert not SideAssignment.objects.filter(exercise=l.exercise).exclude(team="").exists()


def test_a_teacher_assigns_sides_by_hand(client, with_sides):
    l = with_sides
    one, two = l.students[:2]
    data = {"hand": "1", f"hand-side_{one.pk}": f"{l.theses[1].pk}:oppose", f"hand-team_{one.pk}": "Owls",
            f"hand-side_{two.pk}": f"{l.theses[0].pk}:support"}
    response = as_(client, l.teacher).post(sides_url(l.exercise), data)
    assert response.status_code == 302
    assert set(SideAssignment.objects.values_list("user", "thesis", "stance", "team")) == {
        (one.pk, l.theses[1].pk, "oppose", "Owls"), (two.pk, l.theses[0].pk, "support", "")}
    page = client.get(sides_url(l.exercise)).content.decode()
    assert f'value="{l.theses[1].pk}:oppose" selected' in page


def test_a_thesis_of_another_map_cannot_be_assigned(client, with_sides, build):
    l = with_sides
    foreign = build(Visibility.PUBLIC).thesis("Elsewhere")
    response = as_(client, l.teacher).post(sides_url(l.exercise),
                                           {"hand": "1", f"hand-side_{l.students[0].pk}": f"{foreign.pk}:support"})
    assert response.status_code == 400 and "Choose a side from the list." in response.content.decode()
    assert not SideAssignment.objects.exists()


def test_sides_need_theses(client, lesson):
    l = lesson(sides=True)
    page = as_(client, l.teacher).get(sides_url(l.exercise)).content.decode()
    assert "The map has no thesis yet" in page
    response = client.post(sides_url(l.exercise), {"random": "1"})
    assert response.status_code == 400 and "The map has no thesis yet" in response.content.decode()
    assert not SideAssignment.objects.exists()


def test_the_sides_page_costs_the_same_for_a_large_class(client, lesson, django_assert_max_num_queries):
    l = lesson(students=60, sides=True)
    thesis = l.builder.thesis("Minsk hedges")
    sides.replace_assignments(l.exercise, sides.spread_evenly([s.pk for s in l.students], [thesis.pk]))
    client.force_login(l.teacher)
    with django_assert_max_num_queries(8):
        assert client.get(sides_url(l.exercise)).status_code == 200


# Groups


def groups_url(exercise):
    return reverse("exercise-groups", args=[exercise.pk])


@pytest.fixture
def with_groups(lesson):
    l = lesson(students=5, groups=True)
    l.builder.thesis("Minsk hedges")
    return l


def test_groups_are_for_teachers_and_only_when_the_exercise_uses_them(client, with_groups, outsider):
    assert as_(client, with_groups.students[0]).get(groups_url(with_groups.exercise)).status_code == 403
    client.force_login(outsider)
    assert client.get(groups_url(with_groups.exercise)).status_code == 404
    client.force_login(with_groups.teacher)
    assert client.get(groups_url(with_groups.exercise)).status_code == 200
    with_groups.exercise.groups = False
    with_groups.exercise.save()
    assert client.get(groups_url(with_groups.exercise)).status_code == 404


def test_a_teacher_makes_groups_fills_them_and_creates_the_copies_once(client, with_groups):
    l = with_groups
    as_(client, l.teacher)
    assert client.post(groups_url(l.exercise), {"action": "add", "add-count": "2"}).status_code == 302
    assert client.post(groups_url(l.exercise), {"action": "add", "add-names": "Owls\nFoxes\nOwls"}).status_code == 302
    assert list(ExerciseGroup.objects.values_list("name", flat=True)) == ["Group 1", "Group 2", "Owls", "Foxes"]
    response = client.post(groups_url(l.exercise), {"action": "add", "add-names": "Owls"})
    assert response.status_code == 400 and "already a group called “Owls”" in response.content.decode()
    response = client.post(groups_url(l.exercise), {"action": "add"})
    assert response.status_code == 400 and "Give a number of groups or their names." in response.content.decode()

    assert client.post(groups_url(l.exercise), {"action": "random"}).status_code == 302
    sizes = sorted(GroupMember.objects.filter(exercise=l.exercise).values_list("group", flat=True))
    assert len(sizes) == 5
    response = client.post(groups_url(l.exercise), {"action": "random"})
    assert response.status_code == 400 and "Replace the current groups" in response.content.decode()

    owls = ExerciseGroup.objects.get(name="Owls")
    data = {"action": "members", **{f"members-group_{s.pk}": str(owls.pk) for s in l.students}}
    assert client.post(groups_url(l.exercise), data).status_code == 302
    assert set(GroupMember.objects.values_list("group", flat=True)) == {owls.pk}

    assert client.post(groups_url(l.exercise), {"action": "copies"}).status_code == 302
    assert client.post(groups_url(l.exercise), {"action": "copies"}).status_code == 302
    assert Map.objects.filter(exercise=l.exercise, group__isnull=False).count() == 4
    page = client.get(groups_url(l.exercise)).content.decode()
    assert Map.objects.get(group=owls).get_absolute_url() in page


def test_bad_group_input_is_refused(client, with_groups):
    l = with_groups
    as_(client, l.teacher)
    for data in ({"action": "add", "add-count": "31"}, {"action": "add", "add-names": "x" * 61},
                 {"action": "members", f"members-group_{l.students[0].pk}": "999999"}, {"action": "dance"}):
        response = client.post(groups_url(l.exercise), data)
        assert response.status_code == 400, data
    ExerciseGroup.objects.create(exercise=l.exercise, name="Reds")
    response = client.post(groups_url(l.exercise), {"action": "members",
                                                   f"members-group_{l.students[0].pk}": "999999"})
    assert response.status_code == 400 and "Choose a group from the list." in response.content.decode()
    assert not GroupMember.objects.exists()



def group_url(name, group):
    return reverse(f"exercise-group-{name}", args=[group.exercise_id, group.pk])


@pytest.fixture
def with_copies(with_groups):
    """Reds (student-1, student-2) and Blues (student-3), each with its copy."""
    l = with_groups
    l.reds, l.blues = groups.add_groups(l.exercise, ["Reds", "Blues"], l.teacher)
    groups.replace_members(l.exercise, {l.students[0].pk: l.reds.pk, l.students[1].pk: l.reds.pk,
                                        l.students[2].pk: l.blues.pk})
    l.red_copy, l.blue_copy = groups.create_copies(l.exercise, l.teacher)
    return l


def test_renaming_and_removing_groups_is_for_teachers(client, with_copies, outsider):
    l = with_copies
    for name in ("rename", "remove"):
        url = group_url(name, l.reds)
        assert as_(client, l.students[0]).post(url, {"name": "Mine"}).status_code == 403
        assert as_(client, outsider).post(url, {"name": "Mine"}).status_code == 404
        client.logout()
        assert client.post(url, {"name": "Mine"}).status_code == 302  # to the login page
    assert as_(client, l.teacher).get(group_url("rename", l.reds)).status_code == 405
    elsewhere = Exercise.objects.create(school_class=SchoolClass.objects.create(name="Elsewhere"), title="Other",
                                        groups=True)
    other = ExerciseGroup.objects.create(exercise=elsewhere, name="Theirs")
    assert client.post(reverse("exercise-group-rename", args=[l.exercise.pk, other.pk]),
                       {"name": "Mine"}).status_code == 404  # a group of another exercise
    assert ExerciseGroup.objects.get(pk=other.pk).name == "Theirs"
    assert set(ExerciseGroup.objects.filter(exercise=l.exercise).values_list("name", flat=True)) == {"Reds", "Blues"}


def test_a_teacher_renames_a_group_and_its_copy_keeps_working(client, with_copies):
    l = with_copies
    response = as_(client, l.co_teacher).post(group_url("rename", l.reds), {"name": "  Crimson <b>  "})
    assert response.status_code == 302
    page = client.get(groups_url(l.exercise)).content.decode()
    assert "“Reds” is now called “Crimson &lt;b&gt;”." in page and "leaves its copy's title as it was" in page
    assert Map.objects.get(group__name="Crimson <b>") == l.red_copy
    assert as_(client, l.students[0]).get(l.red_copy.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(("name", "status", "message"), [
    ("", 400, "Give the group a name."),
    ("   ", 400, "Give the group a name."),
    ("x" * 61, 400, "Keep the group&#x27;s name to 60 characters."),
    ("Red\x00s", 400, "Null characters are not allowed."),
    ("Blues", 409, "There is already a group called “Blues”."),
])
def test_a_bad_group_name_is_refused(client, with_copies, name, status, message):
    l = with_copies
    response = as_(client, l.teacher).post(group_url("rename", l.reds), {"name": name})
    assert response.status_code == status and message in response.content.decode()
    assert "“Reds” was not renamed" in response.content.decode()
    assert ExerciseGroup.objects.get(pk=l.reds.pk).name == "Reds"


def test_a_teacher_removes_a_group_after_a_second_step_and_keeps_its_copy(client, with_copies):
    l = with_copies
    ask = as_(client, l.teacher).get(group_url("remove", l.reds))
    page = ask.content.decode()
    assert ask.status_code == 200 and "Remove the group “Reds”?" in page and "Yes, remove" in page
    assert "student-1, student-2" in page and "kept as your private map" in page
    assert ExerciseGroup.objects.filter(pk=l.reds.pk).exists()  # asking removes nothing

    response = client.post(group_url("remove", l.reds), follow=True)
    page = response.content.decode()
    assert "Removed the group “Reds”" in page and f'<a href="{l.red_copy.get_absolute_url()}">' in page
    assert not GroupMember.objects.filter(user__in=l.students[:2]).exists()
    assert client.get(l.red_copy.get_absolute_url()).status_code == 200
    for former_member in l.students[:2]:
        assert as_(client, former_member).get(l.red_copy.get_absolute_url()).status_code == 404
        assert "You are not in a group yet" in client.get(detail_url(l.exercise)).content.decode()
    assert as_(client, l.students[3]).get(l.red_copy.get_absolute_url()).status_code == 404  # no second main map
    assert as_(client, l.students[2]).get(l.blue_copy.get_absolute_url()).status_code == 200
    assert as_(client, l.teacher).post(group_url("remove", l.reds)).status_code == 404  # already gone


def test_groups_are_not_renamed_or_removed_once_the_exercise_closed(client, with_copies):
    l = with_copies
    l.exercise.closes_at = timezone.now() - timedelta(minutes=1)
    l.exercise.save()
    as_(client, l.teacher)
    for response in (client.post(group_url("rename", l.reds), {"name": "Crimson"}),
                     client.get(group_url("remove", l.reds)), client.post(group_url("remove", l.reds))):
        assert response.status_code == 403 and "This exercise closed at " in response.content.decode()
    assert ExerciseGroup.objects.get(pk=l.reds.pk).name == "Reds"
    assert Map.objects.get(pk=l.red_copy.pk).group == l.reds
    page = client.get(groups_url(l.exercise)).content.decode()
    assert "Rename" not in page and "Remove…" not in page


# The snapshot


def test_the_snapshot_shows_teachers_everything_and_students_approved_nodes_by_pseudonym(client, lesson):
    l = lesson(students=2, moderation=True, anonymity=True)
    thesis = l.builder.thesis("Minsk hedges")
    Pseudonym.objects.create(exercise=l.exercise, user=l.students[1], name="Quiet Otter")
    Node.objects.create(map=l.map, text="Waiting for approval", author=l.students[1],
                        status=NodeStatus.PENDING).bear_on(thesis, "support")
    Node.objects.create(map=l.map, text="Approved student claim <i>", author=l.students[1]).bear_on(thesis, "oppose")
    url = reverse("exercise-snapshot", args=[l.exercise.pk])
    assert "taken when the exercise closes" in as_(client, l.teacher).get(url).content.decode()
    l.exercise.closes_at = timezone.now() - timedelta(minutes=1)
    l.exercise.save()

    teacher_page = client.get(url).content.decode()
    assert "Waiting for approval" in teacher_page and "student-2" in teacher_page
    client.force_login(l.students[0])
    student_page = client.get(url).content.decode()
    assert "Waiting for approval" not in student_page
    assert "Approved student claim &lt;i&gt;" in student_page
    assert "Quiet Otter" in student_page and "student-2" not in student_page


def test_a_student_sees_only_their_groups_snapshot(client, lesson):
    l = lesson(students=2, groups=True)
    l.builder.thesis("Minsk hedges")
    reds, blues = groups.add_groups(l.exercise, ["Reds", "Blues"], l.teacher)
    groups.replace_members(l.exercise, {l.students[0].pk: reds.pk, l.students[1].pk: blues.pk})
    red_copy, blue_copy = groups.create_copies(l.exercise, l.teacher)
    Node.objects.create(map=blue_copy, text="Blue secret", author=l.students[1]).bear_on(
        Node.objects.get(map=blue_copy, text="Minsk hedges"), "support")
    l.exercise.closes_at = timezone.now() - timedelta(minutes=1)
    l.exercise.save()
    url = reverse("exercise-snapshot", args=[l.exercise.pk])
    page = as_(client, l.students[0]).get(f"{url}?map={blue_copy.code}").content.decode()
    assert "Blue secret" not in page and "Reds" in page
    client.force_login(l.teacher)
    assert "Blue secret" in client.get(f"{url}?map={blue_copy.code}").content.decode()


@pytest.mark.parametrize("size", [12, 1500])
def test_the_snapshot_page_costs_the_same_for_a_large_map(client, lesson, size, django_assert_max_num_queries):
    from argmap.synthetic import Shape, build_map

    l = lesson(anonymity=True)
    Map.objects.filter(pk=l.map.pk).update(exercise=None)
    long_text = " ".join(f"Sentence {n} of a long article about the relay stations." for n in range(400))
    large = build_map("Synthetic", [Source.objects.create(text=long_text)], Shape(nodes=size), owner=l.teacher)
    Map.objects.filter(pk=large.pk).update(exercise=l.exercise, visibility=Visibility.PRIVATE)
    l.exercise.closes_at = timezone.now() - timedelta(minutes=1)
    l.exercise.save()
    url = reverse("exercise-snapshot", args=[l.exercise.pk])
    for user in (l.students[0], l.teacher):
        client.force_login(user)
        with django_assert_max_num_queries(20):  # the first look also takes the snapshot
            response = client.get(url)
        assert response.status_code == 200 and "Thesis 0" in response.content.decode()


@pytest.mark.parametrize("students", [3, 60])
def test_the_groups_page_costs_the_same_for_a_large_class(client, lesson, students, django_assert_max_num_queries):
    l = lesson(students=students, groups=True)
    l.builder.thesis("Minsk hedges")
    made = groups.add_groups(l.exercise, groups.numbered_names(l.exercise, 3), l.teacher)
    groups.replace_members(l.exercise, groups.spread_evenly([s.pk for s in l.students], [g.pk for g in made]))
    groups.create_copies(l.exercise, l.teacher)
    client.force_login(l.teacher)
    with django_assert_max_num_queries(8):
        assert client.get(groups_url(l.exercise)).status_code == 200


def test_maps_with_the_same_title_are_told_apart_in_the_copy_list(client, cast, build):
    build(Visibility.PRIVATE)
    build(Visibility.PUBLIC)
    page = as_(client, cast.users["teacher"]).get(new_url(cast)).content.decode()
    assert "Test map (ms-teacher, private)" in page and "Test map (ms-teacher, public)" in page


def test_before_opening_students_are_told_when_they_can_start(client, lesson):
    l = lesson(opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=2))
    page = as_(client, l.students[0]).get(detail_url(l.exercise)).content.decode()
    assert "Not yet open: opens " in page and "add to it once the exercise opens" in page


@pytest.mark.parametrize("name", ["exercise-detail", "exercise-edit", "exercise-sides", "exercise-groups",
                                  "exercise-snapshot"])
def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, cast, name):
    cast.exercise.sides = cast.exercise.groups = True
    cast.exercise.save()
    url = reverse(name, args=[cast.exercise.pk])
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Exercise.objects.get(pk=cast.exercise.pk).title == cast.exercise.title


@pytest.mark.parametrize("name", ["exercise-detail", "exercise-edit", "exercise-sides", "exercise-groups",
                                  "exercise-snapshot"])
@pytest.mark.parametrize("role", ["other_class_student", "outsider"])
def test_people_outside_the_class_find_nothing(client, cast, name, role):
    cast.exercise.sides = cast.exercise.groups = True
    cast.exercise.save()
    assert as_(client, cast.users[role]).get(reverse(name, args=[cast.exercise.pk])).status_code == 404
    assert client.post(reverse(name, args=[cast.exercise.pk]), {"action": "copies"}).status_code in (404, 405)


@pytest.mark.parametrize("name, data", [
    ("exercise-sides", {"random": "1"}), ("exercise-groups", {"action": "add", "add-count": "2"}),
])
def test_sides_and_groups_stay_as_they_were_after_closing(client, cast, name, data):
    e = cast.exercise
    e.sides = e.groups = True
    e.opens_at = timezone.now() - timedelta(days=2)
    e.closes_at = timezone.now() - timedelta(days=1)
    e.save()
    cast.lesson.builder.thesis("Minsk hedges")
    response = as_(client, cast.users["teacher"]).post(reverse(name, args=[e.pk]), data)
    assert response.status_code == 403 and "This exercise closed at " in response.content.decode()
    assert not SideAssignment.objects.exists() and not ExerciseGroup.objects.exists()
