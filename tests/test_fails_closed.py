"""The access rule fails closed: on a moderated exercise, student B's pending work appears on none of
student A's pages, fragments or exports, and code that skips the permission check cannot load a
map's contents at all (what a reader sees is decided by their Access, never by a bare Map)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from argmap import browsing, editing, evidence, live, votes
from argmap.access import access_for
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Comment, Membership, NodeStatus, Relation, Role
from argmap.permissions import comment_for, node_for, quote_for

HX = {"HX-Request": "true"}
# Student B's pending work: none of these words may reach student A.
PENDING_CLAIM = "Zanzibar pending claim of student two"
PENDING_PARENT = "Quokka pending parent of student two"
CHILD_OF_PENDING = "Narwhal approved child under the pending parent"
PENDING_EVIDENCE = "Axolotl pending evidence of student two"
DELETED_PENDING = "Wombat deleted pending claim of student two"
COMMENT_ON_PENDING = "Okapi comment on the pending claim"
SECRETS = (PENDING_CLAIM, PENDING_PARENT, CHILD_OF_PENDING, PENDING_EVIDENCE, DELETED_PENDING, COMMENT_ON_PENDING)


@pytest.fixture
def scene(lesson):
    """A moderated, open exercise. The teacher's thesis and approved claim; A (an editor too, so the
    deleted page and every form are open to them) wrote an approved claim and voted; B's pending
    claim, pending parent with the teacher's approved child, pending evidence quoting the source,
    a deleted pending claim, and a comment on the pending claim."""
    l = lesson(students=2, moderation=True)
    a, b = l.students
    Membership.objects.create(map=l.map, user=a, role=Role.EDITOR)
    source = l.builder.source
    thesis = l.builder.thesis("Lukashenko is hedging")
    shared = l.builder.claim("Approved claim about the army", under=thesis, quote="Moscow heard another.")
    mine, _ = editing.add_claim(thesis, a, "Student one's own claim", "oppose")
    mine.status = NodeStatus.APPROVED
    mine.save(update_fields=["status"])
    pending, _ = editing.add_claim(thesis, b, PENDING_CLAIM, "support", moderated=True)
    parent, _ = editing.add_claim(shared, b, PENDING_PARENT, "oppose", moderated=True)
    child, _ = editing.add_claim(parent, l.teacher, CHILD_OF_PENDING, "support")
    found = evidence.add_evidence(l.map, b, source, thesis, "support", PENDING_EVIDENCE,
                                  "The relay stations stopped working.", moderated=True)
    gone, _ = editing.add_claim(thesis, b, DELETED_PENDING, "support", moderated=True)
    editing.delete_node(gone, b)
    comment = Comment.objects.create(node=pending, author=b, text=COMMENT_ON_PENDING)
    l.map.voting = True
    l.map.save(update_fields=["voting"])
    l.map.refresh_from_db()
    votes.cast(access_for(l.map, a), Relation.objects.get(child=shared, parent=thesis), 3)
    return SimpleNamespace(lesson=l, map=l.map, a=a, b=b, teacher=l.teacher, source=source, thesis=thesis,
                           shared=shared, mine=mine, pending=pending, parent=parent, child=child,
                           evidence=found.node, quote=found.quote, gone=gone, comment=comment)


def url(s, name, *args, query=""):
    return reverse(name, args=[s.map.code, *args]) + (f"?{query}" if query else "")


def shown_to_a(s) -> dict:
    """Every page, fragment and export that shows the map's content, as A may fetch it (200)."""
    map_url = s.map.get_absolute_url()
    pages = {
        "map page": (map_url, {}),
        "map page, all open": (map_url + "?expand=all", {}),
        "map trees fragment": (map_url + "?expand=all", {**HX, "HX-Target": "trees"}),
        "thesis branch": (url(s, "map-branch", query=f"path={s.thesis.pk}&expand=all"), HX),
        "shared branch": (url(s, "map-branch", query=f"path={s.thesis.pk}.{s.shared.pk}&expand=all"), HX),
        "thesis focus": (url(s, "node-focus", s.thesis.pk), {}),
        "shared focus (parent of a pending node)": (url(s, "node-focus", s.shared.pk), {}),
        "own claim focus": (url(s, "node-focus", s.mine.pk), {}),
        "node search": (url(s, "node-search", query="student"), HX),
        "node search page": (url(s, "node-search", query="pending"), {}),
        "thesis comments": (url(s, "comment-thread", s.thesis.pk, query="panel=comments"), HX),
        "deleted page": (url(s, "map-deleted"), {}),
        "judging": (url(s, "map-judge"), {}),
        "coverage": (url(s, "map-coverage"), {}),
        "my votes": (url(s, "my-votes"), {}),
        "export page": (url(s, "map-export"), {}),
        "evidence form": (url(s, "evidence-add", s.source.code, query="q=student"), {}),
        "reply form": (url(s, "node-reply", s.thesis.pk), {}),
        "move form picker": (url(s, "node-move", s.mine.pk, query=f"path={s.thesis.pk}.{s.mine.pk}&q=student"), {}),
        "attach form picker": (url(s, "node-attach", s.mine.pk, query="q=pending"), {}),
        "delete form (what would go)": (url(s, "node-delete", s.thesis.pk), {}),
        "activity poll": (reverse("map-activity", args=[s.map.code])
                          + f"?token={live.make_token(s.map, s.a)}&since=0", {}),
    }
    for source in s.map.sources.all():
        pages[f"reader of {source.code}"] = (url(s, "source-reader", source.code), {})
        pages[f"reader of {source.code}, passage panel"] = (
            url(s, "source-reader", source.code, query=f"at={s.quote.start}"), {**HX, "HX-Target": "passage-uses"})
        pages[f"coverage of {source.code}"] = (url(s, "source-coverage", source.code), {})
    for name in FORMATS:
        pages[f"{name} export"] = (url(s, "map-download", name, query="download=1"), {})
        pages[f"{name} export, anonymized"] = (url(s, "map-download", name, query="download=1&anonymize=1"), {})
    return pages


def test_it_shows_a_student_none_of_another_students_pending_work_anywhere(client, scene):
    s = scene
    client.force_login(s.a)
    for name, (address, headers) in shown_to_a(s).items():
        response = client.get(address, headers=headers)
        assert response.status_code == 200, name
        text = response.content.decode()
        assert [secret for secret in SECRETS if secret in text] == [], name


def test_it_answers_404_to_a_student_on_every_address_of_another_students_pending_work(client, scene):
    s = scene
    client.force_login(s.a)
    for node in (s.pending, s.parent, s.child, s.evidence, s.gone):
        for address in (url(s, "node-focus", node.pk), url(s, "comment-thread", node.pk, query="panel=comments"),
                        url(s, "map-branch", query=f"path={s.thesis.pk}.{node.pk}")):
            assert client.get(address, headers=HX).status_code == 404, (node.text, address)
    assert client.post(url(s, "quote-delete", s.quote.pk)).status_code == 404
    assert client.post(url(s, "comment-delete", s.comment.pk)).status_code == 404


def test_it_shows_the_teacher_every_pending_node(client, scene):
    s = scene
    client.force_login(s.teacher)
    page = client.get(s.map.get_absolute_url() + "?expand=all").content.decode()
    backup = client.get(url(s, "map-download", "json")).content.decode()
    for secret in (PENDING_CLAIM, PENDING_PARENT, CHILD_OF_PENDING, PENDING_EVIDENCE):
        assert secret in page and secret in backup
    assert DELETED_PENDING in client.get(url(s, "map-deleted")).content.decode()


@pytest.mark.parametrize("load", [
    pytest.param(lambda map_, node: browsing.load_graph(map_), id="load_graph"),
    pytest.param(lambda map_, node: browsing.read_graph(map_), id="read_graph"),
    pytest.param(lambda map_, node: browsing.hides(map_, node), id="hides"),
    pytest.param(lambda map_, node: browsing.unseen(map_), id="unseen"),
    pytest.param(lambda map_, node: MapExport.load(map_), id="export"),
    pytest.param(lambda map_, node: node_for(map_, node.pk), id="node_for"),
])
def test_it_refuses_to_load_a_map_for_nobody_in_particular(scene, load):
    """The old path: a Map that never went through the permission check showed everything."""
    with pytest.raises(TypeError):
        load(scene.map, scene.pending)


def test_its_lookups_hide_another_students_pending_work(scene):
    s = scene
    from django.http import Http404

    a, b = access_for(s.map, s.a), access_for(s.map, s.b)
    for lookup, target in ((node_for, s.pending), (quote_for, s.quote), (comment_for, s.comment)):
        with pytest.raises(Http404):
            lookup(a, target.pk)
        assert lookup(b, target.pk).pk == target.pk
    assert s.pending.pk not in browsing.load_graph(a) and s.pending.pk in browsing.load_graph(b)
