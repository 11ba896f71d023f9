"""bench/load/pages.py reads what a simulated student acts on off the real pages: if a template
changes so that the load test would stop polling, writing or expanding, this says so."""

import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from argmap.models import Comment, Membership, Role
from tests.helpers import HTMX, htmx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "load"))
import pages  # noqa: E402

User = get_user_model()


@pytest.fixture
def contributor_page(client, demo_map):
    user = User.objects.create_user("pupil", password="a-long-pupil-pass")
    Membership.objects.create(map=demo_map, user=user, role=Role.CONTRIBUTOR)
    client.force_login(user)
    return demo_map, client.get(demo_map.get_absolute_url()).content.decode()


def test_it_reads_the_poll_url_and_csrf_token_that_poll_and_post(client, contributor_page):
    demo_map, page = contributor_page
    poll = pages.poll_url(page)
    assert poll.startswith(f"/maps/{demo_map.code}/activity/?token=") and "&amp;" not in poll
    assert client.get(poll).status_code == 204  # unchanged since the page was read
    thread, panel = pages.comment_threads(page)[0]
    response = client.post(thread + "new/", {"text": "A question"}, headers={**htmx(panel), "X-CSRFToken": pages.csrf_token(page)})
    assert response.status_code == 200 and "A question" in response.content.decode()
    assert client.get(poll).status_code == 200  # now changed


def test_it_finds_the_tree_as_the_one_live_region_of_the_map_page(contributor_page):
    demo_map, page = contributor_page
    assert pages.live_regions(page) == [pages.LiveRegion("trees", demo_map.get_absolute_url(), True)]


def test_it_reads_the_rows_forms_and_links(client, contributor_page):
    demo_map, page = contributor_page
    replies, votes, focus, readers = (pages.reply_links(page), pages.vote_forms(page), pages.focus_links(page),
                                      pages.reader_links(page))
    assert replies and votes and focus and readers
    assert client.get(replies[0], headers=HTMX).status_code == 200
    assert client.get(focus[0]).status_code == 200 and client.get(readers[0]).status_code == 200
    url, relation, place = votes[0]
    response = client.post(url, {"impact": "3", "place": place}, headers=htmx(f"{place}-vote"))
    assert response.status_code == 200 and f'id="{place}-vote"' in response.content.decode()


def test_it_expands_a_branch_and_then_counts_it_open(client, contributor_page):
    demo_map, page = contributor_page
    closed = [toggle for toggle in pages.toggles(page) if toggle.opens]
    assert closed and closed[0].path not in pages.open_paths(page)
    toggle = closed[0]
    branch = client.get(toggle.request_url(), headers=htmx(toggle.target)).content.decode()
    assert toggle.path in pages.open_paths(page + branch)  # the later copy of the row is how it is now


def test_it_asks_the_rows_url_for_the_shown_rows_a_change_names(client, contributor_page):
    demo_map, page = contributor_page
    thread, panel = pages.comment_threads(page)[0]
    node_id = int(thread.rstrip("/").split("/")[-2])
    before = Comment.objects.filter(node_id=node_id, deleted_at__isnull=True).count()
    client.post(thread + "new/", {"text": "Which passage?"}, headers={**htmx(panel), "X-CSRFToken": pages.csrf_token(page)})
    detail = pages.changed_detail(client.get(pages.poll_url(page), headers=HTMX)["HX-Trigger"])
    assert detail["nodes"] == [node_id]
    shown = [path for path in pages.row_paths(page) if int(path.rsplit(".", 1)[-1]) in detail["rows"]]
    assert shown, "the commented row is on the page"
    query = "&".join(f"path={path}" for path in shown)
    rows = client.get(f"{pages.rows_url(page)}?{query}&changed={node_id}", headers=HTMX).content.decode()
    assert f">{before + 1} comment" in rows and rows.count('class="node-card"') + rows.count('class="thesis-card"') == len(shown)
    assert pages.changed_detail("argmap-changed") is None  # a change the log cannot name: refetch everything


def test_a_region_that_names_its_nodes_is_fetched_again_only_for_them(client, demo_map):
    node = demo_map.nodes.filter(kind="claim").first()
    page = client.get(f"/maps/{demo_map.code}/nodes/{node.pk}/").content.decode()
    assert pages.shows_any(page, {node.pk})
    assert not pages.shows_any(page, {10**9})
