"""The evidence views: from the reader's form to a stored claim, quote and relation."""

import pytest
from django.urls import reverse

from argmap.models import Map, MapSource, Node, Quote, Relation, Source, Visibility

TEXT_OF = "Moscow heard another."


def counts():
    return Node.objects.count(), Relation.objects.count(), Quote.objects.count()


@pytest.fixture
def scene(build, people, client):
    """A public map with a thesis, the conftest article and a signed-in contributor."""
    b = build()
    thesis = b.thesis("Belarus hedges")
    roles = people(b.map)
    client.force_login(roles["contributor"])
    return b, thesis, roles


def url_for(map_, source):
    return reverse("evidence-add", args=[map_.code, source.code])


def reader_url(map_, source):
    return reverse("source-reader", args=[map_.code, source.code])


def post(client, b, parent_node, htmx=False, **fields):
    data = {"parent": parent_node.pk, "stance": "support", "claim": "Moscow understood it otherwise", **fields}
    headers = {"HX-Request": "true", "HX-Target": "evidence-panel"} if htmx else {}
    return client.post(url_for(b.map, b.source), data, headers=headers)


def selection(text, passage, occurrence=0):
    start = text.index(passage)
    for _ in range(occurrence):
        start = text.index(passage, start + 1)
    return {"exact": passage, "start": start, "end": start + len(passage)}


# The form in the reader


def test_the_reader_shows_the_form_to_contributors(client, scene):
    b, thesis, _ = scene
    response = client.get(reader_url(b.map, b.source))
    assert response.status_code == 200
    assert f'action="{url_for(b.map, b.source)}"' in response.text
    assert "Your claim, in your own words" in response.text and 'name="quote"' in response.text
    assert f'name="parent" value="{thesis.pk}"' in response.text


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_the_reader_tells_readers_without_a_role_to_ask_for_one(client, scene, role):
    b, _, roles = scene
    client.force_login(roles[role])
    response = client.get(reader_url(b.map, b.source))
    assert "ask the map's owner for a contributor role" in response.text
    assert f'action="{url_for(b.map, b.source)}"' not in response.text


def test_the_reader_asks_anonymous_readers_to_log_in(client, scene):
    b, _, _ = scene
    client.logout()
    response = client.get(reader_url(b.map, b.source))
    assert "Log in</a> to add evidence" in response.text
    assert f'action="{url_for(b.map, b.source)}"' not in response.text


# Adding evidence


def test_it_adds_evidence_from_a_selection_and_shows_it_in_the_reader(client, scene):
    b, thesis, roles = scene
    response = post(client, b, thesis, stance="oppose", **selection(b.source.text, TEXT_OF))
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response.url == f"{reader_url(b.map, b.source)}?quote={quote.pk}#quote-{quote.pk}"
    node = quote.node
    assert node.text == "Moscow understood it otherwise" and node.author == roles["contributor"]
    assert Relation.objects.get(child=node).stance == "oppose"
    page = client.get(response.url)
    assert "Added your evidence “Moscow understood it otherwise”: it opposes “Belarus hedges”" in page.text
    assert f"#node-{thesis.pk}-{node.pk}" in page.text  # the link to it in the tree
    assert f'id="quote-{quote.pk}"' in page.text and "is-target" in page.text


def test_htmx_gets_a_client_redirect_to_the_reader(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, htmx=True, **selection(b.source.text, TEXT_OF))
    quote = Quote.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reader_url(b.map, b.source)}?quote={quote.pk}#quote-{quote.pk}"


def test_it_adds_evidence_from_a_pasted_quote(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, quote="  Moscow heard another.\n")
    assert response.status_code == 302
    assert Quote.objects.get().exact == TEXT_OF


def test_it_tells_what_differed_when_the_pasted_quote_was_matched_loosely(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, quote="the relay stations STOPPED working")
    assert response.status_code == 302
    assert Quote.objects.get().exact == "The relay stations stopped working"
    page = client.get(response.url)
    assert "found in the source with small differences" in page.text


def test_it_forgives_a_typo_and_says_so(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, quote="The relay stashions stopped working")
    assert response.status_code == 302
    assert Quote.objects.get().exact == "The relay stations stopped working"
    assert "despite a few typos" in client.get(response.url).text


def test_it_says_which_source_lacks_the_quote(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, quote="Warsaw said nothing at all today")
    assert response.status_code == 400
    assert "is not in “Test article”" in response.text
    assert counts() == (1, 0, 0)
    # What was typed is kept for another try.
    assert "Moscow understood it otherwise</textarea>" in response.text


def test_it_asks_which_occurrence_and_takes_the_answer(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, quote="Minsk said one thing.")
    assert response.status_code == 400
    assert "occurs 2 times" in response.text
    second = b.source.text.rindex("Minsk said one thing.")
    assert f'name="position" value="{second}"' in response.text
    assert 'name="claim" value="Moscow understood it otherwise"' in response.text
    assert counts() == (1, 0, 0)
    response = post(client, b, thesis, quote="Minsk said one thing.", position=second)
    assert response.status_code == 302 and Quote.objects.get().start == second


def test_htmx_gets_the_occurrence_chooser_in_the_panel(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, htmx=True, quote="Minsk said one thing.")
    assert response.status_code == 400
    assert 'id="evidence-panel"' in response.text and "<html" not in response.text
    assert 'name="position"' in response.text


def test_htmx_errors_come_back_as_the_panel(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, htmx=True, claim="")
    assert response.status_code == 400
    assert response.text.lstrip().startswith('<section id="evidence-panel"')
    assert "Write your claim" in response.text


def test_it_refuses_a_claim_copied_from_the_quote(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, claim="moscow heard ANOTHER", **selection(b.source.text, TEXT_OF))
    assert response.status_code == 400 and "in your own words" in response.text
    assert counts() == (1, 0, 0)


def test_it_escapes_html_in_the_claim(client, scene):
    b, thesis, _ = scene
    response = post(client, b, thesis, claim="<script>alert(1)</script> matters", quote=TEXT_OF)
    assert response.status_code == 302
    page = client.get(response.url)
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; matters" in page.text
    refused = post(client, b, thesis, claim="<b>bold</b>", quote="<img src=x onerror=alert(1)>")
    assert refused.status_code == 400 and "<img src=x" not in refused.text and "&lt;img src=x" in refused.text


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"claim": "", "quote": TEXT_OF}, "Write your claim"),
        ({"claim": "x" * 2001, "quote": TEXT_OF}, "2,000 characters"),
        ({"claim": "Nul \x00 here", "quote": TEXT_OF}, "Null characters are not allowed"),
        ({"quote": ""}, "Select a passage in the text, or paste"),
        ({"quote": "q" * 5001}, "at most 5,000"),
        ({"stance": "neutral", "quote": TEXT_OF}, "supports or opposes"),
        ({"stance": "", "quote": TEXT_OF}, "supports or opposes"),
        ({"parent": "", "quote": TEXT_OF}, "Choose the node"),
        ({"parent": "abc", "quote": TEXT_OF}, "Choose the node"),
        ({"parent": "99999999", "quote": TEXT_OF}, "from this map"),
        ({"exact": TEXT_OF, "start": "abc", "end": "5"}, "not a number"),
        ({"exact": TEXT_OF, "start": "9" * 5000, "end": "5"}, "not a number"),
        ({"exact": TEXT_OF, "start": "-3", "end": "5"}, "outside the text"),
        ({"exact": TEXT_OF, "start": "22"}, "without its position"),
        ({"exact": TEXT_OF, "start": "5000", "end": "5021"}, "select the passage again"),
        ({"exact": TEXT_OF, "start": "30", "end": "22"}, "select the passage again"),
        ({"exact": TEXT_OF, "start": "22", "end": "22"}, "select the passage again"),
        ({"exact": "Nothing of the sort is written", "start": "22", "end": "52"}, "does not match"),
    ],
)
def test_it_refuses_bad_input_with_a_message_and_saves_nothing(client, scene, fields, message):
    b, thesis, _ = scene
    response = post(client, b, thesis, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert counts() == (1, 0, 0)


def test_it_refuses_bytes_that_are_not_utf8(client, scene):
    b, thesis, _ = scene
    body = f"parent={thesis.pk}&stance=support&quote=Moscow+heard+another.&claim=Broken+%ED%A0%80+text"
    response = client.post(url_for(b.map, b.source), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "invalid characters" in response.text
    assert counts() == (1, 0, 0)


def test_it_refuses_a_parent_from_another_map(client, scene, teacher):
    b, thesis, _ = scene
    other = Map.objects.create(title="Other", owner=teacher, visibility=Visibility.PUBLIC)
    foreign = Node.objects.create(map=other, kind="thesis", text="Elsewhere")
    response = post(client, b, foreign, quote=TEXT_OF)
    assert response.status_code == 400 and "from this map" in response.text
    assert Quote.objects.count() == 0 and Relation.objects.count() == 0


def test_a_source_that_is_not_on_the_map_is_not_found(client, scene):
    b, thesis, _ = scene
    stranger = Source.objects.create(text="Moscow heard another. More.")
    response = client.post(url_for(b.map, stranger), {"parent": thesis.pk, "stance": "support",
                                                       "claim": "A claim", "quote": TEXT_OF})
    assert response.status_code == 404 and Quote.objects.count() == 0


def test_only_contributors_and_up_may_add_evidence(client, scene):
    b, thesis, roles = scene
    for role in ("viewer", "outsider"):
        client.force_login(roles[role])
        assert post(client, b, thesis, quote=TEXT_OF).status_code == 403
    for role in ("editor", "owner"):
        client.force_login(roles[role])
        assert post(client, b, thesis, quote=TEXT_OF, claim=f"The {role} agrees").status_code == 302
    assert Quote.objects.count() == 2


def test_a_private_map_is_not_found_for_outsiders(client, build, people):
    b = build(Visibility.PRIVATE)
    thesis = b.thesis()
    roles = people(b.map)
    client.force_login(roles["outsider"])
    assert post(client, b, thesis, quote=TEXT_OF).status_code == 404
    assert client.get(url_for(b.map, b.source)).status_code == 404


def test_anonymous_people_are_sent_to_log_in_and_htmx_gets_403(client, scene):
    b, thesis, _ = scene
    client.logout()
    response = post(client, b, thesis, quote=TEXT_OF)
    assert response.status_code == 302 and reverse("login") in response.url
    assert post(client, b, thesis, htmx=True, quote=TEXT_OF).status_code == 403
    assert Quote.objects.count() == 0


def test_other_methods_are_not_allowed(client, scene):
    b, _, _ = scene
    assert client.put(url_for(b.map, b.source)).status_code == 405
    assert client.delete(url_for(b.map, b.source)).status_code == 405


def test_the_form_page_works_without_javascript(client, scene):
    b, thesis, _ = scene
    b.claim("The relay stations failed", under=thesis)
    response = client.get(url_for(b.map, b.source))
    assert response.status_code == 200 and "<h1>Add evidence from “Test article”</h1>" in response.text
    # "Find" posts the form back with what was typed and lists the matching nodes.
    response = client.post(url_for(b.map, b.source), {"action": "find", "q": "relay", "claim": "Half typed",
                                                      "stance": "oppose", "quote": TEXT_OF})
    assert response.status_code == 200
    assert "The relay stations failed" in response.text and "Half typed</textarea>" in response.text
    assert 'value="oppose" required checked' in response.text
    assert Quote.objects.count() == 0


def test_the_form_page_does_not_grow_queries_with_the_map(client, demo_map, django_assert_max_num_queries):
    client.force_login(demo_map.owner)
    source = demo_map.sources.first()
    with django_assert_max_num_queries(8):
        assert client.get(url_for(demo_map, source), {"q": "Lukashenko"}).status_code == 200


# Another quote for an existing claim


@pytest.fixture
def evidence(client, scene):
    b, thesis, roles = scene
    post(client, b, thesis, quote=TEXT_OF)
    return Quote.objects.get().node


def quote_url(node):
    return reverse("quote-add", args=[node.map.code, node.pk])


def test_the_author_adds_another_quote_to_their_evidence(client, scene, evidence):
    b, _, _ = scene
    page = client.get(quote_url(evidence))
    assert page.status_code == 200 and 'name="source"' in page.text and "Test article" in page.text
    response = client.post(quote_url(evidence), {"source": b.source.code, "quote": "The relay stations"})
    added = evidence.quotes.get(exact="The relay stations")
    assert response.status_code == 302 and response.url.endswith(f"?quote={added.pk}#quote-{added.pk}")
    assert evidence.quotes.count() == 2


def test_the_focus_view_links_to_adding_a_quote_for_those_who_may(client, scene, evidence):
    b, _, roles = scene
    focus = reverse("node-focus", args=[b.map.code, evidence.pk])
    assert quote_url(evidence) in client.get(focus).text
    client.force_login(roles["viewer"])
    assert quote_url(evidence) not in client.get(focus).text


def test_another_contributor_may_not_add_quotes_to_someone_elses_node(client, scene, evidence, django_user_model):
    b, _, _ = scene
    from argmap.models import Membership

    other = django_user_model.objects.create_user("other-student", password="a-long-test-password")
    Membership.objects.create(map=b.map, user=other, role="contributor")
    client.force_login(other)
    assert client.post(quote_url(evidence), {"source": b.source.code, "quote": "The relay"}).status_code == 403
    assert evidence.quotes.count() == 1


def test_adding_a_quote_refuses_bad_input(client, scene, evidence):
    b, thesis, roles = scene
    stranger = Source.objects.create(text="The relay stations. Another text.")
    for data, message in [
        ({"source": stranger.code, "quote": "The relay"}, "Choose one of this map&#x27;s sources"),
        ({"source": b.source.code, "quote": ""}, "Select a passage"),
        ({"source": b.source.code, "quote": "Not in there at all, no"}, "is not in “Test article”"),
        ({"source": b.source.code, "quote": TEXT_OF}, "already quotes that passage"),
    ]:
        response = client.post(quote_url(evidence), data)
        assert response.status_code == 400 and message in response.text
    assert evidence.quotes.count() == 1
    client.force_login(roles["owner"])
    response = client.post(quote_url(thesis), {"source": b.source.code, "quote": "The relay"})
    assert response.status_code == 400 and "A thesis is what the map argues about" in response.text


def test_it_heads_the_errors_with_what_was_not_added_on_both_evidence_forms(client, scene, evidence):
    b, thesis, _ = scene
    response = post(client, b, thesis, quote="Warsaw said nothing at all today")
    assert response.status_code == 400 and "<p>Your evidence was not added:</p>" in response.text
    response = client.post(quote_url(evidence), {"source": b.source.code, "quote": "Warsaw said nothing at all"})
    assert response.status_code == 400 and "<p>The quote was not added:</p>" in response.text


def test_adding_a_quote_asks_which_occurrence(client, scene, evidence):
    b, _, _ = scene
    response = client.post(quote_url(evidence), {"source": b.source.code, "quote": "Minsk said one thing."})
    assert response.status_code == 400 and 'name="position"' in response.text
    assert f'name="source" value="{b.source.code}"' in response.text
    response = client.post(quote_url(evidence), {"source": b.source.code, "quote": "Minsk said one thing.",
                                                 "position": 0})
    assert response.status_code == 302 and evidence.quotes.filter(start=0).exists()


def test_adding_a_quote_to_a_node_of_another_map_is_not_found(client, scene, teacher, article):
    b, _, _ = scene
    other = Map.objects.create(title="Other", owner=teacher, visibility=Visibility.PUBLIC)
    MapSource.objects.create(map=other, source=article)
    foreign = Node.objects.create(map=other, text="Foreign claim")
    url = reverse("quote-add", args=[b.map.code, foreign.pk])
    assert client.post(url, {"source": b.source.code, "quote": "The relay"}).status_code == 404


def test_adding_a_quote_with_nothing_filled_in_says_what_is_missing(client, scene, evidence):
    response = client.post(quote_url(evidence), {})
    assert response.status_code == 400 and "Choose the source you quote." in response.text
    assert evidence.quotes.count() == 1
