"""A node's history on its focus view, deleted nodes' pages, and the map's list of deleted nodes."""

import re

import pytest
from django.urls import reverse

from argmap import comments, editing
from argmap.models import Change, Node, Quote, Visibility


@pytest.fixture
def site(site):
    """The shared Site with a contributor's claim under the thesis (`met`) and one under that (`below`),
    both made through the app, so that their history is recorded."""
    contributor = site.people["contributor"]
    site.met, _ = editing.add_claim(site.thesis, contributor, "He met the Poles", "support")
    site.below, _ = editing.add_claim(site.met, contributor, "Minutes of the meeting", "support")
    return site


def focus(client, site, node):
    return client.get(reverse("node-focus", args=[site.map.code, node.pk]))


def history_section(html: str) -> str:
    match = re.search(r'<section id="history".*?</section>', html, re.S)
    assert match, "no history section"
    return match.group(0)


def test_it_shows_who_changed_what_and_when_newest_first_with_the_texts_before_and_after(client, site):
    editor = site.people["editor"]
    editing.edit_text(site.met, "He met the <Poles> twice", 1, editor)
    editing.attach(site.met, editing.add_thesis(site.map, editor, "Belarus is loyal"), "oppose", editor)
    history = history_section(focus(client, site, site.met).text)
    entries = re.findall(r'<li class="history-entry.*?</li>', history, re.S)
    assert len(entries) == 3
    assert editor.username in entries[0] and "placed it under “Belarus is loyal” too, opposing it" in entries[0]
    assert "edited the text" in entries[1]
    assert "He met the Poles</blockquote>" in entries[1] and "He met the &lt;Poles&gt; twice</blockquote>" in entries[1]
    assert site.people["contributor"].username in entries[2] and "supporting “Lukashenko is hedging”" in entries[2]
    assert "<time datetime=" in entries[0]


def test_it_leaves_the_history_out_where_nothing_was_recorded(client, site, build):
    legacy = build().thesis("Seeded before history existed")
    html = client.get(reverse("node-focus", args=[legacy.map.code, legacy.pk])).text
    assert 'id="history"' not in html


def test_it_offers_to_restore_a_deleted_quote_only_to_those_who_may(client, site):
    users = site.people
    evidence = site.builder.claim("Stations went quiet", under=site.thesis, quote="The relay stations stopped working.")
    quote = Quote.objects.get(node=evidence)
    editing.delete_quote(quote, users["editor"])
    restore_url = reverse("quote-restore", args=[site.map.code, quote.pk])
    assert restore_url not in focus(client, site, evidence).text  # anonymous
    client.force_login(users["contributor"])  # not their quote
    assert restore_url not in focus(client, site, evidence).text
    client.force_login(users["editor"])
    html = focus(client, site, evidence).text
    assert restore_url in html and "deleted a quote: “The relay stations stopped working.”" in html
    client.post(restore_url, {"back": "focus"})
    assert restore_url not in focus(client, site, evidence).text


def test_it_offers_a_comments_author_to_restore_it_from_the_history(client, site):
    author = site.people["viewer"]
    comment = comments.post(site.met, author, "A thought")
    comments.delete(comment, author)
    restore_url = reverse("comment-restore", args=[site.map.code, comment.pk])
    client.force_login(author)
    history = history_section(focus(client, site, site.met).text)
    assert restore_url in history and "A thought" not in history  # what it said stays with the comment
    client.force_login(site.people["editor"])
    assert restore_url not in history_section(focus(client, site, site.met).text)


# A deleted node's page


@pytest.mark.parametrize("role, shown", [
    ("owner", True), ("editor", True), ("contributor", True),  # the contributor wrote it
    ("viewer", False), ("outsider", False), ("anonymous", False),
])
def test_it_shows_a_deleted_node_to_those_who_may_restore_it(client, site, role, shown):
    editing.delete_node(site.met, site.people["editor"])
    if role != "anonymous":
        client.force_login(site.people[role])
    response = focus(client, site, site.met)
    assert response.status_code == (200 if shown else 404)
    if shown:
        assert f"Deleted</strong> by {site.people['editor'].username}" in response.text
        assert reverse("node-restore", args=[site.map.code, site.met.pk]) in response.text
        assert "deleted it, with the 1 node below that had no other place" in response.text


def test_it_restores_a_deleted_node_from_its_page_with_what_went_with_it(client, site):
    editing.delete_node(site.met, site.people["editor"])
    client.force_login(site.people["owner"])
    page = focus(client, site, site.below)
    assert "along with “He met the Poles”" in page.text and "Restore both" in page.text
    response = client.post(reverse("node-restore", args=[site.map.code, site.below.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#history")
    assert not Node.objects.get(pk=site.met.pk).is_deleted and not Node.objects.get(pk=site.below.pk).is_deleted
    html = client.get(response["Location"]).text
    assert "restored it" in html and 'class="deleted-banner"' not in html


def test_it_says_why_a_node_cannot_come_back_yet(client, site):
    editing.delete_node(site.below, site.people["editor"])
    editing.delete_node(site.met, site.people["editor"])
    client.force_login(site.people["editor"])
    response = client.post(reverse("node-restore", args=[site.map.code, site.below.pk]))
    assert response.status_code == 400 and "Restore that first" in response.text
    assert Node.objects.get(pk=site.below.pk).is_deleted


# The map's deleted nodes


def test_it_lists_deleted_nodes_with_what_went_with_them_for_editors(client, site):
    editing.delete_node(site.met, site.people["contributor"])
    client.force_login(site.people["editor"])
    response = client.get(reverse("map-deleted", args=[site.map.code]))
    assert response.status_code == 200
    html = response.text
    assert "He met the Poles" in html and "1 node below went with it" in html and "Minutes of the meeting" in html
    assert html.count(reverse("node-restore", args=[site.map.code, site.met.pk])) == 1
    assert reverse("node-restore", args=[site.map.code, site.below.pk]) not in html  # it comes back with its parent
    response = client.post(reverse("node-restore", args=[site.map.code, site.met.pk]), {"back": "deleted"})
    assert response["Location"] == reverse("map-deleted", args=[site.map.code])
    assert "Nothing has been deleted" in client.get(response["Location"]).text


@pytest.mark.parametrize("role, status", [("contributor", 403), ("viewer", 403), ("outsider", 403)])
def test_it_keeps_the_deleted_list_to_editors_and_owners(client, site, role, status):
    client.force_login(site.people[role])
    assert client.get(reverse("map-deleted", args=[site.map.code])).status_code == status


def test_it_sends_anonymous_people_to_log_in_and_hides_private_maps(client, build, outsider):
    b = build(Visibility.PRIVATE)
    address = reverse("map-deleted", args=[b.map.code])
    assert client.get(address)["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(address).status_code == 404


def test_the_history_records_each_change_once(site):
    editing.delete_node(site.met, site.people["editor"])
    editing.restore_node(site.met, site.people["editor"])
    actions = list(Change.objects.filter(node=site.met).order_by("id").values_list("action", flat=True))
    assert actions == ["create", "delete", "restore"]


def test_it_offers_no_restore_where_the_node_went_with_someone_elses(client, site):
    """The contributor wrote the node below, but the node it went with is the editor's."""
    editors_claim, _ = editing.add_claim(site.thesis, site.people["editor"], "The editor's claim", "support")
    theirs_below, _ = editing.add_claim(editors_claim, site.people["contributor"], "The contributor's reply", "support")
    editing.delete_node(editors_claim, site.people["editor"])
    client.force_login(site.people["contributor"])
    page = focus(client, site, theirs_below)
    assert page.status_code == 200 and "along with “The editor&#x27;s claim”" in page.text
    assert reverse("node-restore", args=[site.map.code, theirs_below.pk]) not in page.text
    assert client.post(reverse("node-restore", args=[site.map.code, theirs_below.pk])).status_code == 403
    assert Node.objects.get(pk=theirs_below.pk).is_deleted
