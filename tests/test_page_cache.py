"""Kept pages (argmap/views/__init__.py, kept_page): a reader who opens a map's page again gets it
without the work of drawing it, yet every change to what the page shows shows at once, and no
reader ever gets another reader's page or CSRF token."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from argmap.models import ClutterRange, Comment, Map, MapSource, Membership, Quote, Relation, Role

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


@pytest.fixture
def shown(build):
    b = build()
    thesis = b.thesis("Lukashenko is hedging")
    claim = b.claim("He keeps doors open", under=thesis)
    relation = Relation.objects.get(child=claim, parent=thesis)
    return b, thesis, claim, relation


def pages(map_, thesis, claim, source):
    return {
        "map page": map_.get_absolute_url(),
        "branch": f"/maps/{map_.code}/branch/?path={thesis.pk}.{claim.pk}",
        "focus view": f"/maps/{map_.code}/nodes/{claim.pk}/",
        "reader": f"/maps/{map_.code}/sources/{source.code}/",
    }


def get(client, url):
    response = client.get(url, headers={"HX-Request": "true"} if "/branch/" in url else {})
    assert response.status_code == 200, url
    return response.text


def test_it_shows_each_change_on_a_page_seen_before(client, shown, teacher):
    b, thesis, claim, relation = shown
    urls = pages(b.map, thesis, claim, b.source)
    for url in urls.values():
        get(client, url)  # drawn and kept

    claim.text = "He keeps every door open"
    claim.save()
    assert all("He keeps every door open" in get(client, url) for page, url in urls.items() if page != "reader")

    Comment.objects.create(node=claim, author=teacher, text="Which doors?")
    assert "Which doors?" in get(client, urls["focus view"])
    assert "1 comment<" in get(client, urls["map page"]) and "1 comment<" in get(client, urls["branch"])

    Quote.anchor(claim, b.source, "The relay stations stopped working.").save()
    reader = get(client, urls["reader"])
    assert 'class="hl ' in reader and "He keeps every door open" in reader and "The relay stations stopped" in get(client, urls["map page"])

    link = MapSource.objects.get(map=b.map, source=b.source)
    link.title = "The relay report"
    link.save()
    Map.note_activity(b.map.pk)  # as the source's page does when its details change
    assert "The relay report" in get(client, urls["reader"]) and "The relay report" in get(client, urls["map page"])

    ClutterRange.objects.create(map=b.map, source=b.source, start=0, end=5, created_by=teacher)
    assert '<span class="clutter">' in get(client, urls["reader"])

    b.map.title = "Hedging, or not"
    b.map.save()
    assert all("Hedging, or not" in get(client, url) for url in (urls["focus view"], urls["reader"]))


def test_it_shows_a_vote_to_its_voter_and_the_new_count_to_others(client, shown, people):
    b, thesis, claim, relation = shown
    users = people(b.map)
    voter, other = Client(), Client()
    voter.force_login(users["contributor"])
    other.force_login(users["editor"])
    focus = pages(b.map, thesis, claim, b.source)["focus view"]
    assert "No impact votes yet" in get(voter, focus) and "No impact votes yet" in get(other, focus)
    assert "No impact votes yet" in get(client, focus)

    page = get(voter, focus)
    response = voter.post(reverse("vote-cast", args=[b.map.code, relation.pk]),
                          {"impact": "3", "place": "focus", "csrfmiddlewaretoken": TOKEN.search(page)[1]})
    assert response.status_code in (200, 302)

    assert "yours: 3" in get(voter, focus)
    assert "from 1 vote" in get(other, focus) and "yours: 3" not in get(other, focus)
    assert "from 1 vote" in get(client, focus)


def test_it_never_gives_one_readers_page_to_another(shown, people):
    b, thesis, claim, relation = shown
    users = people(b.map)
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(users["contributor"])
    for url in pages(b.map, thesis, claim, b.source).values():
        mine = get(signed_in, url)
        theirs = get(anonymous, url)
        if "/sources/" not in url:
            assert "Reply for" in mine and "Reply for" not in theirs, url
        if "/branch/" not in url:
            assert users["contributor"].username in mine and users["contributor"].username not in theirs, url


def test_it_gives_every_reader_their_own_csrf_token(shown):
    b, thesis, claim, relation = shown
    url = b.map.get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token, second_token = (TOKEN.search(get(c, url))[1] for c in (first, second))
    assert first_token != second_token
    again = TOKEN.search(get(second, url))[1]  # the kept page, with this reader's token
    assert "\x00" not in again
    # Each token works for its own reader (a log-in form sent back answers the form, not a 403).
    for client, token in ((first, first_token), (second, again)):
        response = client.post(reverse("login"), {"username": "nobody", "password": "x"}, headers={"X-CSRFToken": token})
        assert response.status_code != 403


def test_it_shows_a_new_role_at_once(client, shown, people):
    b, thesis, claim, relation = shown
    viewer = people(b.map)["viewer"]
    client.force_login(viewer)
    url = b.map.get_absolute_url()
    assert "Reply for" not in get(client, url)
    Membership.objects.filter(map=b.map, user=viewer).update(role=Role.CONTRIBUTOR)  # no activity on the map
    assert "Reply for" in get(client, url)


def test_a_kept_page_is_drawn_again_within_the_hour_so_its_live_token_stays_fresh(client, shown, monkeypatch):
    import argmap.views as views

    b, thesis, claim, relation = shown
    poller = re.compile(r'id="live-poller"[^>]*hx-get="([^"]+)"')
    now = [1_900_000_000.0]
    monkeypatch.setattr(views.time, "time", lambda: now[0])
    first = poller.search(get(client, b.map.get_absolute_url())).group(1)
    now[0] += 1  # a second later the same page comes from the cache, token and all
    assert poller.search(get(client, b.map.get_absolute_url())).group(1) == first
    now[0] += views.PAGE_HOURS  # (the clock of the token's signature moves too: it is the same time.time)
    fresh = poller.search(get(client, b.map.get_absolute_url())).group(1)
    assert fresh != first  # signed again at the new time: it expires a school day from now
