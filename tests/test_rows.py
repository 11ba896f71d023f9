"""Tree rows drawn by argmap/views/rows.py: what each reader sees in them, and the card cache that
must hand out fresh HTML whenever anything a card shows changes."""

import dataclasses
import re

import pytest
from django.template.loader import render_to_string

from argmap.access import access_for
from argmap.browsing import Person, QuoteCard, SourceCard, TreeState, attach_nodes, load_graph
from argmap.models import Review
from argmap.votes import NO_VOTES, Summary, VoteBox, attach_row_votes
from argmap.views.rows import TreePage, forget_rows, render_card, vote_widget

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def fresh_rows():
    forget_rows()
    yield
    forget_rows()


@pytest.fixture
def tree(site):
    """The site's thesis with the owner's claim under it, and a contributor's own claim beside it."""
    contributor = site.user("contributor")
    site.own = site.builder.claim("<script>alert(1)</script> & more", under=site.thesis, stance="oppose")
    site.own.author = contributor
    site.own.save()
    return site


def row_html(client, s, node):
    response = client.get(f"/maps/{s.map.code}/branch/?path={s.thesis.pk}.{node.pk}", headers=HX)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_an_anonymous_reader_links_but_no_controls(client, tree):
    html = row_html(client, tree, tree.claim)
    assert f'<li id="node-{tree.thesis.pk}-{tree.claim.pk}" data-path="{tree.thesis.pk}.{tree.claim.pk}"' in html
    assert f'href="/maps/{tree.map.code}/nodes/{tree.claim.pk}/?path={tree.thesis.pk}.{tree.claim.pk}"' in html
    assert "Reply for" not in html and "Edit" not in html and "csrfmiddlewaretoken" not in html


def test_it_gives_a_contributor_edit_controls_only_on_their_own_claims(client, tree):
    client.force_login(tree.user("contributor"))
    others, own = row_html(client, tree, tree.claim), row_html(client, tree, tree.own)
    assert "Reply for" in others and ">Edit</a>" not in others and "Delete&hellip;" not in others
    assert ">Edit</a>" in own and "Delete&hellip;" in own and "Make it support" in own
    assert f'/maps/{tree.map.code}/nodes/{tree.own.pk}/edit/?path={tree.thesis.pk}.{tree.own.pk}' in own


def test_it_gives_an_editor_every_control_with_their_own_csrf_token(client, tree):
    client.force_login(tree.user("editor"))
    html = row_html(client, tree, tree.claim)
    assert "Make it oppose" in html and "Move&hellip;" in html and "Delete&hellip;" in html
    forms = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert forms and all(len(t) == 64 for t in forms)
    # The owner gets the same card from the cache, but their own token in it.
    client.force_login(tree.user("owner"))
    second = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', row_html(client, tree, tree.claim))
    assert second and set(second).isdisjoint(forms)


def test_it_escapes_node_text(client, tree):
    html = row_html(client, tree, tree.own)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_it_shows_a_pseudonym_to_a_student_under_anonymity(client, lesson):
    from argmap.classroom.pseudonyms import ensure_pseudonyms
    from argmap.models import Pseudonym

    l = lesson(students=2, anonymity=True)
    ensure_pseudonyms(l.exercise)
    writer, reader = l.students
    thesis = l.builder.thesis("Lukashenko is hedging")
    claim = l.builder.claim("Moscow heard another", under=thesis)
    claim.author = writer
    claim.save()
    alias = Pseudonym.objects.get(exercise=l.exercise, user=writer).name
    client.force_login(reader)
    html = client.get(f"/maps/{l.map.code}/branch/?path={thesis.pk}.{claim.pk}", headers=HX).content.decode()
    assert f"by {alias}" in html and writer.username not in html
    client.force_login(writer)
    html = client.get(f"/maps/{l.map.code}/branch/?path={thesis.pk}.{claim.pk}", headers=HX).content.decode()
    assert f"by {writer.username}" in html


def test_it_draws_the_vote_widget_as_the_shared_template_does(tree, rf):
    """rows.vote_widget and templates/maps/_vote.html say the same, for every state of a box."""
    request = rf.get("/maps/x/?open=1.2")
    request.user = tree.user("contributor")
    access = access_for(tree.map, request.user)
    page = TreePage(request, tree.map, access, TreeState(load_graph(access)))
    boxes = [VoteBox(7, NO_VOTES, False, True), VoteBox(7, Summary(3, 7, 2), True, True),
             VoteBox(7, Summary(1, 4, None), True, False), VoteBox(7, Summary(2, 5, None), False, True)]
    for box in boxes:
        ours = page.finish(vote_widget(box, "node-1-2", page))
        theirs = render_to_string("maps/_vote.html", {"map": tree.map, "box": box, "vote_place": "node-1-2"},
                                  request=request)
        ours, theirs = (re.sub(r'value="[A-Za-z0-9]{64}"', "TOKEN", h) for h in (ours, theirs))
        assert squeeze(ours) == squeeze(theirs), box


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", html)


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


# The card cache: one key per everything the card shows, so each change below must show.


@pytest.fixture
def card(tree, rf):
    """A function drawing the claim's card for a reader after `change(row, page)`."""
    tree.map.voting = True
    tree.map.save()

    def draw(change=None, role="contributor", filter_name="all", open_values=()):
        request = rf.get("/")
        request.user = tree.user(role)
        access = access_for(tree.map, request.user)
        state = TreeState(load_graph(access), filter_name=filter_name, open_values=open_values)
        row = state.row((tree.thesis.pk, tree.claim.pk))
        attach_nodes([row], state.graph, tree.map)
        attach_row_votes([row], access)
        # A copy to change: the card read is the one kept for every page of the map.
        row.node = dataclasses.replace(row.node, live_quotes=list(row.node.live_quotes))
        page = TreePage(request, tree.map, access, state)
        if change:
            change(row, page)
        return render_card(row, page)

    return draw


def quoted(row, page):
    row.node.live_quotes.append(QuoteCard(99, "A passage", SourceCard("src1", "A title", "An author", "")))


def rejected(row, page):
    row.node.status = "rejected"
    row.node.latest_review = Review(feedback="Say why")


CHANGES = {
    "text": (lambda row, page: setattr(row.node, "text", "Another text"), "Another text"),
    "status": (lambda row, page: setattr(row.node, "status", "pending"), "Pending approval"),
    "feedback": (rejected, "Say why"),
    "quote": (quoted, "A passage"),
    "comment count": (lambda row, page: setattr(row.node, "comment_count", 5), "5 comments"),
    "descendants": (lambda row, page: setattr(row, "descendant_count", 12), "12 below"),
    "children": (lambda row, page: setattr(row, "child_count", 3), "Show 3 responses"),
    "expanded": (lambda row, page: (setattr(row, "child_count", 3), setattr(row, "expanded", True)), "Hide 3 responses"),
    "stance": (lambda row, page: setattr(row, "stance", "oppose"), "Opposes"),
    "side": (lambda row, page: setattr(row, "side", "contested"), "Contested for this thesis"),
    "path": (lambda row, page: setattr(row, "path", row.path + (4242,)), "-4242-card"),
    "author's name": (lambda row, page: setattr(row.node, "author", Person(row.node.author_id, "renamed")), "by renamed"),
    "vote": (lambda row, page: setattr(row, "vote", VoteBox(row.vote.relation_id, Summary(2, 6, 3), True, True)),
             "Impact 3.0 of 4, from 2 votes &middot; yours: 3"),
    "other places": (lambda row, page: setattr(row, "other_places", [(row.node, "oppose", (1, 2))]),
                     "Also in 1 other place"),
}


@pytest.mark.parametrize("what", CHANGES)
def test_it_draws_a_fresh_card_when_what_it_shows_changes(card, what):
    change, shown = CHANGES[what]
    before = card()
    assert shown not in before
    assert without_tokens(card()) == without_tokens(before)  # from the cache, with a new token
    assert shown in card(change)


def test_it_draws_a_fresh_card_for_another_filter_or_reader(card, tree):
    plain = card()
    assert "Reply for" in plain
    assert "Reply for" not in card(role="viewer")
    assert "filter=oppose" not in plain
    opposing = card(change=lambda row, page: setattr(row, "child_count", 2), filter_name="support")
    assert "&amp;filter=support" in opposing  # the toggle's htmx request keeps the filter
    assert ">Edit</a>" in card(role="editor") and ">Edit</a>" not in plain


def test_it_gives_a_toggle_its_own_path_and_no_other_branch(card, tree):
    """The open branches are written once, in the page's #tree-open form: a row's button names only
    its own path, however many branches are open (a big expanded tree's rows each carried them all)."""
    key = f"{tree.thesis.pk}.{tree.claim.pk}"
    many_open = [key, *(f"{tree.thesis.pk}.{n}" for n in range(1000, 1100))]

    def with_children(expanded):
        return lambda row, page: (setattr(row, "child_count", 2), setattr(row, "expanded", expanded))

    closed, opened = card(with_children(False), open_values=many_open), card(with_children(True), open_values=many_open)
    for html in (closed, opened):
        assert f'form="tree-open" name="toggle" value="{key}"' in html
        assert not any(f'value="{other}"' in html or f"open={other}" in html for other in many_open[1:])
    assert f"?path={key}&amp;open={key}" in closed  # htmx asks for the row opened
    assert f"?path={key}&amp;open" not in opened and f"?path={key}" in opened  # and closed
    assert 'aria-expanded="false"' in closed and 'aria-expanded="true"' in opened


def test_it_turns_a_toggle_into_the_new_open_branches(tree, rf):
    """Opening adds the branch; closing takes it out with everything beneath; a path that is not in
    the map changes nothing; a toggle on an expanded-all page keeps the branches named as open."""
    below = tree.builder.claim("Under the claim", under=tree.claim).pk
    tree.map.refresh_from_db()
    graph = load_graph(access_for(tree.map, tree.user("contributor")))
    thesis, claim = tree.thesis.pk, tree.claim.pk

    def state(query):
        return TreeState.from_query(rf.get("/", query).GET, graph)

    assert state({"toggle": f"{thesis}.{claim}"}).open == {(thesis, claim)}
    closing = state({"open": [f"{thesis}.{claim}", f"{thesis}.{claim}.{below}"], "toggle": f"{thesis}.{claim}"})
    assert closing.open == set()
    assert state({"open": f"{thesis}.{claim}", "toggle": f"{claim}.{thesis}"}).open == {(thesis, claim)}
    expanded = state({"expand": "all", "toggle": f"{thesis}.{claim}"})
    assert not expanded.expand_all and expanded.open == set()


def test_it_keeps_whole_rows_and_branches_equal_to_their_cards(client, tree):
    html = row_html(client, tree, tree.claim)
    assert html.startswith(f'<li id="node-{tree.thesis.pk}-{tree.claim.pk}"') and html.endswith("</li>")
    assert html.count('class="node-card"') == 1
