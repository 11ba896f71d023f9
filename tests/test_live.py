"""Live updates: the pages embed a poller; the poll answers 204 until the map changes, in one query,
then which nodes changed; the map page fetches just those rows."""

import html as html_lib
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import signing
from django.db import connection, connections
from django.urls import reverse
from django.utils.http import urlencode

from argmap import comments, editing, live, votes
from argmap.access import Access
from argmap.models import Comment, LiveChange, Map, Node, NodeKind, NodeStatus, Role, Visibility

POLLER = re.compile(r'<div id="live-poller"[^>]*hx-get="([^"]+)"[^>]*hx-trigger="every 2s')


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
    assert response.status_code == 200 and changed_detail(response)["nodes"] == [claim.pk]
    next_url = poll_url_in(response.content.decode())
    assert next_url != url and "since=" in next_url
    assert client.get(next_url).status_code == 204  # and quiet again from the new point on


def test_it_tells_the_page_about_a_new_node(client, mapped):
    map_, thesis, claim, people = mapped
    url = page_poll_url(client, reverse("node-focus", args=[map_.code, claim.pk]))
    Node.objects.create(map=map_, text="Fresh claim", author=people["editor"]).bear_on(claim, "oppose")
    assert claim.pk in changed_detail(client.get(url))["nodes"]


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


# What each write records, for the pages to fetch only what changed


def last_change(map_):
    return LiveChange.objects.filter(map=map_).order_by("activity").last()


def test_it_logs_every_bump_of_activity_with_the_nodes_it_changed(mapped):
    map_, thesis, claim, people = mapped
    map_.refresh_from_db()
    logged = LiveChange.objects.filter(map=map_).order_by("activity")
    assert [c.activity for c in logged] == list(range(1, map_.activity + 1))  # contiguous from the start

    comments.post(claim, people["contributor"], "A thought")
    assert (last_change(map_).nodes, last_change(map_).shape) == ([claim.pk], False)

    claim.text = "He keeps every door open"
    claim.save(update_fields=["text"])
    assert (last_change(map_).nodes, last_change(map_).shape) == ([claim.pk], True)
    claim.save()  # saved whole: its status may have changed, and with it who sees it under its parent
    assert (sorted(last_change(map_).nodes), last_change(map_).shape) == (sorted([claim.pk, thesis.pk]), True)

    reply = Node.objects.create(map=map_, text="But not to Kyiv", author=people["editor"])
    relation = reply.bear_on(claim, "oppose")
    assert sorted(last_change(map_).nodes) == sorted([reply.pk, claim.pk])  # the child and its new parent

    votes.cast(Access(map_, people["contributor"], role=Role.CONTRIBUTOR), relation, 3)
    assert (last_change(map_).nodes, last_change(map_).scores) == ([reply.pk], True)

    editing.delete_node(reply, people["owner"])
    assert set(last_change(map_).nodes) >= {reply.pk, claim.pk}  # its parent's children changed too

    Map.note_activity(map_.pk)  # a change nobody said the nodes of
    assert last_change(map_).nodes is None


def test_it_keeps_only_the_latest_changes_of_a_map(mapped, monkeypatch):
    map_, thesis, claim, _ = mapped
    monkeypatch.setattr(LiveChange, "KEPT", 5)
    monkeypatch.setattr(LiveChange, "PRUNE_EVERY", 3)
    for _ in range(20):
        Map.note_activity(map_.pk, nodes=[claim.pk])
    map_.refresh_from_db()
    kept = list(LiveChange.objects.filter(map=map_).values_list("activity", flat=True))
    assert map_.activity - 5 - 3 < min(kept) and max(kept) == map_.activity and len(kept) <= 5 + 3
    # A page further behind than what is kept refreshes whole.
    assert live.changes_since(map_, min(kept) - 2) == live.EVERYTHING
    assert live.changes_since(map_, map_.activity - 2)["nodes"] == [claim.pk]


@pytest.mark.django_db(transaction=True)
def test_it_numbers_concurrent_changes_without_gaps_or_repeats(build):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time anyway")
    map_ = build().map
    before = Map.objects.get(pk=map_.pk).activity

    def write(_):
        try:
            for _ in range(10):
                Map.note_activity(map_.pk, nodes=[1])
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    map_.refresh_from_db()
    numbers = list(LiveChange.objects.filter(map=map_).order_by("activity").values_list("activity", flat=True))
    assert numbers == list(range(1, map_.activity + 1)) and map_.activity == before + 40


# The poll's answer


def changed_detail(response) -> dict:
    assert response.status_code == 200
    return json.loads(response["HX-Trigger"])[live.CHANGED_EVENT]


def test_it_says_which_nodes_changed_and_which_rows_show_new_counts(client, mapped):
    map_, thesis, claim, people = mapped
    url = page_poll_url(client, map_.get_absolute_url())
    deeper = Node.objects.create(map=map_, text="Fresh claim", author=people["editor"])
    deeper.bear_on(claim, "oppose")
    detail = changed_detail(client.get(url))
    assert detail["nodes"] == sorted([deeper.pk, claim.pk])
    assert detail["rows"] == sorted([deeper.pk, claim.pk, thesis.pk])  # the thesis's count moved
    assert detail["scores"] is True and detail["theses"] == [] and "everything" not in detail


def test_it_tells_pages_to_refresh_whole_when_it_cannot_say_what_changed(client, mapped):
    map_, thesis, claim, _ = mapped
    url = page_poll_url(client, map_.get_absolute_url())
    Map.note_activity(map_.pk)
    assert changed_detail(client.get(url)) == {"everything": True}


def test_it_names_a_new_thesis_so_pages_without_it_refresh(client, mapped):
    map_, thesis, claim, people = mapped
    url = page_poll_url(client, map_.get_absolute_url())
    Node.objects.create(map=map_, kind=NodeKind.THESIS, text="Another thesis", author=people["owner"])
    new = Node.objects.get(text="Another thesis")
    assert changed_detail(client.get(url))["theses"] == [new.pk]


def test_it_polls_a_change_in_two_queries(client, mapped, django_assert_max_num_queries):
    map_, thesis, claim, people = mapped
    url = page_poll_url(client, map_.get_absolute_url())
    client.get(map_.get_absolute_url())  # the graph is cached
    comments.post(claim, people["contributor"], "One more")
    with django_assert_max_num_queries(2):
        assert client.get(url).status_code == 200


# The rows a live update fetches


def rows_url(map_, *paths, changed=(), **params):
    query = [("path", ".".join(map(str, p))) for p in paths] + [("changed", ",".join(map(str, changed)))]
    return f"{reverse('map-rows', args=[map_.code])}?{urlencode(query + list(params.items()))}"


def test_it_renders_just_the_rows_asked_for(client, mapped):
    map_, thesis, claim, people = mapped
    other = Node.objects.create(map=map_, text="A claim nobody asked about", author=people["owner"])
    other.bear_on(thesis, "support")
    claim.text = "He keeps every door open"
    claim.save()
    html = client.get(rows_url(map_, (thesis.pk, claim.pk), changed=[claim.pk])).content.decode()
    assert f'id="node-{thesis.pk}-{claim.pk}-card"' in html and "He keeps every door open" in html
    assert "A claim nobody asked about" not in html and "data-live-children" not in html


def test_it_lists_an_open_rows_children_keeping_the_ones_the_page_has(client, mapped):
    map_, thesis, claim, people = mapped
    new = Node.objects.create(map=map_, text="A claim just added", author=people["editor"])
    new.bear_on(thesis, "oppose")
    html = client.get(rows_url(map_, (thesis.pk,), changed=[thesis.pk, new.pk], scores="1")).content.decode()
    assert f'<ul class="tree" id="node-{thesis.pk}-children" data-live-children>' in html
    assert f'<li id="node-{thesis.pk}-{claim.pk}" data-live-keep></li>' in html  # the page keeps its own
    assert f'<li id="node-{thesis.pk}-{new.pk}" data-path=' in html and "A claim just added" in html
    assert 'id="scoreboard"' in html


def test_it_never_shows_another_students_pending_node(client, lesson):
    lesson = lesson(students=2, moderation=True)
    thesis = lesson.builder.thesis("Lukashenko is hedging")
    pending = Node.objects.create(map=lesson.map, text="Not approved yet", author=lesson.students[0],
                                  status=NodeStatus.PENDING)
    pending.bear_on(thesis, "support", author=lesson.students[0])
    client.force_login(lesson.students[1])
    hidden = client.get(rows_url(lesson.map, (thesis.pk, pending.pk)))
    assert hidden.status_code == 205 and hidden.content == b""  # as for a row that is not there at all
    html = client.get(rows_url(lesson.map, (thesis.pk,), changed=[thesis.pk, pending.pk])).content.decode()
    assert f'id="node-{thesis.pk}-card"' not in html and f"node-{thesis.pk}\"" in html
    assert "Not approved yet" not in html and f"node-{thesis.pk}-{pending.pk}" not in html
    client.force_login(lesson.students[0])  # its author sees it
    assert "Not approved yet" in client.get(rows_url(lesson.map, (thesis.pk, pending.pk))).content.decode()


def test_an_approved_claim_comes_into_the_open_lists_of_the_students_who_could_not_see_it(client, lesson):
    from argmap.classroom.moderation import approve

    lesson = lesson(students=2, moderation=True)
    thesis = lesson.builder.thesis("Lukashenko is hedging")
    pending = Node.objects.create(map=lesson.map, text="Approved at last", author=lesson.students[0],
                                  status=NodeStatus.PENDING)
    pending.bear_on(thesis, "support", author=lesson.students[0])
    approve(pending, lesson.teacher)
    assert set(last_change(lesson.map).nodes) == {pending.pk, thesis.pk}  # the parent's list changed too
    client.force_login(lesson.students[1])
    html = client.get(rows_url(lesson.map, (thesis.pk,), changed=last_change(lesson.map).nodes)).content.decode()
    assert f'<li id="node-{thesis.pk}-{pending.pk}" data-path=' in html and "Approved at last" in html


@pytest.mark.parametrize("query, status", [
    ("path=12.x", 400),
    ("path=1&changed=a,b", 400),
    ("&".join(["path=1"] * 201), 400),
    ("path=999999", 205),  # gone, or never there: the page fetches its trees whole
])
def test_it_refuses_bad_paths(client, mapped, query, status):
    map_, *_ = mapped
    assert client.get(f"{reverse('map-rows', args=[map_.code])}?{query}").status_code == status


def test_it_hides_a_private_maps_rows_from_outsiders(client, build, people):
    private = build(Visibility.PRIVATE)
    thesis = private.thesis("Secret thesis")
    users = people(private.map)
    client.force_login(users["outsider"])
    assert client.get(rows_url(private.map, (thesis.pk,))).status_code == 404
    client.force_login(users["viewer"])
    assert "Secret thesis" in client.get(rows_url(private.map, (thesis.pk,))).content.decode()


def test_it_names_the_cards_whose_also_in_lists_show_a_reworded_parent(client, mapped):
    map_, thesis, claim, people = mapped
    elsewhere = Node.objects.create(map=map_, text="Russia pays for the gas", author=people["owner"])
    elsewhere.bear_on(thesis, "oppose")
    shared = Node.objects.create(map=map_, text="Minsk signs what Moscow writes", author=people["owner"])
    shared.bear_on(claim, "oppose")
    shared.bear_on(elsewhere, "support")
    url = page_poll_url(client, map_.get_absolute_url())
    claim.text = "He keeps every door open"
    claim.save()

    assert shared.pk in changed_detail(client.get(url))["rows"]
    # Under its other parent its card names the claim by its new text.
    html = client.get(rows_url(map_, (thesis.pk, elsewhere.pk, shared.pk), open=f"{thesis.pk}.{elsewhere.pk}",
                               changed=[claim.pk])).content.decode()
    assert "Also in 1 other place" in html and "He keeps every door open" in html


def test_it_draws_a_theses_card_alone_when_its_text_or_status_changes(client, lesson):
    lesson = lesson(students=1, moderation=True)
    thesis = lesson.builder.thesis("Lukashenko is hedging")
    client.force_login(lesson.teacher)
    thesis.text = "Lukashenko is hedging his bets"
    thesis.status = NodeStatus.PENDING
    thesis.save()
    html = client.get(rows_url(lesson.map, (thesis.pk,), changed=[thesis.pk])).content.decode()
    assert f'<div class="thesis-card" id="node-{thesis.pk}">' in html
    assert "Lukashenko is hedging his bets" in html and "Pending approval" in html
    assert "<section" not in html  # the card only: the page keeps the thesis's tree


def test_it_keeps_a_level_shown_whole_whole(client, mapped, settings):
    map_, thesis, claim, people = mapped
    settings.ARGMAP_CHILDREN_PAGE = 2
    for number in range(3):
        Node.objects.create(map=map_, text=f"Reply {number}", author=people["editor"]).bear_on(claim, "oppose")
    branch = (thesis.pk, claim.pk)
    open_ = f"{thesis.pk}.{claim.pk}"
    paged = client.get(rows_url(map_, branch, open=open_, changed=[claim.pk])).content.decode()
    assert paged.count("data-live-keep") == 2 and "Show 1 more" in paged
    whole = client.get(rows_url(map_, branch, open=open_, whole=open_, changed=[claim.pk])).content.decode()
    assert whole.count("data-live-keep") == 3 and "Show 1 more" not in whole


def test_it_refuses_a_bad_whole_path(client, mapped):
    map_, thesis, *_ = mapped
    assert client.get(rows_url(map_, (thesis.pk,), whole="12.x")).status_code == 400
