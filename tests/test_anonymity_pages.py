"""Anonymity on the map pages: in an anonymous exercise students see each other under pseudonyms on
every page and fragment; teachers see real names; everyone sees their own name."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from argmap import comments, editing
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.evidence import add_evidence
from argmap.models import Membership, Role
from argmap.models import Pseudonym

HX = {"HX-Request": "true"}


@pytest.fixture
def scene(lesson):
    """Student 1 wrote evidence (then edited it), a claim they later deleted, and comments; the
    teacher answered. Student 2 reads, with an editor's role so that every page is open to them."""
    l = lesson(students=2, anonymity=True)
    ensure_pseudonyms(l.exercise)
    writer, reader = l.students
    Membership.objects.create(map=l.map, user=reader, role=Role.EDITOR)
    thesis = l.builder.thesis("Lukashenko is hedging")
    evidence = add_evidence(l.map, writer, l.builder.source, thesis, "support", "Moscow got another message",
                            "Moscow heard another.").node
    evidence = editing.edit_text(evidence, "Moscow got a different message", 1, writer)
    gone, _ = editing.add_claim(thesis, writer, "A claim I took back", "oppose")
    editing.delete_node(gone, writer)
    first = comments.post(evidence, writer, "Is the source reliable?")
    comments.post(evidence, l.teacher, "Good question", reply_to=first)
    comments.post(evidence, writer, "Thanks", reply_to=first)
    alias = Pseudonym.objects.get(exercise=l.exercise, user=writer).name
    return SimpleNamespace(lesson=l, map=l.map, writer=writer, reader=reader, teacher=l.teacher, thesis=thesis,
                           evidence=evidence, gone=gone, alias=alias, source=l.builder.source)


def url(s, name, *args, query=""):
    return reverse(name, args=[s.map.code, *args]) + (f"?{query}" if query else "")


def pages(s):
    quote = s.evidence.quotes.get()
    place = f"{s.thesis.pk}.{s.evidence.pk}"
    return {
        "map page": (s.map.get_absolute_url() + "?expand=all", {}),
        "branch": (url(s, "map-branch", query=f"path={s.thesis.pk}&open={s.thesis.pk}"), HX),
        "focus": (url(s, "node-focus", s.evidence.pk), {}),
        "comments thread": (url(s, "comment-thread", s.evidence.pk, query="panel=comments"), HX),
        "reader": (url(s, "source-reader", s.source.code), {}),
        "passage panel": (url(s, "source-reader", s.source.code, query=f"quote={quote.pk}"),
                          {**HX, "HX-Target": "passage-uses"}),
        "node search": (url(s, "node-search", query="Moscow"), HX),
        "deleted page": (url(s, "map-deleted"), {}),
        "deleted node": (url(s, "node-focus", s.gone.pk), {}),
        "edit form": (url(s, "node-edit", s.evidence.pk, query=f"path={place}"), {}),
        "delete form": (url(s, "node-delete", s.thesis.pk), {}),
    }


def fetch(client, user, s):
    client.force_login(user)
    found = {}
    for name, (address, headers) in pages(s).items():
        response = client.get(address, headers=headers)
        assert response.status_code == 200, name
        found[name] = response.text
    return found


def test_another_student_never_sees_the_real_name(client, scene):
    s = scene
    for name, text in fetch(client, s.reader, s).items():
        assert s.writer.username not in text, name
    seen = fetch(client, s.reader, s)
    assert f"by {s.alias}" in seen["map page"] and f"by {s.alias}" in seen["focus"]
    assert f"<strong>{s.alias}</strong> edited the text" in seen["focus"]  # the history
    assert f"<strong>{s.alias}</strong>" in seen["comments thread"]
    assert f"({s.alias})" in seen["reader"] and f"({s.alias})" in seen["passage panel"]
    assert f"deleted by {s.alias}" in seen["deleted page"] and f"Deleted</strong> by {s.alias}" in seen["deleted node"]
    assert s.teacher.username in seen["comments thread"]  # teachers keep their names


def test_the_teacher_sees_real_names(client, scene):
    s = scene
    seen = fetch(client, s.teacher, s)
    for name in ("map page", "focus", "comments thread", "reader", "deleted page", "deleted node"):
        assert s.writer.username in seen[name] and s.alias not in seen[name], name


def test_a_student_sees_their_own_name(client, scene):
    s = scene
    client.force_login(s.writer)
    focus = client.get(url(s, "node-focus", s.evidence.pk)).text
    assert f"by {s.writer.username}" in focus and f"<strong>{s.writer.username}</strong> edited" in focus
    assert s.alias not in focus


def test_the_edit_conflict_names_the_other_student_by_pseudonym(client, scene):
    s = scene
    client.force_login(s.reader)
    response = client.post(url(s, "node-edit", s.evidence.pk), {"text": "My version", "version": 1})
    assert response.status_code == 409
    assert f"{s.alias} saved a new version" in response.text and s.writer.username not in response.text


def test_a_student_without_a_pseudonym_is_a_student(client, scene):
    s = scene
    Pseudonym.objects.filter(user=s.writer).delete()
    client.force_login(s.reader)
    focus = client.get(url(s, "node-focus", s.evidence.pk)).text
    assert "by a student" in focus and s.writer.username not in focus


def test_without_anonymity_students_see_names(client, lesson):
    l = lesson(anonymity=False)
    thesis = l.builder.thesis()
    node, _ = editing.add_claim(thesis, l.students[0], "Named claim", "support")
    client.force_login(l.students[1])
    assert f"by {l.students[0].username}" in client.get(reverse("node-focus", args=[l.map.code, node.pk])).text


def test_students_do_not_reach_the_members_page(client, scene):
    s = scene
    client.force_login(s.writer)
    assert client.get(reverse("map-members", args=[s.map.code])).status_code == 403
