"""Moderation on the map pages: students' work waits for a teacher, and until then only its author
and the teachers see it, on every page and fragment."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from argmap import editing
from argmap.history import record, snapshot
from argmap.models import Action, Comment, Map, Membership, Node, NodeStatus, Quote, Role
from argmap.models import Decision, Review

HX = {"HX-Request": "true"}
PENDING = "Pending approval"
SECRET = "Pending claim about sabotage"  # the pending node's text: never in another student's page


def add(map_, text, author, under, stance="support", status=NodeStatus.APPROVED, quote=None, source=None):
    node = Node.objects.create(map=map_, text=text, author=author, status=status)
    node.bear_on(under, stance)
    if quote:
        Quote.anchor(node, source, quote).save()
    return node


@pytest.fixture
def scene(lesson):
    """An open, moderated exercise: the teacher's thesis and approved claim `shared`; student 1's
    pending evidence `pending` under the thesis, with a comment of theirs, the teacher's reply
    under it, and `shared` placed under it too."""
    l = lesson(students=2, moderation=True)
    author, other = l.students
    thesis = l.builder.thesis("Lukashenko is hedging")
    shared = l.builder.claim("Approved claim about the army", under=thesis)
    pending = add(l.map, SECRET, author, thesis, status=NodeStatus.PENDING, quote="Moscow heard another.",
                  source=l.builder.source)
    comment = Comment.objects.create(node=pending, author=author, text="My own note")
    below = l.builder.claim("Teacher reply under the pending one", under=pending)
    shared.bear_on(pending, "oppose")
    return SimpleNamespace(lesson=l, map=l.map, author=author, other=other, teacher=l.teacher, thesis=thesis,
                           shared=shared, pending=pending, comment=comment, below=below, source=l.builder.source)


def url(s, name, *args, query=""):
    return reverse(name, args=[s.map.code, *args]) + (f"?{query}" if query else "")


def get(client, user, address, headers=None):
    client.force_login(user)
    return client.get(address, headers=headers or {})


def pages(s):
    """Every page and fragment that could show the pending node, with its headers."""
    quote = s.pending.quotes.get()
    return {
        "map page": (s.map.get_absolute_url(), {}),
        "map page, all open": (s.map.get_absolute_url() + "?expand=all", {}),
        "thesis focus": (url(s, "node-focus", s.thesis.pk), {}),
        "shared focus": (url(s, "node-focus", s.shared.pk), {}),
        "reader": (url(s, "source-reader", s.source.code), {}),
        "reader at the quote": (url(s, "source-reader", s.source.code, query=f"quote={quote.pk}"), {}),
        "passage panel": (url(s, "source-reader", s.source.code, query=f"at={quote.start}"),
                          {**HX, "HX-Target": "passage-uses"}),
        "node search": (url(s, "node-search", query="sabotage"), HX),
        "node search page": (url(s, "node-search", query="Pending"), {}),
        "thesis branch": (url(s, "map-branch", query=f"path={s.thesis.pk}&open={s.thesis.pk}"), HX),
        "shared thread": (url(s, "comment-thread", s.shared.pk, query="panel=comments"), HX),
        "evidence form": (url(s, "evidence-add", s.source.code, query="q=sabotage"), {}),
    }


def test_another_student_sees_the_pending_node_nowhere(client, scene):
    s = scene
    for name, (address, headers) in pages(s).items():
        response = get(client, s.other, address, headers)
        assert response.status_code == 200, name
        assert SECRET not in response.text, name
        assert "Teacher reply under the pending one" not in response.text, name
        assert PENDING not in response.text, name


def test_another_student_gets_404_on_every_url_of_the_pending_node(client, scene):
    s = scene
    p = s.pending
    addresses = [
        url(s, "node-focus", p.pk),
        url(s, "node-focus", s.below.pk),  # hangs only from it
        url(s, "comment-thread", p.pk, query="panel=comments"),
        url(s, "map-branch", query=f"path={s.thesis.pk}.{p.pk}"),
        url(s, "node-reply", p.pk),
        url(s, "node-attach", p.pk, query=f"path={s.thesis.pk}.{p.pk}"),
        url(s, "quote-add", p.pk),
    ]
    for address in addresses:
        assert get(client, s.other, address, HX).status_code == 404, address
    posts = [
        (url(s, "comment-post", p.pk), {"text": "Found you"}),
        (url(s, "comment-edit", s.comment.pk), {"text": "Changed"}),
        (url(s, "comment-hide", s.comment.pk), {}),
        (url(s, "node-reply", p.pk), {"text": "Under it", "stance": "support"}),
        (url(s, "quote-delete", p.quotes.get().pk), {}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 404, address
    assert not Comment.objects.filter(text__in=["Found you", "Changed"]).exists()
    assert not Node.objects.filter(text="Under it").exists()


def test_another_student_cannot_place_anything_under_it(client, scene):
    s = scene
    client.force_login(s.other)
    mine = add(s.map, "Student two's claim", s.other, s.thesis)
    attach = client.post(url(s, "node-attach", mine.pk), {"path": f"{s.thesis.pk}.{mine.pk}", "parent": s.pending.pk,
                                                          "stance": "support"})
    move = client.post(url(s, "node-move", mine.pk), {"path": f"{s.thesis.pk}.{mine.pk}", "new_parent": s.pending.pk,
                                                      "stance": "support"})
    evidence = client.post(url(s, "evidence-add", s.source.code),
                           {"parent": s.pending.pk, "stance": "support", "claim": "Under the hidden one",
                            "quote": "The relay stations stopped working."})
    assert attach.status_code == move.status_code == 404
    assert evidence.status_code == 400 and SECRET not in evidence.text
    assert mine.parent_links.live().count() == 1 and not Node.objects.filter(text="Under the hidden one").exists()


def test_counts_leave_the_pending_node_out_for_others(client, scene):
    s = scene
    other = get(client, s.other, s.map.get_absolute_url()).text
    teacher = get(client, s.teacher, s.map.get_absolute_url()).text
    # thesis, shared | + pending and the teacher's reply under it
    assert "2 nodes ·" in other and "4 nodes ·" in teacher
    assert "1 node below" in other and "3 nodes below" in teacher
    focus = get(client, s.other, url(s, "node-focus", s.thesis.pk)).text
    assert "Supporting (1)" in focus and "1 node below" in focus
    reader = get(client, s.other, url(s, "source-reader", s.source.code)).text
    assert "All quoted passages (0)" in reader


def test_also_under_links_and_history_leave_out_the_pending_parent(client, scene):
    s = scene
    page = get(client, s.other, s.map.get_absolute_url() + "?expand=all").text
    assert "Also in 1 other place" not in page
    editing.attach(s.shared, s.below, "support", s.teacher)  # recorded in the shared node's history
    editing.detach(s.shared, s.below, s.teacher)
    focus = get(client, s.other, url(s, "node-focus", s.shared.pk)).text
    assert "Where it appears" in focus and SECRET not in focus and "Teacher reply under" not in focus
    teacher_focus = get(client, s.teacher, url(s, "node-focus", s.shared.pk)).text
    assert "placed it under “Teacher reply under the pending one” too" in teacher_focus
    assert f"Opposes <a href=\"{url(s, 'node-focus', s.pending.pk)}\">{SECRET}</a>" in teacher_focus


def test_history_leaves_out_a_deleted_pending_parent_too(client, scene):
    s = scene
    hidden = add(s.map, "Another pending one", s.author, s.thesis, status=NodeStatus.PENDING)
    editing.attach(s.shared, hidden, "support", s.teacher)
    editing.delete_node(hidden, s.teacher)
    focus = get(client, s.other, url(s, "node-focus", s.shared.pk)).text
    assert "Another pending one" not in focus
    assert "placed it under “Another pending one” too" in get(client, s.author, url(s, "node-focus", s.shared.pk)).text


def test_the_author_and_the_teacher_see_it_with_the_badge(client, scene):
    s = scene
    for user in (s.author, s.teacher):
        for address, headers in (
            (s.map.get_absolute_url(), {}),
            (url(s, "node-focus", s.pending.pk), {}),
            (url(s, "source-reader", s.source.code), {}),
            (url(s, "map-branch", query=f"path={s.thesis.pk}&open={s.thesis.pk}"), HX),
        ):
            response = get(client, user, address, headers)
            assert response.status_code == 200 and SECRET in response.text, (user, address)
            assert 'class="badge badge--pending">Pending approval' in response.text, (user, address)
        thread = get(client, user, url(s, "comment-thread", s.pending.pk, query="panel=comments"), HX)
        assert "My own note" in thread.text


def test_the_author_sees_a_rejection_with_the_teachers_feedback(client, scene):
    s = scene
    Review.objects.create(exercise=s.lesson.exercise, node=s.pending, decision=Decision.REJECTED,
                          feedback="Too vague", reviewer=s.teacher)
    Review.objects.create(exercise=s.lesson.exercise, node=s.pending, decision=Decision.REJECTED,
                          feedback="Say which source & why", reviewer=s.teacher)
    s.pending.status = NodeStatus.REJECTED
    s.pending.save(update_fields=["status"])
    for user in (s.author, s.teacher):
        for address in (s.map.get_absolute_url(), url(s, "node-focus", s.pending.pk)):
            text = get(client, user, address).text
            assert "badge--rejected\">Rejected" in text and "Say which source &amp; why" in text, address
            assert "Too vague" not in text and PENDING not in text
    for address in (s.map.get_absolute_url(), url(s, "node-focus", s.thesis.pk)):
        text = get(client, s.other, address).text
        assert SECRET not in text and "Say which source" not in text
    assert get(client, s.other, url(s, "node-focus", s.pending.pk)).status_code == 404


# What students add and change


def post(client, user, address, data, headers=None):
    client.force_login(user)
    return client.post(address, data, headers=headers or {})


def test_what_a_student_adds_is_pending_and_what_a_teacher_adds_is_approved(client, scene):
    s = scene
    thesis_url, reply_url = url(s, "thesis-add"), url(s, "node-reply", s.thesis.pk)
    assert post(client, s.other, thesis_url, {"text": "Student thesis"}).status_code == 302
    assert post(client, s.other, reply_url, {"text": "Student reply", "stance": "oppose"}).status_code == 302
    response = post(client, s.other, url(s, "evidence-add", s.source.code),
                    {"parent": s.thesis.pk, "stance": "support", "claim": "Student evidence",
                     "quote": "The relay stations stopped working."})
    assert response.status_code == 302
    post(client, s.teacher, reply_url, {"text": "Teacher reply", "stance": "support"})
    status = dict(Node.objects.filter(map=s.map).values_list("text", "status"))
    assert status["Student thesis"] == status["Student reply"] == status["Student evidence"] == NodeStatus.PENDING
    assert status["Teacher reply"] == NodeStatus.APPROVED
    # The author sees them with the badge; the other student does not see them.
    own = get(client, s.other, s.map.get_absolute_url()).text
    assert "Student reply" in own and own.count(PENDING) == 3
    theirs = get(client, s.author, s.map.get_absolute_url()).text
    assert "Student reply" not in theirs and "Student thesis" not in theirs and "Teacher reply" in theirs


def test_the_reader_says_new_evidence_waits_for_a_teacher(client, scene):
    s = scene
    response = post(client, s.other, url(s, "evidence-add", s.source.code),
                    {"parent": s.thesis.pk, "stance": "support", "claim": "Student evidence",
                     "quote": "The relay stations stopped working."})
    reader = client.get(response["Location"]).text
    assert "once a teacher approves it" in reader and PENDING in reader


def test_without_moderation_students_work_is_approved_at_once(client, lesson):
    l = lesson(moderation=False)
    thesis = l.builder.thesis()
    post(client, l.students[0], reverse("node-reply", args=[l.map.code, thesis.pk]), {"text": "Free", "stance": "support"})
    assert Node.objects.get(text="Free").status == NodeStatus.APPROVED


@pytest.fixture
def approved(scene):
    """Student 1's claim, approved, with student 2 reading the map."""
    s = scene
    s.mine = add(s.map, "Approved student claim", s.author, s.thesis)
    return s


def test_a_students_edit_of_an_approved_node_sends_it_back_and_hides_it(client, approved):
    s = approved
    revision = Map.objects.get(pk=s.map.pk).revision
    response = post(client, s.author, url(s, "node-edit", s.mine.pk),
                    {"text": "Edited student claim", "version": 1, "path": f"{s.thesis.pk}.{s.mine.pk}"})
    assert response.status_code == 302
    s.mine.refresh_from_db()
    assert s.mine.status == NodeStatus.PENDING and s.mine.text == "Edited student claim"
    assert Map.objects.get(pk=s.map.pk).revision > revision
    # Meanwhile the other students see neither version.
    page = get(client, s.other, s.map.get_absolute_url()).text
    assert "Edited student claim" not in page and "Approved student claim" not in page
    assert get(client, s.other, url(s, "node-focus", s.mine.pk)).status_code == 404
    mine = get(client, s.author, url(s, "node-focus", s.mine.pk)).text
    assert "Edited student claim" in mine and PENDING in mine


@pytest.mark.parametrize("change", ["stance", "move", "quote", "attach", "detach"])
def test_a_students_other_changes_send_it_back_too(client, approved, change):
    s = approved
    place = f"{s.thesis.pk}.{s.mine.pk}"
    client.force_login(s.author)
    if change == "stance":
        response = client.post(url(s, "node-stance", s.mine.pk), {"path": place, "stance": "oppose"})
    elif change == "move":
        response = client.post(url(s, "node-move", s.mine.pk), {"path": place, "new_parent": s.shared.pk,
                                                                 "stance": "support"})
    elif change == "quote":
        response = client.post(url(s, "quote-add", s.mine.pk), {"source": s.source.code,
                                                                 "quote": "The relay stations stopped working."})
    elif change == "attach":
        response = client.post(url(s, "node-attach", s.mine.pk), {"path": place, "parent": s.shared.pk,
                                                                   "stance": "support"})
    else:
        s.mine.bear_on(s.shared, "support")
        response = client.post(url(s, "node-detach", s.mine.pk), {"path": place})
    assert response.status_code == 302
    s.mine.refresh_from_db()
    assert s.mine.status == NodeStatus.PENDING
    assert "Approved student claim" not in get(client, s.other, s.map.get_absolute_url() + "?expand=all").text


def test_a_teachers_edit_leaves_the_status_alone(client, approved):
    s = approved
    post(client, s.teacher, url(s, "node-edit", s.mine.pk), {"text": "Teacher fixed a typo", "version": 1})
    post(client, s.teacher, url(s, "node-edit", s.pending.pk), {"text": "Teacher edit of pending", "version": 1})
    s.mine.refresh_from_db()
    s.pending.refresh_from_db()
    assert s.mine.status == NodeStatus.APPROVED and s.pending.status == NodeStatus.PENDING
    assert "Teacher fixed a typo" in get(client, s.other, s.map.get_absolute_url()).text


def test_under_moderation_students_place_only_their_own_claims(client, approved):
    s = approved
    client.force_login(s.other)
    address = url(s, "node-attach", s.shared.pk)
    response = client.post(address, {"path": f"{s.thesis.pk}.{s.shared.pk}", "parent": s.mine.pk,
                                     "stance": "support"})
    assert response.status_code == 403 and "only your own claims" in response.text
    assert s.shared.parent_links.live().count() == 2  # the thesis and the pending node, unchanged
    page = client.get(s.map.get_absolute_url() + "?expand=all").text
    assert f'href="{address}' not in page


def test_a_student_editor_does_not_see_others_pending_nodes_on_the_deleted_page(client, scene):
    s = scene
    Membership.objects.create(map=s.map, user=s.other, role=Role.EDITOR)
    gone = add(s.map, "Deleted approved claim", s.teacher, s.thesis)
    for node in (s.pending, gone):
        node.soft_delete(by=s.teacher)
    page = get(client, s.other, url(s, "map-deleted"))
    assert page.status_code == 200 and "Deleted approved claim" in page.text and SECRET not in page.text
    assert get(client, s.other, url(s, "node-focus", s.pending.pk)).status_code == 404
    assert client.post(url(s, "node-restore", s.pending.pk)).status_code == 404
    teacher = get(client, s.teacher, url(s, "map-deleted")).text
    assert SECRET in teacher and PENDING in teacher


def test_deleting_over_someone_elses_pending_node_does_not_show_its_text(client, approved):
    s = approved
    add(s.map, "Hidden reply by student two", s.other, s.mine, status=NodeStatus.PENDING)
    response = get(client, s.author, url(s, "node-delete", s.mine.pk, query=f"path={s.thesis.pk}.{s.mine.pk}"))
    assert response.status_code == 200
    assert "Hidden reply by student two" not in response.text and "1 awaiting a teacher" in response.text


def test_the_history_says_a_decision_in_words_without_a_text_change(client, scene):
    s = scene
    before = {**snapshot(s.pending), "status": NodeStatus.PENDING}
    s.pending.status = NodeStatus.APPROVED
    s.pending.save(update_fields=["status"])
    # What a teacher's approval records (argmap.classroom.moderation).
    record(s.map, s.teacher, Action.EDIT, s.pending, before=before, after={**snapshot(s.pending), "status": "approved"})
    focus = get(client, s.other, url(s, "node-focus", s.pending.pk)).text
    assert f"<strong>{s.teacher.username}</strong> approved it" in focus
    assert "text-before" not in focus
