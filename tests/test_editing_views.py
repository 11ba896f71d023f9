"""Changing a map from its pages: who may do what, inline (htmx) and without JavaScript, bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from argmap import editing
from argmap.models import Change, Map, Node, Quote, Relation, Visibility
from argmap.views import forget_pages
from tests.helpers import htmx


@pytest.fixture
def site(site):
    """The shared Site (the owner's thesis and claim, called `theirs` here as the contributor sees
    it) with evidence under that claim, a contributor's claim under the thesis (`mine`) and a second
    thesis."""
    site.theirs = site.claim
    site.evidence = site.builder.claim("Stations went quiet", under=site.theirs,
                                       quote="The relay stations stopped working.")
    site.mine, _ = editing.add_claim(site.thesis, site.people["contributor"], "He met the Poles", "oppose")
    site.other_thesis = site.builder.thesis("Belarus is a loyal ally")
    return site


def url(site, name, node=None, **query):
    args = [site.map.code] + ([node.pk] if node is not None else [])
    address = reverse(name, args=args)
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def path(*nodes) -> str:
    return ".".join(str(n.pk) for n in nodes)


def as_(client, site, role):
    if role != "anonymous":
        client.force_login(site.people[role])
    return client


def state(site):
    """Everything an action could have changed, to show that a refused one changed nothing."""
    return (list(Node.objects.filter(map=site.map).values_list("id", "text", "version", "deleted_at")),
            list(Relation.objects.filter(map=site.map).values_list("id", "parent", "stance", "deleted_at")),
            Change.objects.count())


# Who may do what


@pytest.mark.parametrize("role, status", [
    ("owner", 302), ("editor", 302), ("contributor", 302), ("viewer", 403), ("outsider", 403), ("anonymous", 302),
])
def test_it_lets_contributors_and_up_reply(client, site, role, status):
    response = as_(client, site, role).post(url(site, "node-reply", site.thesis),
                                            {"text": "A new claim", "stance": "support", "path": path(site.thesis)})
    assert response.status_code == status
    added = Node.objects.filter(text="A new claim").exists()
    assert added == (role in ("owner", "editor", "contributor"))
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role, node, allowed", [
    ("owner", "mine", True), ("editor", "mine", True), ("contributor", "mine", True),
    ("contributor", "theirs", False), ("viewer", "mine", False), ("outsider", "mine", False),
])
def test_it_lets_editors_edit_anything_and_contributors_their_own(client, site, role, node, allowed):
    target = getattr(site, node)
    response = as_(client, site, role).post(url(site, "node-edit", target), {"text": "Edited", "version": 1})
    assert response.status_code == (302 if allowed else 403)
    assert (Node.objects.get(pk=target.pk).text == "Edited") == allowed


@pytest.mark.parametrize("name", ["node-edit", "node-delete", "node-move", "node-detach", "node-stance"])
def test_it_refuses_a_contributor_changing_someone_elses_node(client, site, name):
    before = state(site)
    response = as_(client, site, "contributor").post(
        url(site, name, site.theirs),
        {"path": path(site.thesis, site.theirs), "text": "x", "version": 1, "stance": "oppose",
         "new_parent": site.other_thesis.pk})
    assert response.status_code == 403 and state(site) == before


def test_it_answers_an_anonymous_htmx_request_with_403_and_hides_private_maps(client, site, build, outsider):
    assert client.post(url(site, "node-reply", site.thesis), {"text": "x", "stance": "support"},
                       headers=htmx("trees")).status_code == 403
    private = build(Visibility.PRIVATE)
    thesis = private.thesis("Secret")
    client.force_login(outsider)
    for name in ("node-reply", "node-edit", "node-delete", "node-attach"):
        assert client.post(reverse(name, args=[private.map.code, thesis.pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("thesis-add", args=[private.map.code]), {"text": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["node-detach", "node-stance", "node-restore"])
def test_it_answers_405_to_a_get_on_one_button_actions(client, site, name):
    as_(client, site, "owner")
    assert client.get(url(site, name, site.theirs)).status_code == 405
    assert client.put(url(site, "node-edit", site.theirs)).status_code == 405
    quote = Quote.objects.get(node=site.evidence)
    assert client.get(reverse("quote-delete", args=[site.map.code, quote.pk])).status_code == 405


# Adding, inline and without JavaScript


def test_it_adds_a_claim_inline_and_returns_the_trees_with_it_shown(client, site):
    as_(client, site, "contributor")
    form = client.get(url(site, "node-reply", site.theirs, stance="oppose", path=path(site.thesis, site.theirs)),
                      headers=htmx("trees"))
    assert form.status_code == 200 and "<html" not in form.text
    assert 'hx-post="' in form.text and 'value="oppose" id="reply-' in form.text and "checked" in form.text
    response = client.post(url(site, "node-reply", site.theirs),
                           {"text": "Doors stay open", "stance": "oppose", "path": path(site.thesis, site.theirs)},
                           headers=htmx("trees"), follow=True)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="trees"') and "<html" not in html
    new = Node.objects.get(text="Doors stay open")
    assert f'id="node-{site.thesis.pk}-{site.theirs.pk}-{new.pk}"' in html  # the branch came back open
    assert Relation.objects.get(child=new).stance == "oppose"


def test_it_keeps_the_branches_the_page_had_open(client, site):
    as_(client, site, "owner")
    response = client.post(url(site, "node-reply", site.other_thesis),
                           {"text": "Loyal at the UN", "stance": "support", "path": path(site.other_thesis),
                            "open": [path(site.thesis, site.theirs), "nonsense"], "filter": "all"},
                           headers=htmx("trees"))
    location = response["Location"]
    assert f"open={site.thesis.pk}.{site.theirs.pk}" in location and "nonsense" not in location
    html = client.get(location, headers=htmx("trees")).text
    assert f'id="node-{site.thesis.pk}-{site.theirs.pk}-{site.evidence.pk}"' in html


def test_without_javascript_a_form_is_a_page_that_posts_and_goes_back_to_the_node(client, site):
    as_(client, site, "contributor")
    page = client.get(url(site, "node-reply", site.theirs, stance="support", path=path(site.thesis, site.theirs)))
    assert page.status_code == 200 and "<h1>" in page.text and "hx-post" not in page.text
    response = client.post(url(site, "node-reply", site.theirs),
                           {"text": "Without JS", "stance": "support", "path": path(site.thesis, site.theirs)})
    new = Node.objects.get(text="Without JS")
    assert response.status_code == 302
    assert response["Location"].startswith(site.map.get_absolute_url())
    assert response["Location"].endswith(f"#node-{site.thesis.pk}-{site.theirs.pk}-{new.pk}")
    assert "Without JS" in client.get(response["Location"]).text


def test_it_adds_a_thesis(client, site):
    as_(client, site, "contributor")
    assert 'id="new-thesis-text"' in client.get(url(site, "thesis-add"), headers=htmx("trees")).text
    response = client.post(url(site, "thesis-add"), {"text": "Minsk plays both sides"}, headers=htmx("trees"), follow=True)
    thesis = Node.objects.get(text="Minsk plays both sides")
    assert thesis.is_thesis and f'id="node-{thesis.pk}-text"' in response.text


# Bad input


@pytest.mark.parametrize("text, message", [
    ("", "cannot be empty"),
    ("   ", "cannot be empty"),
    ("x" * 2001, "2,000 characters"),
    ("a\x00b", "Null characters are not allowed"),
])
def test_it_refuses_bad_text_with_a_message_and_saves_nothing(client, site, text, message):
    as_(client, site, "owner")
    before = state(site)
    for name, node, data in [("node-reply", site.thesis, {"stance": "support"}), ("node-edit", site.mine, {"version": 1}),
                             ("thesis-add", None, {})]:
        response = client.post(url(site, name, node), {"text": text, **data}, headers=htmx("trees"))
        assert response.status_code == 400, name
        assert message in response.text and response["HX-Retarget"] == "closest .edit-slot"
    assert state(site) == before


def test_it_turns_invalid_utf8_into_replacement_characters_never_a_lone_surrogate(client, site):
    as_(client, site, "owner")
    body = f"stance=support&path={site.thesis.pk}&text=broken%ED%A0%80bytes"
    response = client.post(url(site, "node-reply", site.thesis), body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    stored = Node.objects.get(text__startswith="broken").text
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in stored)


def test_it_refuses_a_lone_surrogate_in_the_form():
    from argmap.forms.editing import ReplyForm

    form = ReplyForm({"text": "half \ud800 a character", "stance": "support"})
    assert not form.is_valid() and "lone surrogate" in str(form.errors)


def test_it_refuses_a_missing_or_strange_stance(client, site):
    as_(client, site, "owner")
    before = state(site)
    for stance in ("", "sideways"):
        response = client.post(url(site, "node-reply", site.thesis), {"text": "x", "stance": stance})
        assert response.status_code == 400 and "supports or opposes" in response.text
    response = client.post(url(site, "node-stance", site.mine), {"stance": "sideways", "path": path(site.thesis, site.mine)})
    assert response.status_code == 400
    assert state(site) == before


def test_it_escapes_html_in_what_people_write(client, site):
    as_(client, site, "owner")
    client.post(url(site, "node-reply", site.thesis),
                {"text": '<script>alert("x")</script>', "stance": "support", "path": path(site.thesis)})
    node = Node.objects.get(text__contains="<script>")
    for address in (site.map.get_absolute_url(), reverse("node-focus", args=[site.map.code, node.pk]),
                    url(site, "node-edit", node), url(site, "node-delete", node)):
        html = client.get(address).text
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html, address


def test_it_answers_404_for_nodes_and_places_of_another_map(client, site, build):
    other = build()
    foreign = other.thesis("Elsewhere")
    foreign_claim = other.claim("Elsewhere too", under=foreign)
    as_(client, site, "owner")
    before = state(site)
    for name in ("node-reply", "node-edit", "node-delete", "node-attach", "node-move", "node-detach", "node-stance"):
        response = client.post(reverse(name, args=[site.map.code, foreign_claim.pk]),
                               {"text": "x", "stance": "support", "version": 1, "path": path(foreign, foreign_claim)})
        assert response.status_code == 404, name
    # A parent from another map, picked or forged into a path.
    response = client.post(url(site, "node-attach", site.mine), {"parent": foreign.pk, "stance": "support"})
    assert response.status_code == 404
    response = client.post(url(site, "node-move", site.mine),
                           {"new_parent": foreign.pk, "stance": "support", "path": path(site.thesis, site.mine)})
    assert response.status_code == 404
    response = client.post(url(site, "node-detach", site.mine), {"path": f"{foreign.pk}.{site.mine.pk}"})
    assert response.status_code == 404
    quote = Quote.objects.get(node=other.claim("Quoted", under=foreign, quote="Moscow heard another."))
    assert client.post(reverse("quote-delete", args=[site.map.code, quote.pk])).status_code == 404
    assert client.post(reverse("node-restore", args=[site.map.code, foreign.pk])).status_code == 404
    assert state(site) == before


def test_it_refuses_nonsense_ids(client, site):
    as_(client, site, "owner")
    for value in ("abc", "-3", "", "99999999999999999999999"):
        response = client.post(url(site, "node-attach", site.mine), {"parent": value, "stance": "support"})
        assert response.status_code in (400, 404), value
    response = client.post(url(site, "node-detach", site.mine), {"path": "1.2.x"})
    assert response.status_code == 404


# Editing and conflicts


def test_it_edits_inline_and_without_javascript(client, site):
    as_(client, site, "contributor")
    form = client.get(url(site, "node-edit", site.mine, path=path(site.thesis, site.mine)), headers=htmx("trees"))
    assert "He met the Poles</textarea>" in form.text and 'name="version" value="1"' in form.text
    response = client.post(url(site, "node-edit", site.mine),
                           {"text": "He met the Poles twice", "version": 1, "path": path(site.thesis, site.mine)},
                           headers=htmx("trees"), follow=True)
    assert "He met the Poles twice" in response.text
    response = client.post(url(site, "node-edit", site.mine), {"text": "Thrice", "version": 2, "back": "focus"})
    assert response["Location"].startswith(reverse("node-focus", args=[site.map.code, site.mine.pk]))


def test_it_shows_a_conflict_with_their_text_and_keeps_mine(client, site):
    editing.edit_text(site.mine, "The editor's version", 1, site.people["editor"])
    as_(client, site, "contributor")
    response = client.post(url(site, "node-edit", site.mine),
                           {"text": "My <version>", "version": 1, "path": path(site.thesis, site.mine)}, headers=htmx("trees"))
    assert response.status_code == 409
    html = response.text
    assert "changed this while you were editing" in html and "The editor&#x27;s version" in html
    assert site.people["editor"].username in html
    assert "My &lt;version&gt;</textarea>" in html and 'name="version" value="2"' in html
    assert Node.objects.get(pk=site.mine.pk).text == "The editor's version"
    # Saving again, knowingly, replaces theirs.
    client.post(url(site, "node-edit", site.mine), {"text": "My version", "version": 2})
    assert Node.objects.get(pk=site.mine.pk).text == "My version"


# Placing


def test_it_attaches_a_node_under_another_parent_picked_from_the_list(client, site):
    as_(client, site, "contributor")
    form = client.get(url(site, "node-attach", site.mine, path=path(site.thesis, site.mine)), headers=htmx("trees"))
    assert f'name="parent" value="{site.other_thesis.pk}"' in form.text
    assert f"name=\"q\"" in form.text and reverse("node-search", args=[site.map.code]) in form.text
    response = client.post(url(site, "node-attach", site.mine),
                           {"parent": site.other_thesis.pk, "stance": "oppose", "path": path(site.thesis, site.mine)},
                           headers=htmx("trees"), follow=True)
    assert f'id="node-{site.other_thesis.pk}-{site.mine.pk}"' in response.text
    assert Relation.objects.live().filter(child=site.mine).count() == 2


def test_the_picker_page_without_javascript_searches_and_leaves_out_the_nodes_own_branch(client, site):
    as_(client, site, "owner")
    page = client.get(url(site, "node-move", site.theirs, path=path(site.thesis, site.theirs), q="quiet"))
    assert page.status_code == 200 and "hx-get" not in page.text
    assert f'value="{site.evidence.pk}"' not in page.text  # its own branch: a cycle
    page = client.get(url(site, "node-move", site.evidence, path=path(site.thesis, site.theirs, site.evidence),
                          q="poles"))
    assert f'name="new_parent" value="{site.mine.pk}"' in page.text


def test_it_refuses_a_move_or_attachment_that_goes_round_in_a_circle(client, site):
    as_(client, site, "owner")
    before = state(site)
    response = client.post(url(site, "node-move", site.theirs),
                           {"new_parent": site.evidence.pk, "stance": "support", "path": path(site.thesis, site.theirs)},
                           headers=htmx("trees"))
    assert response.status_code == 400 and "go round in a circle" in response.text
    response = client.post(url(site, "node-attach", site.theirs), {"parent": site.evidence.pk, "stance": "support"})
    assert response.status_code == 400 and "go round in a circle" in response.text
    assert state(site) == before


def test_it_moves_a_node_keeping_its_branch(client, site):
    as_(client, site, "editor")
    response = client.post(url(site, "node-move", site.theirs),
                           {"new_parent": site.other_thesis.pk, "stance": "oppose",
                            "path": path(site.thesis, site.theirs)})
    assert response["Location"].endswith(f"#node-{site.other_thesis.pk}-{site.theirs.pk}")
    relation = Relation.objects.live().get(child=site.theirs)
    assert (relation.parent_id, relation.stance) == (site.other_thesis.pk, "oppose")
    assert Relation.objects.live().filter(child=site.evidence, parent=site.theirs).exists()


def test_it_detaches_from_one_place_but_not_from_the_only_one(client, site):
    as_(client, site, "owner")
    before = state(site)
    response = client.post(url(site, "node-detach", site.mine), {"path": path(site.thesis, site.mine)}, headers=htmx("trees"))
    assert response.status_code == 400 and "delete it instead" in response.text
    assert response["HX-Retarget"] == f"#node-{site.thesis.pk}-{site.mine.pk}-slot"
    assert state(site) == before
    editing.attach(site.mine, site.other_thesis, "support", site.people["owner"])
    response = client.post(url(site, "node-detach", site.mine), {"path": path(site.thesis, site.mine)})
    assert response.status_code == 302
    assert list(Relation.objects.live().filter(child=site.mine).values_list("parent", flat=True)) == [site.other_thesis.pk]


def test_it_switches_a_stance(client, site):
    as_(client, site, "contributor")
    client.post(url(site, "node-stance", site.mine), {"stance": "support", "path": path(site.thesis, site.mine)})
    assert Relation.objects.live().get(child=site.mine).stance == "support"


# Deleting and restoring


def test_it_confirms_a_deletion_naming_what_goes_with_it_then_deletes(client, site):
    as_(client, site, "owner")
    confirm = client.get(url(site, "node-delete", site.theirs, path=path(site.thesis, site.theirs)), headers=htmx("trees"))
    assert "1 node below it has no other place" in confirm.text and "Stations went quiet" in confirm.text
    response = client.post(url(site, "node-delete", site.theirs), {"path": path(site.thesis, site.theirs)},
                           headers=htmx("trees"), follow=True)
    assert "He keeps doors open" not in response.text and "Stations went quiet" not in response.text
    assert Node.objects.get(pk=site.evidence.pk).is_deleted
    # The trees come back with an offer to undo, which puts everything back where it was.
    undo = reverse("node-restore", args=[site.map.code, site.theirs.pk])
    assert 'id="deleted-notice"' in response.text and f'hx-post="{undo}"' in response.text
    response = client.post(undo, {"path": path(site.thesis, site.theirs)}, headers=htmx("trees"), follow=True)
    assert "He keeps doors open" in response.text and 'id="deleted-notice"' not in response.text
    assert not Node.objects.get(pk=site.evidence.pk).is_deleted


def test_it_offers_no_undo_for_a_nonsense_deleted_parameter(client, site):
    as_(client, site, "owner")
    for value in ("abc", "1..2", "<script>", ""):
        response = client.get(site.map.get_absolute_url() + f"?deleted={value}")
        assert response.status_code == 200 and 'id="deleted-notice"' not in response.text
    client.logout()
    response = client.get(site.map.get_absolute_url() + f"?deleted={site.theirs.pk}")
    assert 'id="deleted-notice"' not in response.text


def test_it_lets_a_contributor_delete_their_own_but_not_a_branch_with_others_work(client, site):
    as_(client, site, "contributor")
    below, _ = editing.add_claim(site.mine, site.people["editor"], "The editor's reply", "support")
    confirm = client.get(url(site, "node-delete", site.mine))
    assert "other people's work" in confirm.text and 'class="danger"' not in confirm.text
    before = state(site)
    assert client.post(url(site, "node-delete", site.mine)).status_code == 403
    assert state(site) == before
    editing.delete_node(below, site.people["editor"])
    assert client.post(url(site, "node-delete", site.mine)).status_code == 302
    assert Node.objects.get(pk=site.mine.pk).is_deleted


def test_it_restores_a_deleted_node_for_those_allowed(client, site):
    editing.delete_node(site.mine, site.people["contributor"])
    as_(client, site, "viewer")
    assert client.post(url(site, "node-restore", site.mine)).status_code == 403
    client.force_login(site.people["contributor"])
    response = client.post(url(site, "node-restore", site.mine))
    assert response.status_code == 302 and not Node.objects.get(pk=site.mine.pk).is_deleted
    assert client.post(url(site, "node-restore", site.mine)).status_code == 404  # not deleted any more


def test_it_deletes_and_restores_a_quote(client, site):
    quote = Quote.objects.get(node=site.evidence)
    as_(client, site, "contributor")
    assert client.post(reverse("quote-delete", args=[site.map.code, quote.pk])).status_code == 403
    client.force_login(site.people["editor"])
    response = client.post(reverse("quote-delete", args=[site.map.code, quote.pk]), {"back": "focus"})
    assert response.status_code == 302 and Quote.objects.get(pk=quote.pk).is_deleted
    focus = client.get(reverse("node-focus", args=[site.map.code, site.evidence.pk])).text
    assert reverse("quote-restore", args=[site.map.code, quote.pk]) in focus
    client.post(reverse("quote-restore", args=[site.map.code, quote.pk]))
    assert not Quote.objects.get(pk=quote.pk).is_deleted
    assert client.post(reverse("quote-restore", args=[site.map.code, quote.pk])).status_code == 400


# What the map page shows


def controls_on(client, site, role):
    as_(client, site, role)
    return client.get(site.map.get_absolute_url()).text


def test_it_shows_controls_only_to_people_who_may_use_them(client, site):
    anonymous = controls_on(client, site, "anonymous")
    assert "Reply for" not in anonymous and "Add a thesis" not in anonymous and "editing.js" not in anonymous
    assert "Reply for" not in controls_on(client, site, "viewer")
    contributor = controls_on(client, site, "contributor")
    assert "Reply for" in contributor and "Add a thesis" in contributor
    assert url(site, "node-edit", site.mine) in contributor and url(site, "node-edit", site.theirs) not in contributor
    assert url(site, "map-deleted") not in contributor
    editor = controls_on(client, site, "editor")
    assert url(site, "node-edit", site.theirs) in editor and url(site, "node-delete", site.thesis) in editor
    assert url(site, "map-deleted") in editor


def test_the_controls_cost_no_queries(client, site):
    counts = {}
    for role in ("viewer", "contributor", "owner"):
        client.force_login(site.people[role])
        client.get(site.map.get_absolute_url())  # the graph is cached after the first
        forget_pages()  # drawn, not the page kept whole for this reader
        with CaptureQueriesContext(connection) as queries:
            assert client.get(site.map.get_absolute_url()).status_code == 200
        counts[role] = len(queries)
    assert counts["viewer"] == counts["contributor"] == counts["owner"], counts


def test_it_never_answers_500_to_a_stale_form(client, site):
    """A form opened before someone deleted or moved the node answers 404, not an error page."""
    as_(client, site, "owner")
    editing.delete_node(site.theirs, site.people["editor"])
    for name in ("node-reply", "node-edit", "node-delete", "node-attach", "node-move", "node-detach"):
        response = client.post(url(site, name, site.theirs),
                               {"text": "x", "version": 1, "stance": "support", "path": path(site.thesis, site.theirs)})
        assert response.status_code == 404, name
    assert Map.objects.get(pk=site.map.pk).revision > 0


def test_it_answers_400_to_an_empty_post_and_404_to_ids_beyond_any_database(client, site):
    as_(client, site, "owner")
    before = state(site)
    for name, node in [("thesis-add", None), ("node-reply", site.thesis), ("node-edit", site.mine),
                       ("node-attach", site.mine)]:
        assert client.post(url(site, name, node)).status_code == 400, name
    huge, code = 2**64, site.map.code
    assert client.get(f"/maps/{code}/nodes/{huge}/").status_code == 404
    for address in (f"/maps/{code}/nodes/{huge}/restore/", f"/maps/{code}/quotes/{huge}/restore/",
                    f"/maps/{code}/nodes/{huge}/edit/", f"/maps/{code}/nodes/{huge}/delete/"):
        assert client.post(address).status_code == 404, address
    assert state(site) == before


def test_it_only_echoes_a_known_back_value(client, site):
    as_(client, site, "owner")
    html = client.get(url(site, "node-edit", site.mine, back='"><script>x</script>')).text
    assert 'name="back"' not in html and "<script>x" not in html
