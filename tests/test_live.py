"""Live updates: the pages embed a poller; the poll answers 204 until the map changes, in one query."""

import html as html_lib
import re

import pytest
from django.core import signing
from django.urls import reverse

from argmap import comments
from argmap import live
from argmap.models import Comment, Node, Visibility

POLLER = re.compile(r'<div id="live-poller"[^>]*hx-get="([^"]+)"[^>]*hx-trigger="every 4s"')


@pytest.fixture
def mapped(build, people):
    builder = build()
    thesis = builder.thesis("Lukashenko is hedging")
    claim = builder.claim("He keeps doors open", under=thesis)
    builder.map.refresh_from_db()
    return builder.map, thesis, claim, people(builder.map)


def poll_url_in(html: str) -> str:
    found = POLLER.search(html)
    assert found, "the page has no live-updates poller"
    return html_lib.unescape(found.group(1))


def page_poll_url(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return poll_url_in(response.content.decode())


def test_it_embeds_a_poller_in_the_map_page_the_focus_view_and_the_reader(client, mapped):
    map_, thesis, claim, _ = mapped
    source = map_.sources.get()
    for url in (
        map_.get_absolute_url(),
        reverse("node-focus", args=[map_.code, claim.pk]),
        reverse("source-reader", args=[map_.code, source.code]),
    ):
        assert page_poll_url(client, url).startswith(f"/maps/{map_.code}/activity/?token="), url


def test_it_marks_the_regions_that_live_updates_refresh(client, mapped):
    map_, thesis, claim, _ = mapped
    page = client.get(map_.get_absolute_url()).content.decode()
    assert re.search(r'<div id="trees"[^>]*data-live-region[^>]*data-live-tree', page)
    focus = client.get(reverse("node-focus", args=[map_.code, claim.pk])).content.decode()
    assert re.search(r'id="children" data-live-region', focus)
    assert re.search(r'<section id="comments"[^>]*data-live-region', focus)


def test_it_answers_204_while_nothing_changed(client, mapped):
    map_, *_ = mapped
    url = page_poll_url(client, map_.get_absolute_url())
    for _ in range(2):
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 204 and not response.content
        assert "HX-Trigger" not in response


@pytest.mark.parametrize("signed_in", [False, True])
def test_it_tells_the_page_about_a_comment_someone_else_added(client, mapped, signed_in):
    map_, thesis, claim, people = mapped
    if signed_in:
        client.force_login(people["viewer"])
    url = page_poll_url(client, map_.get_absolute_url())
    comments.post(claim, people["contributor"], "New thought")

    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Trigger"] == "argmap-changed"
    next_url = poll_url_in(response.content.decode())
    assert next_url != url and "since=" in next_url
    assert client.get(next_url).status_code == 204  # and quiet again from the new point on


def test_it_tells_the_page_about_a_new_node(client, mapped):
    map_, thesis, claim, people = mapped
    url = page_poll_url(client, reverse("node-focus", args=[map_.code, claim.pk]))
    Node.objects.create(map=map_, text="Fresh claim", author=people["editor"]).bear_on(claim, "oppose")
    assert client.get(url)["HX-Trigger"] == "argmap-changed"


def test_it_tells_the_page_about_hiding_and_deleting(client, mapped):
    map_, thesis, claim, people = mapped
    comment = Comment.objects.create(node=claim, author=people["viewer"], text="Hmm")
    url = page_poll_url(client, map_.get_absolute_url())
    comments.hide(comment, people["owner"])
    response = client.get(url)
    assert response.status_code == 200
    url = poll_url_in(response.content.decode())
    comments.delete(comment, people["viewer"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
def test_it_polls_in_one_query_whoever_asks(client, mapped, signed_in, django_assert_max_num_queries):
    map_, thesis, claim, people = mapped
    if signed_in:
        client.force_login(people["contributor"])
    url = page_poll_url(client, map_.get_absolute_url())
    with django_assert_max_num_queries(1):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 204
    Comment.objects.create(node=claim, author=people["owner"], text="Changed")
    with django_assert_max_num_queries(1):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200


def test_it_hands_a_private_maps_token_only_to_people_with_a_role(client, build, people):
    private = build(Visibility.PRIVATE)
    private.thesis("Secret thesis")
    users = people(private.map)
    client.force_login(users["outsider"])
    assert client.get(private.map.get_absolute_url()).status_code == 404
    client.force_login(users["viewer"])
    url = page_poll_url(client, private.map.get_absolute_url())
    assert client.get(url).status_code == 204


def poll(client, code, token, since="0"):
    return client.get(reverse("map-activity", args=[code]), {"token": token, "since": since},
                      headers={"HX-Request": "true"})


def test_it_refuses_forged_tokens_and_stops_the_poller(client, mapped):
    map_, *_ = mapped
    good = live.make_token(map_, None)
    forged = signing.dumps({"map": map_.pk, "user": None}, salt="something else")
    for token in ("", "garbage", good[:-2] + "xx", forged):
        response = poll(client, map_.code, token)
        assert response.status_code == 403, token
        assert response["HX-Reswap"] == "outerHTML"
        html = response.content.decode()
        assert 'id="live-poller"' in html and "hx-get" not in html and "Reload the page" in html


def test_it_refuses_a_token_that_expired(client, mapped, monkeypatch):
    map_, *_ = mapped
    token = live.make_token(map_, None)
    monkeypatch.setattr(live, "TOKEN_MAX_AGE", -1)  # every token is too old
    response = poll(client, map_.code, token)
    assert response.status_code == 403 and "open a long time" in response.content.decode()


def test_it_refuses_a_token_made_for_another_map(client, mapped, build):
    map_, *_ = mapped
    other = build().map
    response = poll(client, map_.code, live.make_token(other, None))
    assert response.status_code == 403
    token = live.make_token(other, None)
    other.delete()
    assert poll(client, map_.code, token).status_code == 404


@pytest.mark.parametrize("since", ["", "-1", "abc", "1" * 25])
def test_it_refuses_a_bad_since(client, mapped, since):
    map_, *_ = mapped
    assert poll(client, map_.code, live.make_token(map_, None), since).status_code == 400


def test_it_is_never_cached_and_only_read(client, mapped):
    map_, *_ = mapped
    url = page_poll_url(client, map_.get_absolute_url())
    assert "no-cache" in client.get(url)["Cache-Control"]
    assert client.post(url).status_code == 405
