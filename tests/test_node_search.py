"""The node picker used by the forms that need a parent."""

from django.urls import reverse

from argmap.models import Visibility


def search(client, map_, **params):
    return client.get(reverse("node-search", args=[map_.code]), params, headers={"HX-Request": "true"})


def test_it_lists_the_theses_before_anything_is_typed(client, demo_map):
    response = search(client, demo_map)
    assert response.status_code == 200
    assert "Lukashenko is hedging" in response.text
    assert 'name="parent"' in response.text


def test_it_finds_nodes_containing_every_word_in_any_case(client, build):
    b = build()
    thesis = b.thesis("Belarus hedges")
    b.claim("The relay stations stopped working", under=thesis)
    b.claim("Stations of the metro were busy", under=thesis)
    response = search(client, b.map, q="RELAY stations")
    assert "The relay stations stopped working" in response.text
    assert "metro" not in response.text


def test_it_leaves_out_a_node_and_its_descendants_when_asked(client, build):
    b = build()
    thesis = b.thesis("Belarus hedges")
    moving = b.claim("A claim about relays", under=thesis)
    below = b.claim("Another relays claim", under=moving)
    sibling = b.claim("A sibling about relays", under=thesis)
    response = search(client, b.map, q="relays", exclude=moving.pk, name="new_parent")
    assert f'name="new_parent" value="{sibling.pk}"' in response.text
    assert f'value="{moving.pk}"' not in response.text and f'value="{below.pk}"' not in response.text


def test_it_escapes_node_text_and_hides_private_maps(client, build):
    b = build(Visibility.PRIVATE)
    b.thesis("<script>alert(1)</script>")
    assert search(client, b.map).status_code == 404
    client.force_login(b.owner)
    response = search(client, b.map)
    assert "<script>alert(1)" not in response.text and "&lt;script&gt;" in response.text


def test_without_htmx_it_is_a_page_with_a_search_form(client, demo_map):
    response = client.get(reverse("node-search", args=[demo_map.code]), {"q": "relay"})
    assert response.status_code == 200 and "<h1>" in response.text and 'type="search"' in response.text
