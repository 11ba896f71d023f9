"""A closed exercise's maps are read-only: every write endpoint refuses teachers and students alike,
says why, and changes nothing. Before opening, students only read while teachers prepare."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from argmap import comments, editing, votes
from argmap.models import Snapshot
from argmap.models import (
    Change,
    ClutterRange,
    Comment,
    Map,
    MapSource,
    Membership,
    Node,
    Quote,
    Relation,
    Source,
    SourceRating,
    Vote,
)
from argmap.access import access_for

CLOSED = "This exercise closed at "
READ_ONLY = "; the map is read-only."


@pytest.fixture
def worked_exercise(lesson):
    """An open exercise's map with something of every kind, most of it written by a student."""
    l = lesson(students=2)
    student, other = l.students
    source = l.builder.source
    thesis = l.builder.thesis("Minsk hedges")
    other_thesis = l.builder.thesis("Minsk is loyal")
    third_thesis = l.builder.thesis("Minsk is neutral")
    claim, _ = editing.add_claim(thesis, student, "Stations went quiet", "support")
    editing.attach(claim, other_thesis, "oppose", student)  # two places, so it may be detached from one
    quote = Quote.anchor(claim, source, "The relay stations stopped working.", author=student)
    quote.save()
    gone_quote = Quote.anchor(claim, source, "Moscow heard another.", author=student)
    gone_quote.save()
    editing.delete_quote(gone_quote, student)
    gone_claim, _ = editing.add_claim(thesis, student, "A claim taken back", "oppose")
    editing.delete_node(gone_claim, student)
    # Only its author edits, deletes and restores a comment: one of each for each of them.
    comment, gone_comment = {}, {}
    for who, user in (("student", student), ("teacher", l.teacher)):
        comment[who] = comments.post(claim, user, f"Is that so, asks the {who}?")
        gone_comment[who] = comments.post(claim, user, "Never mind")
        comments.delete(gone_comment[who], user)
    hidden = comments.post(claim, other, "Rude remark")
    comments.hide(hidden, l.teacher)
    clutter = ClutterRange.objects.create(map=l.map, source=source, start=0, end=5, created_by=l.teacher)
    gone_clutter = ClutterRange.objects.create(map=l.map, source=source, start=10, end=15, created_by=l.teacher)
    gone_clutter.soft_delete(by=l.teacher)
    unused = Source.objects.create(text="A text nobody quotes, attached to the map.")
    MapSource.objects.create(map=l.map, source=unused, title="Unused")
    public = Source.objects.create(text="A public text anyone may attach.", is_public=True)
    relation = Relation.objects.get(child=claim, parent=thesis)
    for user in (student, l.teacher):  # an impact vote each, to change or withdraw
        votes.cast(access_for(relation.map, user), relation, 1)
    return SimpleNamespace(
        lesson=l, map=l.map, student=student, teacher=l.teacher, thesis=thesis, other_thesis=other_thesis,
        third_thesis=third_thesis,
        claim=claim, quote=quote, gone_quote=gone_quote, gone_claim=gone_claim, comment=comment,
        gone_comment=gone_comment, hidden=hidden, source=source, clutter=clutter, gone_clutter=gone_clutter,
        unused=unused, public=public, relation=relation,
    )


def at(worked_exercise, *nodes) -> str:
    return ".".join(str(n.pk) for n in nodes)


# (url name, url arguments after the map's code, form data), each built from the worked_exercise.
MAP_WRITES = {
    "thesis-add": lambda s, who: ([], {"text": "A new thesis"}),
    "node-reply": lambda s, who: ([s.thesis.pk], {"text": "A new claim", "stance": "support", "path": at(s, s.thesis)}),
    "node-edit": lambda s, who: ([s.claim.pk], {"text": "Edited", "version": 1, "path": at(s, s.thesis, s.claim)}),
    "node-attach": lambda s, who: ([s.claim.pk], {"parent": s.third_thesis.pk, "stance": "oppose",
                                                  "path": at(s, s.thesis, s.claim)}),
    "node-move": lambda s, who: ([s.claim.pk], {"new_parent": s.third_thesis.pk, "stance": "oppose",
                                                "path": at(s, s.thesis, s.claim)}),
    "node-detach": lambda s, who: ([s.claim.pk], {"path": at(s, s.thesis, s.claim)}),
    "node-stance": lambda s, who: ([s.claim.pk], {"stance": "oppose", "path": at(s, s.thesis, s.claim)}),
    "node-delete": lambda s, who: ([s.claim.pk], {"path": at(s, s.thesis, s.claim)}),
    "node-restore": lambda s, who: ([s.gone_claim.pk], {}),
    "quote-delete": lambda s, who: ([s.quote.pk], {}),
    "quote-restore": lambda s, who: ([s.gone_quote.pk], {}),
    "quote-add": lambda s, who: ([s.claim.pk], {"source": s.source.code, "quote": "Moscow heard another."}),
    "evidence-add": lambda s, who: ([s.source.code], {"parent": s.thesis.pk, "stance": "support",
                                                      "claim": "Minsk says one thing twice",
                                                      "quote": "Moscow heard another."}),
    "comment-post": lambda s, who: ([s.claim.pk], {"text": "A new comment"}),
    "comment-edit": lambda s, who: ([s.comment[who].pk], {"text": "Edited comment"}),
    "comment-delete": lambda s, who: ([s.comment[who].pk], {}),
    "comment-restore": lambda s, who: ([s.gone_comment[who].pk], {}),
    "vote-cast": lambda s, who: ([s.relation.pk], {"impact": 3}),
    "vote-withdraw": lambda s, who: ([s.relation.pk], {}),
}
# Only teachers (the map's owners) may do these at all.
TEACHER_WRITES = {
    "comment-hide": lambda s, who: ([s.comment["student"].pk], {}),
    "comment-unhide": lambda s, who: ([s.hidden.pk], {}),
    "source-new": lambda s, who: ([], {"title": "Fresh", "text": "A brand new article text, long enough to keep."}),
    "source-attach": lambda s, who: ([], {"source": s.public.code}),
    "source-edit-details": lambda s, who: ([s.source.code], {"title": "Renamed article"}),
    "source-edit-text": lambda s, who: ([s.unused.code], {"text": "A corrected text nobody quotes."}),
    "source-detach": lambda s, who: ([s.unused.code], {}),
    "clutter-add": lambda s, who: ([s.source.code], {"how": "offsets", "start": 20, "end": 30}),
    "clutter-remove": lambda s, who: ([s.source.code, s.clutter.pk], {}),
    "clutter-restore": lambda s, who: ([s.source.code, s.gone_clutter.pk], {}),
    "source-rate": lambda s, who: ([s.source.code], {"rating": 1, "note": "Partisan", "counts": "on"}),
    "map-settings": lambda s, who: ([], {"title": "Renamed map", "question": "", "visibility": "private"}),
    "map-members": lambda s, who: ([], {"username": s.lesson.co_teacher.username, "role": "viewer"}),
}


def request(worked_exercise, name, builder, who):
    args, data = builder(worked_exercise, who)
    return reverse(name, args=[worked_exercise.map.code, *args]), data


def database(worked_exercise):
    """Every row a write could touch, to show that a refused one touched none."""
    return {
        "nodes": list(Node.objects.order_by("id").values()),
        "relations": list(Relation.objects.order_by("id").values()),
        "quotes": list(Quote.objects.order_by("id").values()),
        "comments": list(Comment.objects.order_by("id").values()),
        "sources": list(Source.objects.order_by("id").values()),
        "map_sources": list(MapSource.objects.order_by("id").values_list("map", "source")),
        "clutter": list(ClutterRange.objects.order_by("id").values()),
        "memberships": list(Membership.objects.order_by("id").values()),
        "votes": list(Vote.objects.order_by("id").values()),
        "ratings": list(SourceRating.objects.order_by("id").values()),
        "changes": Change.objects.count(),
        "map": Map.objects.filter(pk=worked_exercise.map.pk).values("title", "revision", "activity", "visibility").get(),
    }


def close(worked_exercise):
    exercise = worked_exercise.lesson.exercise
    exercise.opens_at = timezone.now() - timedelta(days=2)
    exercise.closes_at = timezone.now() - timedelta(minutes=1)
    exercise.save()


ALL_WRITES = [(name, builder, "teacher") for name, builder in {**MAP_WRITES, **TEACHER_WRITES}.items()] + [
    (name, builder, "student") for name, builder in MAP_WRITES.items()
]


@pytest.mark.parametrize("name, builder, who", ALL_WRITES, ids=[f"{w}-{n}" for n, _, w in ALL_WRITES])
def test_every_write_is_refused_after_closing_with_a_clear_message_and_nothing_changes(client, worked_exercise, name,
                                                                                       builder, who):
    close(worked_exercise)
    client.force_login(getattr(worked_exercise, who))
    url, data = request(worked_exercise, name, builder, who)
    before = database(worked_exercise)
    for htmx in (False, True):
        response = client.post(url, data, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code == 403, response.content.decode()[:500]
        page = response.content.decode()
        assert CLOSED in page and READ_ONLY in page and "(Europe/Minsk)" in page
    assert database(worked_exercise) == before


@pytest.mark.parametrize("name, builder, who", ALL_WRITES, ids=[f"{w}-{n}" for n, _, w in ALL_WRITES])
def test_the_same_writes_go_through_while_the_exercise_is_open(client, worked_exercise, name, builder, who):
    """The control for the test above: the requests are well formed, so only the clock refuses them."""
    client.force_login(getattr(worked_exercise, who))
    url, data = request(worked_exercise, name, builder, who)
    before = database(worked_exercise)
    response = client.post(url, data)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    assert database(worked_exercise) != before


@pytest.mark.parametrize("name, builder", TEACHER_WRITES.items(), ids=list(TEACHER_WRITES))
def test_students_never_manage_sources_or_hide_comments(client, worked_exercise, name, builder):
    client.force_login(worked_exercise.student)
    url, data = request(worked_exercise, name, builder, "student")
    before = database(worked_exercise)
    assert client.post(url, data).status_code == 403
    assert database(worked_exercise) == before


def test_a_closed_map_still_reads_and_shows_no_forms(client, worked_exercise):
    close(worked_exercise)
    client.force_login(worked_exercise.student)
    page = client.get(worked_exercise.map.get_absolute_url()).content.decode()
    assert "Stations went quiet" in page
    assert reverse("thesis-add", args=[worked_exercise.map.code]) not in page
    focus = client.get(reverse("node-focus", args=[worked_exercise.map.code, worked_exercise.claim.pk]))
    assert focus.status_code == 200


def test_the_first_look_at_a_closed_exercise_takes_its_snapshot(client, worked_exercise):
    close(worked_exercise)
    client.force_login(worked_exercise.student)
    assert not Snapshot.objects.exists()
    client.get(reverse("exercise-detail", args=[worked_exercise.lesson.exercise.pk]))
    snapshot = Snapshot.objects.get()
    assert snapshot.map == worked_exercise.map and snapshot.closed_at == worked_exercise.lesson.exercise.closes_at
    assert "Stations went quiet" in {n["text"] for n in snapshot.data["nodes"]}


# Before opening


def not_open_yet(worked_exercise):
    exercise = worked_exercise.lesson.exercise
    exercise.opens_at = timezone.now() + timedelta(days=1)
    exercise.closes_at = timezone.now() + timedelta(days=2)
    exercise.save()


@pytest.mark.parametrize("name, builder", MAP_WRITES.items(), ids=list(MAP_WRITES))
def test_before_opening_students_only_read(client, worked_exercise, name, builder):
    not_open_yet(worked_exercise)
    client.force_login(worked_exercise.student)
    url, data = request(worked_exercise, name, builder, "student")
    before = database(worked_exercise)
    response = client.post(url, data)
    assert response.status_code == 403
    assert "This exercise opens at " in response.content.decode()
    assert database(worked_exercise) == before


def test_before_opening_teachers_prepare_the_map(client, worked_exercise):
    not_open_yet(worked_exercise)
    client.force_login(worked_exercise.lesson.co_teacher)
    response = client.post(reverse("thesis-add", args=[worked_exercise.map.code]), {"text": "Prepared thesis"})
    assert response.status_code == 302
    assert Node.objects.filter(map=worked_exercise.map, text="Prepared thesis").exists()
