"""Comments on nodes: posting, replying, editing, deleting, restoring, hiding, as each role sees them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.core.exceptions import ValidationError
from django.urls import reverse

from argmap import comments
from argmap.access import access_for
from argmap.models import Action, Change, Comment, Visibility

from tests.conftest import Site
from tests.helpers import htmx, log_in


class Setup(Site):
    """The shared Site with the comment pages' URLs."""

    def focus(self, node=None):
        return reverse("node-focus", args=[self.map.code, (node or self.claim).pk])

    def post_url(self, node=None):
        return reverse("comment-post", args=[self.map.code, (node or self.claim).pk])

    def url(self, name, comment):
        return reverse(name, args=[self.map.code, comment.pk])

    def thread_url(self, node=None, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return reverse("comment-thread", args=[self.map.code, (node or self.claim).pk]) + (f"?{query}" if query else "")

    def comment(self, role="contributor", text="A first comment", **fields):
        return Comment.objects.create(node=fields.pop("node", self.claim), author=self.user(role), text=text, **fields)


@pytest.fixture
def setup(build, people):
    return Setup(build(), people)


def focus_html(client, setup, node=None) -> str:
    response = client.get(setup.focus(node))
    assert response.status_code == 200
    return response.content.decode()


# The domain module


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * 5001, "at most 5,000"),
        ("bad \x00 byte", "NUL"),
        ("half a pair \ud800 here", "lone surrogate"),
    ],
)
def test_it_refuses_empty_overlong_nul_and_surrogate_text(text, message):
    with pytest.raises(ValidationError) as refused:
        comments.clean_text(text)
    assert message in " ".join(refused.value.messages)


def test_it_counts_a_line_break_as_one_character():
    text = "a\r\n" * 2500  # 7,500 characters as sent, 5,000 once line breaks are "\n"
    assert comments.clean_text(text[:-2]) == ("a\n" * 2500)[:-1]


def test_it_links_web_addresses_escapes_html_and_never_links_javascript():
    html = comments.linkify('See https://example.org/a?b=1&c=2 and <script>alert(1)</script>\njavascript:alert(2)')
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>javascript:alert(2)" in html
    assert "<script>" not in html and 'href="javascript' not in html


def test_it_keeps_a_thread_round_deleted_and_hidden_comments(setup):
    first = setup.comment("contributor", "First")
    reply = setup.comment("viewer", "Reply", reply_to=first)
    lone = setup.comment("viewer", "Lonely")
    comments.delete(first, setup.user("contributor"))
    comments.delete(lone, setup.user("viewer"))
    comments.hide(reply, setup.user("editor"))

    def seen_by(role):
        rows = Comment.objects.filter(node=setup.claim).order_by("id")
        return comments.discussion(rows, access_for(setup.map, setup.user(role)))

    stranger = seen_by("editor")
    [root] = stranger.roots  # the lonely deleted comment is gone, the deleted parent stays
    assert root.state == "deleted" and not root.can_restore and root.html is None
    assert root.replies[0].marked_hidden and "Reply" in root.replies[0].html
    assert stranger.count == 1
    outsider = seen_by("outsider").roots[0].replies[0]
    assert outsider.state == "hidden" and outsider.html is None
    author = seen_by("viewer")
    assert [e.comment.text for e in author.roots] == ["First", "Lonely"]  # she may restore her own
    assert author.roots[1].can_restore and author.roots[0].replies[0].html


# Posting


@pytest.mark.parametrize("role", ["owner", "editor", "contributor", "viewer"])
def test_it_lets_each_role_post_a_comment_and_records_it(client, setup, role):
    log_in(client, setup.user(role))
    response = client.post(setup.post_url(), {"text": f"Said by the {role}"})
    comment = Comment.objects.get(text=f"Said by the {role}")
    assert response.status_code == 302 and response.url == f"{setup.focus()}#comment-{comment.pk}"
    assert comment.author == setup.user(role) and comment.node == setup.claim
    change = Change.objects.get(target_type="comment", target_id=comment.pk)
    assert change.action == Action.CREATE and change.actor == setup.user(role) and change.node_id == setup.claim.pk
    assert change.after["text"] == f"Said by the {role}"
    assert f"Said by the {role}" in focus_html(client, setup)


def test_it_refuses_viewers_when_the_map_turns_their_comments_off(client, setup):
    setup.map.viewers_can_comment = False
    setup.map.save()
    log_in(client, setup.user("viewer"))
    assert client.post(setup.post_url(), {"text": "Let me in"}).status_code == 403
    assert "turned off comments by viewers" in focus_html(client, setup)
    assert "Add a comment" not in focus_html(client, setup)
    assert not Comment.objects.exists()


def test_it_refuses_people_without_a_role_and_sends_anonymous_ones_to_log_in(client, setup):
    log_in(client, setup.user("outsider"))
    assert client.post(setup.post_url(), {"text": "Drive-by"}).status_code == 403
    assert "Only people with a role on this map may comment" in focus_html(client, setup)
    client.logout()
    response = client.post(setup.post_url(), {"text": "Drive-by"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.post(setup.post_url(), {"text": "Drive-by"}, headers=htmx("comments")).status_code == 403
    assert ">Log in</a> to comment" in focus_html(client, setup)
    assert not Comment.objects.exists()


def test_it_answers_404_on_a_private_map_to_people_without_a_role(client, build, people):
    private = Setup(build(Visibility.PRIVATE), people)
    comment = private.comment("contributor")
    log_in(client, private.user("outsider"))
    assert client.post(private.post_url(), {"text": "Hello"}).status_code == 404
    assert client.get(private.thread_url(), headers=htmx("comments")).status_code == 404
    for name in ("comment-edit", "comment-delete", "comment-restore", "comment-hide", "comment-unhide"):
        assert client.post(private.url(name, comment), {"text": "x"}).status_code == 404, name


def test_it_answers_404_for_nodes_and_comments_that_are_not_live_in_this_map(client, setup, build, people):
    other = Setup(build(), people)
    foreign = other.comment("contributor")
    log_in(client, setup.user("owner"))
    assert client.post(setup.post_url(other.claim), {"text": "Hi"}).status_code == 404
    assert client.post(reverse("comment-post", args=[setup.map.code, 999999]), {"text": "Hi"}).status_code == 404
    for name in ("comment-edit", "comment-delete", "comment-restore", "comment-hide", "comment-unhide"):
        assert client.post(setup.url(name, foreign), {"text": "x"}).status_code == 404, name
    setup.claim.soft_delete()
    assert client.post(setup.post_url(), {"text": "Hi"}).status_code == 404
    assert not Comment.objects.filter(node=setup.claim).exists()


def test_it_answers_405_to_a_get_on_the_forms(client, setup):
    comment = setup.comment()
    log_in(client, setup.user("contributor"))
    assert client.get(setup.post_url()).status_code == 405
    for name in ("comment-edit", "comment-delete", "comment-restore", "comment-hide", "comment-unhide"):
        assert client.get(setup.url(name, comment)).status_code == 405, name


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the comment is empty"),
        ("  \r\n  ", "the comment is empty"),
        ("y" * 5001, "at most 5,000 characters (this one has 5001)"),
        ("nul \x00 here", "NUL character"),
    ],
)
def test_it_refuses_bad_text_with_a_message_and_saves_nothing(client, setup, text, message):
    log_in(client, setup.user("contributor"))
    response = client.post(setup.post_url(), {"text": text})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Comment.objects.exists() and not Change.objects.filter(target_type="comment").exists()


def test_it_keeps_the_text_of_a_refused_comment_in_the_form(client, setup):
    log_in(client, setup.user("contributor"))
    long_text = "<b>keep me</b> " + "z" * 5000
    page = client.post(setup.post_url(), {"text": long_text})
    assert page.status_code == 400 and "&lt;b&gt;keep me&lt;/b&gt;" in page.content.decode()
    fragment = client.post(setup.post_url(), {"text": long_text}, headers=htmx("comments"))
    html = fragment.content.decode()
    assert fragment.status_code == 400 and fragment["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<section id="comments"')
    assert "at most 5,000 characters" in html and "&lt;b&gt;keep me&lt;/b&gt;" in html


def test_it_never_stores_invalid_unicode_sent_as_raw_bytes(client, setup):
    log_in(client, setup.user("contributor"))
    body = "text=".encode() + "\ud800".encode("utf-8", "surrogatepass") + b"%ED%A0%80"
    response = client.post(setup.post_url(), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    for comment in Comment.objects.all():
        comments.clean_text(comment.text)  # nothing stored that would be refused


def test_it_shows_html_escaped_and_links_clickable_but_not_javascript(client, setup):
    log_in(client, setup.user("contributor"))
    text = "<script>alert('x')</script> read https://example.org/report and javascript:alert(1)"
    client.post(setup.post_url(), {"text": text})
    html = focus_html(client, setup)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "<script>alert" not in html
    assert '<a href="https://example.org/report" rel="nofollow">https://example.org/report</a>' in html
    assert 'href="javascript:' not in html


def test_it_answers_htmx_with_the_thread_including_the_new_comment(client, setup):
    log_in(client, setup.user("contributor"))
    response = client.post(setup.post_url(), {"text": "Inline please"}, headers=htmx("comments"))
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="comments"')
    assert "Inline please" in html and "Comments (1)" in html and "<html" not in html


# Replies


def test_it_nests_replies_to_replies(client, setup):
    first = setup.comment("contributor", "Question")
    log_in(client, setup.user("viewer"))
    client.post(setup.post_url(), {"text": "Answer", "reply_to": first.pk})
    answer = Comment.objects.get(text="Answer")
    client.post(setup.post_url(), {"text": "Follow-up", "reply_to": answer.pk})
    assert answer.reply_to == first and Comment.objects.get(text="Follow-up").reply_to == answer
    html = focus_html(client, setup)
    question_at, answer_at, follow_at = (html.index(t) for t in ("Question", "Answer", "Follow-up"))
    assert question_at < answer_at < follow_at
    assert html.count('class="comments replies"') == 2


def test_it_refuses_a_reply_to_a_comment_of_another_node_or_map(client, setup, build, people):
    elsewhere = setup.comment("contributor", "On the thesis", node=setup.thesis)
    other_map = Setup(build(), people).comment("contributor", "Other map")
    log_in(client, setup.user("contributor"))
    for target in (elsewhere.pk, other_map.pk, 999999, "abc"):
        response = client.post(setup.post_url(), {"text": "Misplaced", "reply_to": target})
        assert response.status_code == 400, target
    assert "same node" in client.post(setup.post_url(), {"text": "x", "reply_to": elsewhere.pk}).content.decode()
    assert not Comment.objects.filter(text="Misplaced").exists()


def test_it_refuses_a_reply_to_a_deleted_comment(client, setup):
    gone = setup.comment("contributor", "Gone soon")
    comments.delete(gone, setup.user("contributor"))
    log_in(client, setup.user("editor"))
    response = client.post(setup.post_url(), {"text": "Too late", "reply_to": gone.pk})
    assert response.status_code == 400 and "was deleted" in response.content.decode()


def test_it_shows_a_refused_reply_inside_its_own_form(client, setup):
    first = setup.comment("contributor", "Question")
    log_in(client, setup.user("viewer"))
    response = client.post(setup.post_url(), {"text": "", "reply_to": first.pk}, headers=htmx("comments"))
    html = response.content.decode()
    assert response.status_code == 400
    reply_form_at = html.index(f'id="reply-{first.pk}"')
    # The error sits in that comment's reply form, which is open, and nowhere else.
    opened = html.rindex("<details", 0, reply_form_at)
    assert html.startswith('<details class="comment-disclosure" open>', opened)
    assert opened < html.index("the comment is empty") < reply_form_at
    assert html.count("the comment is empty") == 1


# Editing


def test_it_lets_the_author_edit_and_marks_the_comment_edited(client, setup):
    comment = setup.comment("contributor", "Frist draft")
    log_in(client, setup.user("contributor"))
    response = client.post(setup.url("comment-edit", comment), {"text": "First draft"})
    assert response.status_code == 302 and response.url.endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.text == "First draft" and comment.edited_at is not None
    change = Change.objects.get(target_type="comment", action=Action.EDIT)
    assert change.before["text"] == "Frist draft" and change.after["text"] == "First draft"
    assert "(edited)" in focus_html(client, setup)


def test_it_records_nothing_when_an_edit_changes_nothing(client, setup):
    comment = setup.comment("contributor", "Same")
    log_in(client, setup.user("contributor"))
    assert client.post(setup.url("comment-edit", comment), {"text": "Same"}).status_code == 302
    comment.refresh_from_db()
    assert comment.edited_at is None and not Change.objects.filter(action=Action.EDIT).exists()


@pytest.mark.parametrize("role", ["owner", "editor", "viewer", "outsider"])
def test_it_lets_nobody_but_the_author_edit(client, setup, role):
    comment = setup.comment("contributor", "Mine")
    log_in(client, setup.user(role))
    assert client.post(setup.url("comment-edit", comment), {"text": "Yours now"}).status_code == 403
    assert client.post(setup.url("comment-delete", comment)).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Mine" and not comment.is_deleted


def test_it_stops_a_viewer_editing_once_viewer_comments_are_off(client, setup):
    comment = setup.comment("viewer", "Before the rule")
    setup.map.viewers_can_comment = False
    setup.map.save()
    log_in(client, setup.user("viewer"))
    assert client.post(setup.url("comment-edit", comment), {"text": "After"}).status_code == 403


def test_it_refuses_to_edit_a_hidden_or_deleted_comment(client, setup):
    hidden = setup.comment("contributor", "Rude")
    comments.hide(hidden, setup.user("editor"))
    deleted = setup.comment("contributor", "Gone")
    comments.delete(deleted, setup.user("contributor"))
    log_in(client, setup.user("contributor"))
    assert client.post(setup.url("comment-edit", hidden), {"text": "Polite"}).status_code == 403
    response = client.post(setup.url("comment-edit", deleted), {"text": "Back"})
    assert response.status_code == 400 and "restore it" in response.content.decode()


def test_it_refuses_a_bad_edit_and_keeps_the_comment(client, setup):
    comment = setup.comment("contributor", "Fine")
    log_in(client, setup.user("contributor"))
    response = client.post(setup.url("comment-edit", comment), {"text": "\x00"}, headers=htmx("comments"))
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    assert '<details class="comment-disclosure" open>' in response.content.decode()
    comment.refresh_from_db()
    assert comment.text == "Fine"


# Deleting and restoring


def test_it_lets_the_author_delete_and_restore(client, setup):
    comment = setup.comment("contributor", "Second thoughts")
    log_in(client, setup.user("contributor"))
    assert client.post(setup.url("comment-delete", comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted and comment.deleted_by == setup.user("contributor")
    html = focus_html(client, setup)
    assert "You deleted this comment." in html and "Second thoughts" not in html and "Comments (0)" in html
    assert client.post(setup.url("comment-restore", comment)).status_code == 302
    comment.refresh_from_db()
    assert not comment.is_deleted and "Second thoughts" in focus_html(client, setup)
    actions = list(Change.objects.filter(target_id=comment.pk, target_type="comment").values_list("action", flat=True))
    assert actions == [Action.DELETE, Action.RESTORE]


def test_it_records_a_second_delete_only_once(client, setup):
    comment = setup.comment("contributor")
    log_in(client, setup.user("contributor"))
    client.post(setup.url("comment-delete", comment))
    client.post(setup.url("comment-delete", comment))
    assert Change.objects.filter(action=Action.DELETE).count() == 1


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_it_lets_nobody_else_restore_a_deleted_comment(client, setup, role):
    comment = setup.comment("contributor")
    comments.delete(comment, setup.user("contributor"))
    log_in(client, setup.user(role))
    assert client.post(setup.url("comment-restore", comment)).status_code == 403
    assert Comment.objects.get(pk=comment.pk).is_deleted


def test_it_shows_a_deleted_comment_with_replies_as_a_placeholder_and_drops_one_without(client, setup):
    parent = setup.comment("contributor", "Parent text")
    setup.comment("viewer", "Child text", reply_to=parent)
    lone = setup.comment("contributor", "Lone text")
    for comment in (parent, lone):
        comments.delete(comment, setup.user("contributor"))
    for role in ("owner", "viewer", "outsider"):
        client.logout()
        log_in(client, setup.user(role))
        html = focus_html(client, setup)
        assert "Comment deleted." in html and "Child text" in html, role
        assert "Parent text" not in html and "Lone text" not in html and "Comments (1)" in html, role
    client.logout()
    html = focus_html(client, setup)
    assert html.count("Comment deleted.") == 1


def test_it_restores_from_the_history_panel_back_to_where_it_was(client, setup):
    comment = setup.comment("contributor")
    comments.delete(comment, setup.user("contributor"))
    log_in(client, setup.user("contributor"))
    back = setup.focus() + "#history"
    response = client.post(setup.url("comment-restore", comment), {"next": back})
    assert response.status_code == 302 and response.url == back
    comments.delete(comment, setup.user("contributor"))
    response = client.post(setup.url("comment-restore", comment), {"next": "https://evil.example/"})
    assert response.url == f"{setup.focus()}#comment-{comment.pk}"
    comments.delete(comment, setup.user("contributor"))
    from_history = {"HX-Request": "true", "HX-Target": "history"}
    response = client.post(setup.url("comment-restore", comment), headers=from_history)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert not Comment.objects.get(pk=comment.pk).is_deleted


@pytest.mark.parametrize("target", ["x", "map-list", "http://testserver/maps/"])
def test_every_comment_form_goes_back_only_to_a_path_given_as_next(client, setup, target):
    """A bare word was taken for a view name: the change was saved, then a 500 answered."""
    owner = setup.user("owner")
    mine, theirs = setup.comment("owner", "Mine"), setup.comment("contributor", "Theirs")
    gone = setup.comment("owner", "Gone")
    comments.delete(gone, owner)
    hidden = setup.comment("viewer", "Hidden")
    comments.hide(hidden, owner)
    log_in(client, owner)
    focus = setup.focus()
    for url, data in (
        (reverse("comment-post", args=[setup.map.code, setup.claim.pk]), {"text": "New one"}),
        (setup.url("comment-edit", mine), {"text": "Mine, edited"}),
        (setup.url("comment-restore", gone), {}),
        (setup.url("comment-hide", theirs), {}),
        (setup.url("comment-unhide", hidden), {}),
        (setup.url("comment-delete", mine), {}),
    ):
        response = client.post(url, {**data, "next": target})
        assert response.status_code == 302 and response.url.startswith(focus + "#comment"), url
    texts = dict(Comment.objects.values_list("text", "deleted_at"))
    assert "New one" in texts and texts["Mine, edited"] is not None and texts["Gone"] is None
    assert not Comment.objects.get(pk=hidden.pk).hidden_at and Comment.objects.get(pk=theirs.pk).hidden_at
    response = client.post(reverse("comment-post", args=[setup.map.code, setup.claim.pk]),
                           {"text": "One more", "next": "/maps/"})
    assert response.url == "/maps/"


# Hiding


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_it_lets_owners_and_editors_hide_and_unhide(client, setup, role):
    comment = setup.comment("contributor", "Off-topic rant")
    log_in(client, setup.user(role))
    assert client.post(setup.url("comment-hide", comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.hidden_by == setup.user(role)
    html = focus_html(client, setup)
    assert "Off-topic rant" in html and "Hidden by a moderator" in html and "Unhide" in html
    assert client.post(setup.url("comment-unhide", comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is None
    actions = list(Change.objects.filter(target_type="comment").values_list("action", "actor"))
    assert actions == [(Action.HIDE, setup.user(role).pk), (Action.UNHIDE, setup.user(role).pk)]


@pytest.mark.parametrize("role", ["contributor", "viewer", "outsider"])
def test_it_lets_nobody_else_hide(client, setup, role):
    comment = setup.comment("owner", "Teacher's note")
    log_in(client, setup.user(role))
    assert client.post(setup.url("comment-hide", comment)).status_code == 403
    assert client.post(setup.url("comment-unhide", comment)).status_code == 403
    assert Comment.objects.get(pk=comment.pk).hidden_at is None


def test_it_shows_a_hidden_comment_as_a_placeholder_to_others_and_keeps_its_replies(client, setup):
    rant = setup.comment("contributor", "Off-topic rant")
    setup.comment("viewer", "Calm reply", reply_to=rant)
    comments.hide(rant, setup.user("editor"))
    for role in ("viewer", "outsider", None):
        client.logout()
        if role:
            log_in(client, setup.user(role))
        html = focus_html(client, setup)
        assert "Off-topic rant" not in html and "Hidden by a moderator." in html and "Calm reply" in html, role
        assert "Comments (2)" in html
    client.logout()
    log_in(client, setup.user("contributor"))  # the author still reads what was hidden, marked
    html = focus_html(client, setup)
    assert "Off-topic rant" in html and '<span class="comment-flag">Hidden by a moderator</span>' in html
    assert f'id="edit-{rant.pk}"' not in html


# The thread panel (the tree opens it under a row)


def test_it_serves_the_thread_to_htmx_under_the_rows_own_id(client, setup):
    setup.comment("contributor", "Panel comment")
    log_in(client, setup.user("viewer"))
    panel = f"node-{setup.thesis.pk}-{setup.claim.pk}-comments"
    response = client.get(setup.thread_url(panel=panel), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and f'<section id="{panel}"' in html
    assert "Panel comment" in html and f'id="{panel}-new-comment"' in html and "<h3" in html
    assert f'data-live-url="{setup.thread_url(panel=panel)}"' in html
    odd = client.get(setup.thread_url(panel="x%22onload%3D"), headers={"HX-Request": "true"}).content.decode()
    assert '<section id="comments"' in odd and "onload" not in odd


def test_it_answers_a_post_from_a_tree_panel_with_that_panel(client, setup):
    log_in(client, setup.user("contributor"))
    panel = f"node-{setup.thesis.pk}-{setup.claim.pk}-comments"
    response = client.post(setup.post_url(), {"text": "From the tree"},
                           headers={"HX-Request": "true", "HX-Target": panel})
    html = response.content.decode()
    assert f'<section id="{panel}"' in html and "From the tree" in html


def test_it_sends_a_thread_request_without_htmx_to_the_focus_view(client, setup):
    response = client.get(setup.thread_url())
    assert response.status_code == 302 and response.url == setup.focus() + "#comments"


def test_it_offers_the_inline_thread_on_every_row_of_the_tree(client, setup):
    html = client.get(setup.map.get_absolute_url()).content.decode()
    row = f"node-{setup.thesis.pk}-{setup.claim.pk}"
    assert f'data-comments-url="{setup.thread_url(panel=row + "-comments")}"' in html
    assert f'data-path="{setup.thesis.pk}.{setup.claim.pk}"' in html
    assert "Discuss here" in html


def test_it_shows_the_forms_each_person_may_use(client, setup):
    own = setup.comment("contributor", "Own")
    log_in(client, setup.user("contributor"))
    html = focus_html(client, setup)
    assert f'id="edit-{own.pk}"' in html and setup.url("comment-delete", own) in html
    assert setup.url("comment-hide", own) not in html
    client.logout()
    log_in(client, setup.user("editor"))
    html = focus_html(client, setup)
    assert f'id="edit-{own.pk}"' not in html and setup.url("comment-delete", own) not in html
    assert setup.url("comment-hide", own) in html and f'id="reply-{own.pk}"' in html


def test_it_keeps_the_focus_view_to_a_fixed_number_of_queries(client, setup):
    log_in(client, setup.user("editor"))
    client.get(setup.focus())  # warm the graph cache
    with CaptureQueriesContext(connection) as few:
        client.get(setup.focus())
    parent = None
    for i in range(30):
        role = ["contributor", "viewer", "owner"][i % 3]
        parent = setup.comment(role, f"Comment {i}", reply_to=parent if i % 2 else None)
        if i % 5 == 0:
            comments.hide(parent, setup.user("editor"))
        if i % 7 == 0:
            comments.delete(parent, parent.author)
    with CaptureQueriesContext(connection) as many:
        html = focus_html(client, setup)
    assert "Comment 29" in html and len(many) == len(few) > 0


def test_it_keeps_comments_of_a_deleted_account(client, setup):
    comment = setup.comment("viewer", "Orphaned words")
    setup.user("viewer").delete()
    assert "(deleted user)" in focus_html(client, setup)
    assert Comment.objects.get(pk=comment.pk).author is None
