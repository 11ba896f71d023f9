"""A map's sources, for its owners: adding, attaching, editing, detaching (argmap/views/sources_new.py, source_manage.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from argmap.models import Change, Map, MapSource, Node, Quote, Source, Visibility, untitled_name
from tests.helpers import htmx
from tests.conftest import PASSWORD
from tests.test_sourcefiles import ARTICLE_HTML


def new_url(map_):
    return f"/maps/{map_.code}/sources/new/"


def attach_url(map_):
    return f"/maps/{map_.code}/sources/attach/"


def source_url(map_, source, action):
    return f"/maps/{map_.code}/sources/{source.code}/{action}/"


@pytest.fixture
def owned(build, teacher, client):
    """A public map of the teacher's with one source, the teacher signed in."""
    b = build()
    client.force_login(teacher)
    return b


def add(client, map_, **fields):
    data = {"title": "", "author": "", "publisher": "", "published_on": "", "url": "", "rights": "", "notes": "",
            **fields}
    return client.post(new_url(map_), data)


def upload(name, content, content_type="text/plain"):
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode(), content_type)


def counts():
    return Source.objects.count(), MapSource.objects.count(), Change.objects.count()


# Who may come here


def every_url(map_, source, clutter_id=1):
    """(method, url) of every page and action of this module."""
    return [
        ("get", new_url(map_)), ("post", new_url(map_)),
        ("get", attach_url(map_)), ("post", attach_url(map_)),
        ("get", source_url(map_, source, "manage")),
        ("post", source_url(map_, source, "details")),
        ("post", source_url(map_, source, "text")),
        ("post", source_url(map_, source, "detach")),
        ("post", source_url(map_, source, "clutter")),
        ("post", f"/maps/{map_.code}/sources/{source.code}/clutter/{clutter_id}/remove/"),
        ("post", f"/maps/{map_.code}/sources/{source.code}/clutter/{clutter_id}/restore/"),
    ]


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer", "outsider"])
def test_it_answers_403_to_everyone_but_owners_on_a_public_map(client, build, people, role):
    b = build()
    users = people(b.map)
    client.login(username=users[role].username, password=PASSWORD)
    before = counts()
    for method, url in every_url(b.map, b.source):
        assert getattr(client, method)(url).status_code == 403, (role, method, url)
    assert counts() == before


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_it_answers_403_to_other_roles_on_a_private_map(client, build, people, role):
    b = build(Visibility.PRIVATE)
    users = people(b.map)
    client.login(username=users[role].username, password=PASSWORD)
    for method, url in every_url(b.map, b.source):
        assert getattr(client, method)(url).status_code == 403, (role, method, url)


def test_it_answers_404_to_people_without_a_role_on_a_private_map(client, build, outsider):
    b = build(Visibility.PRIVATE)
    client.force_login(outsider)
    for method, url in every_url(b.map, b.source):
        assert getattr(client, method)(url).status_code == 404, (method, url)


def test_it_sends_anonymous_visitors_to_log_in(client, build):
    b = build()
    for method, url in every_url(b.map, b.source):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], (method, url)


def test_it_lets_a_member_with_the_owner_role_manage_sources(client, build, people):
    from argmap.models import Membership, Role

    b = build(Visibility.PRIVATE)
    co_owner = get_user_model().objects.create_user("co-owner", password=PASSWORD)
    Membership.objects.create(map=b.map, user=co_owner, role=Role.OWNER)
    client.force_login(co_owner)
    assert client.get(source_url(b.map, b.source, "manage")).status_code == 200
    assert client.get(new_url(b.map)).status_code == 200


def test_it_answers_405_to_the_wrong_method(owned):
    from django.test import Client

    client = Client()
    client.force_login(owned.owner)
    assert client.post(source_url(owned.map, owned.source, "manage")).status_code == 405
    for action in ("details", "text", "detach", "clutter"):
        assert client.get(source_url(owned.map, owned.source, action)).status_code == 405, action


def test_it_shows_owners_the_links_to_add_and_manage_sources(client, owned, people):
    users = people(owned.map)
    map_page = client.get(owned.map.get_absolute_url()).content.decode()
    reader = client.get(f"/maps/{owned.map.code}/sources/{owned.source.code}/").content.decode()
    assert f'href="{new_url(owned.map)}"' in map_page and source_url(owned.map, owned.source, "manage") in reader
    client.force_login(users["editor"])
    map_page = client.get(owned.map.get_absolute_url()).content.decode()
    reader = client.get(f"/maps/{owned.map.code}/sources/{owned.source.code}/").content.decode()
    assert new_url(owned.map) not in map_page and "/manage/" not in reader


# Adding a pasted text


def test_it_adds_a_pasted_text_with_lf_line_breaks(client, owned, teacher):
    response = add(client, owned.map, text="Para one.\r\nPara two.\r\n\r\nThree.", title="Pasted piece",
                   author="A. Reporter", published_on="2024-02-29", is_public="on", rights="CC BY 4.0")
    source = Source.objects.in_map(owned.map).get(mapsource__title="Pasted piece")
    assert response.status_code == 302 and response["Location"] == source_url(owned.map, source, "manage")
    assert source.text == "Para one.\nPara two.\n\nThree."
    assert source.author == "A. Reporter" and source.is_public and source.rights == "CC BY 4.0"
    assert str(source.published_on) == "2024-02-29" and source.added_by == teacher
    assert MapSource.objects.filter(map=owned.map, source=source).exists()
    change = Change.objects.get(target_type="source", target_id=source.pk)
    assert change.action == "create" and change.actor == teacher and change.map == owned.map
    page = client.get(response["Location"]).content.decode()
    assert "Added “Pasted piece” to this map." in page


def test_it_keeps_pasted_text_unstripped(client, owned):
    add(client, owned.map, text="  Indented start.\n", title="Spaces")
    assert Source.objects.in_map(owned.map).get(mapsource__title="Spaces").text == "  Indented start.\n"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "Paste the text of the source or choose a file to upload."),
        ({"text": "   \r\n  "}, "The text is empty."),
        ({"text": "with a \x00 NUL"}, "Null characters are not allowed."),
        ({"text": "Fine text.", "title": "T" * 301}, "at most 300 characters"),
        ({"text": "Fine text.", "title": "bad \x00 title"}, "Null characters are not allowed."),
        ({"text": "Fine text.", "url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"text": "Fine text.", "published_on": "2024-02-30"}, "Enter a valid date."),
        ({"text": "Fine text.", "notes": "n" * 2001}, "at most 2000 characters"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(client, owned, fields, message):
    before = counts()
    response = add(client, owned.map, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_it_refuses_a_pasted_text_over_the_limit(client, owned, monkeypatch):
    monkeypatch.setattr("argmap.sourcefiles.MAX_TEXT_CHARS", 20)
    response = add(client, owned.map, text="x" * 21)
    assert response.status_code == 400 and "at most 20" in response.content.decode()


def test_it_refuses_text_and_file_together(client, owned):
    before = counts()
    response = add(client, owned.map, text="Pasted.", file=upload("a.txt", "Uploaded."))
    assert response.status_code == 400 and "Paste the text or upload a file, not both." in response.content.decode()
    assert counts() == before


def test_it_escapes_what_owners_typed(client, owned):
    add(client, owned.map, text="<script>alert('text')</script>", title="<script>alert('title')</script>")
    source = Source.objects.in_map(owned.map).get(mapsource__title="<script>alert('title')</script>")
    for url in [source_url(owned.map, source, "manage"), f"/maps/{owned.map.code}/sources/{source.code}/",
                attach_url(owned.map), owned.map.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;title&#x27;)" in html, url


# Uploading a file


def test_it_stores_an_uploaded_text_file_verbatim(client, owned):
    data = "\ufeffLine one.\r\nLine “two”.\r\n".encode()
    response = add(client, owned.map, title="Uploaded", file=upload("article.txt", data))
    assert response.status_code == 302
    assert Source.objects.in_map(owned.map).get(mapsource__title="Uploaded").text == "Line one.\r\nLine “two”.\r\n"


def test_it_extracts_an_uploaded_web_page_and_takes_its_details(client, owned, teacher):
    response = add(client, owned.map, file=upload("minsk.html", ARTICLE_HTML, "text/html"))
    assert response.status_code == 302
    source = Source.objects.in_map(owned.map).get(mapsource__title="Minsk hedges its bets")
    assert source.author == "Olga Ivanova" and source.publisher == "The Eastern Review"
    assert str(source.published_on) == "2023-03-14"
    assert "relay stations running" in source.text and "Cookie settings" not in source.text
    reader = client.get(f"/maps/{owned.map.code}/sources/{source.code}/").content.decode()
    assert "relay stations running" in reader


def test_it_prefers_the_details_the_owner_typed_to_the_pages(client, owned):
    add(client, owned.map, title="My title", author="My author", file=upload("minsk.html", ARTICLE_HTML))
    source = Source.objects.in_map(owned.map).get(mapsource__title="My title")
    assert source.author == "My author" and source.publisher == "The Eastern Review"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("article.pdf", b"%PDF-1.4", "upload a .txt, .md or .html file"),
        ("article.txt", b"", "The submitted file is empty."),
        ("article.txt", b" \n ", "The file is empty."),
        ("article.txt", "Café".encode("latin-1"), "Text files must be encoded in UTF-8"),
        ("article.txt", b"%PDF-1.4 \x00\x01", "This is a PDF"),
        ("article.md", b"a\x00b", "binary file"),
        ("page.html", b"<html><body><div id='app'></div></body></html>", "no article text"),
    ],
)
def test_it_refuses_bad_files_and_saves_nothing(client, owned, name, data, message):
    before = counts()
    response = add(client, owned.map, file=upload(name, data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_it_refuses_a_file_over_the_size_limit(client, owned, monkeypatch):
    monkeypatch.setattr("argmap.sourcefiles.MAX_UPLOAD_BYTES", 100)
    response = add(client, owned.map, file=upload("big.txt", b"a" * 101))
    assert response.status_code == 400 and "the limit is" in response.content.decode()


# The same text twice


def test_it_reuses_a_source_with_the_same_text_instead_of_copying_it(client, owned, teacher):
    elsewhere = Source.objects.create(text="Shared words.\nMore.", is_public=False)
    response = add(client, owned.map, title="My copy", text="Shared words.\r\nMore.")
    assert response.status_code == 302 and response["Location"] == source_url(owned.map, elsewhere, "manage")
    assert Source.objects.filter(content_hash=elsewhere.content_hash).count() == 1
    assert MapSource.objects.filter(map=owned.map, source=elsewhere, title="My copy").exists()
    assert Change.objects.get(target_type="source", target_id=elsewhere.pk).action == "attach"
    page = client.get(response["Location"]).content.decode()
    assert "Argmap already had this exact text" in page and "Already here" not in page


def test_it_attaches_the_source_someone_stored_a_moment_earlier(client, owned, monkeypatch):
    """Two owners adding the same text at once: the second one's insert collides, and it attaches the first's."""
    from argmap import models
    from argmap.views import sources_new

    earlier = Source.objects.create(text="Raced text.")
    lookups = iter(["not-the-hash"])  # the first lookup misses it, as if it ran just before the other insert
    monkeypatch.setattr(sources_new, "text_hash", lambda text: next(lookups, None) or models.text_hash(text))
    response = add(client, owned.map, title="Mine", text="Raced text.")
    assert response.status_code == 302 and response["Location"] == source_url(owned.map, earlier, "manage")
    assert MapSource.objects.filter(map=owned.map, source=earlier, title="Mine").exists()
    assert list(Change.objects.values_list("action", flat=True)) == ["attach"]


def test_it_says_so_when_the_map_already_has_the_text(client, owned):
    before = counts()
    response = add(client, owned.map, file=upload("again.txt", owned.source.text))
    assert response.status_code == 302 and counts() == before
    assert "This map already has this exact text" in client.get(response["Location"]).content.decode()


def test_it_fills_the_form_from_a_source_to_correct(client, owned):
    html = client.get(new_url(owned.map), {"corrects": owned.source.code}).content.decode()
    assert 'value="Test article"' in html and "The relay stations stopped working." in html
    assert f"Corrected text of “Test article” (source {owned.source.code})" in html
    stranger = Source.objects.create(text="Other.")
    assert "Not on this map" not in client.get(new_url(owned.map), {"corrects": stranger.code}).content.decode()


# Attaching a shared source


@pytest.fixture
def library(db, outsider, teacher):
    public = Source.objects.create(text="Public text.", is_public=True, added_by=outsider)
    outsiders = Map.objects.create(title="Outsider's map", owner=outsider)

    secret = Source.objects.create(text="Private text.", is_public=False, added_by=outsider)
    mine = Source.objects.create(text="My text.", is_public=False, added_by=teacher)
    untitled = Source.objects.create(text="An untitled public text that opens with these words.", is_public=True)
    MapSource.objects.create(map=outsiders, source=public, title="Open letter", author="Jan Kowalski")
    MapSource.objects.create(map=outsiders, source=secret, title="Secret memo")
    MapSource.objects.create(map=Map.objects.create(title="Teacher's", owner=teacher), source=mine,
                             title="My private notes")
    return public, secret, mine, untitled


def test_it_lists_the_sources_an_owner_may_attach(client, owned, library):
    html = client.get(attach_url(owned.map)).content.decode()
    assert "Open letter" in html and "My private notes" in html and "Secret memo" not in html
    assert untitled_name(library[3].text) in html


def test_it_searches_by_title_author_and_publisher(client, owned, library):
    html = client.get(attach_url(owned.map), {"q": "kowal"}).content.decode()
    results = html[html.index('id="source-results"'):]
    assert "Open letter" in results and "My private notes" not in results
    html = client.get(attach_url(owned.map), {"q": "memo"}).content.decode()
    assert "No source you may attach matches “memo”." in html


def test_it_survives_nonsense_in_the_query_string(client, owned, library):
    for params in [{"q": "open\x00letter"}, {"q": "x" * 5000}, {"page": "-1"}, {"q": "<script>", "page": "99"}]:
        response = client.get(attach_url(owned.map), params)
        assert response.status_code == 200 and "<script>" not in response.content.decode().split("<main", 1)[1]
    for corrects in ["\x00", "../etc", "x" * 500]:
        assert client.get(new_url(owned.map), {"corrects": corrects}).status_code == 200


def test_it_pages_the_search_and_htmx_gets_only_the_results(client, owned):
    for i in range(25):
        shared = Source.objects.create(text=f"Shared text {i}.", is_public=True, added_by=owned.map.owner)
        MapSource.objects.create(map=Map.objects.create(title="Elsewhere", owner=owned.map.owner), source=shared,
                                 title=f"Shared {i:02}")
    first = client.get(attach_url(owned.map), {"q": "shared"}).content.decode()
    assert "Shared 00" in first and "Shared 19" in first and "Shared 20" not in first and "page 1 of 2" in first
    second = client.get(attach_url(owned.map), {"q": "shared", "page": 2},
                        headers=htmx("source-results"))
    html = second.content.decode()
    assert html.lstrip().startswith('<div id="source-results"') and "<html" not in html
    assert "Shared 24" in html and "Shared 00" not in html
    assert client.get(attach_url(owned.map), {"page": "abc"}).status_code == 200


def test_it_attaches_a_public_source_and_records_it(client, owned, library, teacher):
    public = library[0]
    response = client.post(attach_url(owned.map), {"source": public.code})
    assert response.status_code == 302
    assert MapSource.objects.filter(map=owned.map, source=public).exists()
    change = Change.objects.get(target_type="source", target_id=public.pk)
    assert change.action == "attach" and change.actor == teacher
    html = client.get(response["Location"]).content.decode()
    assert "Attached “Open letter” to this map." in html and "already in this map" in html


def test_it_attaches_ones_own_private_source(client, owned, library):
    assert client.post(attach_url(owned.map), {"source": library[2].code}).status_code == 302
    assert MapSource.objects.filter(map=owned.map, source=library[2]).exists()


def test_it_refuses_to_attach_someone_elses_private_source_or_a_made_up_one(client, owned, library):
    before = counts()
    assert client.post(attach_url(owned.map), {"source": library[1].code}).status_code == 404
    assert client.post(attach_url(owned.map), {"source": "nosuchcode"}).status_code == 404
    response = client.post(attach_url(owned.map), {"source": ""})
    assert response.status_code == 400 and "Choose a source to attach." in response.content.decode()
    assert client.post(attach_url(owned.map), {"source": "x" * 500}).status_code == 400
    assert counts() == before


def test_it_attaches_a_source_only_once(client, owned):
    before = counts()
    response = client.post(attach_url(owned.map), {"source": owned.source.code})
    assert response.status_code == 302 and counts() == before
    assert "This map already has" in client.get(response["Location"]).content.decode()


# Detaching


def test_it_detaches_an_unquoted_source_and_records_it(client, owned, teacher):
    response = client.post(source_url(owned.map, owned.source, "detach"))
    assert response.status_code == 302
    assert not MapSource.objects.filter(map=owned.map, source=owned.source).exists()
    assert Source.objects.filter(pk=owned.source.pk).exists()
    assert Change.objects.get(target_type="source", target_id=owned.source.pk).action == "detach"
    assert "is no longer a source of this map" in client.get(response["Location"]).content.decode()


def test_it_refuses_to_detach_a_source_this_map_quotes(client, owned):
    thesis = owned.thesis()
    owned.claim("Quoting", under=thesis, quote="Moscow heard another.")
    response = client.post(source_url(owned.map, owned.source, "detach"))
    assert response.status_code == 409
    assert "1 quote in this map uses this source" in response.content.decode()
    assert MapSource.objects.filter(map=owned.map, source=owned.source).exists()


def test_it_counts_quotes_of_deleted_nodes_but_not_deleted_quotes(client, owned, teacher):
    thesis = owned.thesis()
    node = owned.claim("Quoting", under=thesis, quote="Moscow heard another.")
    node.soft_delete(by=teacher)
    assert client.post(source_url(owned.map, owned.source, "detach")).status_code == 409
    node.quotes.get().soft_delete(by=teacher)
    assert client.post(source_url(owned.map, owned.source, "detach")).status_code == 302


def test_it_ignores_quotes_of_other_maps_when_detaching(client, owned, build, outsider):
    from tests.conftest import MapBuilder

    other = MapBuilder(outsider, owned.source)
    other.claim("Elsewhere", under=other.thesis(), quote="Moscow heard another.")
    assert client.post(source_url(owned.map, owned.source, "detach")).status_code == 302


def test_it_answers_404_for_a_source_the_map_does_not_have(client, owned):
    stranger = Source.objects.create(text="Not attached.", is_public=True)
    for action in ("manage",):
        assert client.get(source_url(owned.map, stranger, action)).status_code == 404
    for action in ("details", "text", "detach", "clutter"):
        assert client.post(source_url(owned.map, stranger, action)).status_code == 404


# Editing the details


def details(source, **changes):
    source = Source.objects.in_map(source.maps.get()).get(pk=source.pk)  # with its map's details
    data = {"title": source.title, "author": source.author, "publisher": source.publisher,
            "published_on": source.published_on or "", "url": source.url, "rights": source.rights,
            "notes": source.notes, "is_public": "on" if source.is_public else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k != "is_public"}


def test_it_saves_the_details_of_a_source_one_added_and_records_them(client, owned, teacher):
    owned.source.added_by = teacher
    owned.source.save()
    response = client.post(source_url(owned.map, owned.source, "details"),
                           details(owned.source, title="Better title", is_public="on"))
    assert response.status_code == 302
    owned.source = Source.objects.in_map(owned.map).get(pk=owned.source.pk)
    assert owned.source.title == "Better title" and owned.source.is_public
    change = Change.objects.get(target_type="source", action="edit")
    assert change.before["title"] == "Test article" and change.after["title"] == "Better title"


def test_it_lets_owners_edit_a_private_source_someone_else_added_but_not_make_it_public(client, owned, outsider):
    owned.source.added_by = outsider
    owned.source.save()
    page = client.get(source_url(owned.map, owned.source, "manage")).content.decode()
    assert 'name="title"' in page and 'name="is_public"' not in page
    response = client.post(source_url(owned.map, owned.source, "details"),
                           details(owned.source, author="Fixed author", is_public="on"))
    assert response.status_code == 302
    owned.source = Source.objects.in_map(owned.map).get(pk=owned.source.pk)
    assert owned.source.author == "Fixed author" and not owned.source.is_public


def test_it_lets_owners_edit_their_details_of_a_public_source_someone_else_added_but_not_its_text(
    client, owned, outsider
):
    owned.source.added_by, owned.source.is_public = outsider, True
    owned.source.save()
    page = client.get(source_url(owned.map, owned.source, "manage")).content.decode()
    assert 'name="title"' in page and 'name="is_public"' not in page
    response = client.post(source_url(owned.map, owned.source, "details"), details(owned.source, title="Mine now"))
    assert response.status_code == 302
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": "New text."})
    assert response.status_code == 403
    owned.source = Source.objects.in_map(owned.map).get(pk=owned.source.pk)
    assert owned.source.title == "Mine now" and owned.source.text.startswith("Minsk said")


def test_it_refuses_bad_details_and_keeps_the_old_ones(client, owned):
    response = client.post(source_url(owned.map, owned.source, "details"),
                           details(owned.source, title="New", url="not a url", published_on="yesterday"))
    html = response.content.decode()
    assert response.status_code == 400 and "Enter a valid URL." in html and "Enter a valid date." in html
    assert "<h1>Test article</h1>" in html
    owned.source = Source.objects.in_map(owned.map).get(pk=owned.source.pk)
    assert owned.source.title == "Test article" and not Change.objects.exists()


# Editing the text


def test_it_changes_the_text_of_a_source_nobody_quotes(client, owned):
    old_hash = owned.source.content_hash
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": "Corrected.\r\nText."})
    assert response.status_code == 302
    owned.source = Source.objects.in_map(owned.map).get(pk=owned.source.pk)
    assert owned.source.text == "Corrected.\nText." and owned.source.content_hash != old_hash
    change = Change.objects.get(target_type="source", action="edit")
    assert change.before["hash"] == old_hash and change.after["hash"] == owned.source.content_hash


def test_it_refuses_to_change_a_quoted_text(client, owned, build, outsider):
    from tests.conftest import MapBuilder

    other = MapBuilder(outsider, owned.source)  # quoted on another map: still quoted
    other.claim("Elsewhere", under=other.thesis(), quote="Moscow heard another.")
    page = client.get(source_url(owned.map, owned.source, "manage")).content.decode()
    assert "so it can no longer change" in page and f"?corrects={owned.source.code}" in page
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": "Rewritten."})
    assert response.status_code == 409
    assert "This source is quoted, so its text cannot change" in response.content.decode()
    owned.source = Source.objects.in_map(owned.map).get(pk=owned.source.pk)
    assert owned.source.text.startswith("Minsk said one thing.")


def test_it_counts_deleted_quotes_as_quotes_of_the_text(client, owned, teacher):
    node = owned.claim("Quoting", under=owned.thesis(), quote="Moscow heard another.")
    node.quotes.get().soft_delete(by=teacher)
    assert client.post(source_url(owned.map, owned.source, "text"), {"text": "Rewritten."}).status_code == 409


def test_it_turns_the_models_refusal_into_a_409(client, owned, monkeypatch):
    """If a quote arrives between the check and the save, Source.save refuses: a 409, never a 500."""
    owned.claim("Quoting", under=owned.thesis(), quote="Moscow heard another.")
    monkeypatch.setattr("argmap.views.source_manage._text_change_problem", lambda source, text: None)
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": "Rewritten."})
    assert response.status_code == 409 and "add the corrected text as a new source" in response.content.decode()
    owned.source = Source.objects.in_map(owned.map).get(pk=owned.source.pk)
    assert owned.source.text.startswith("Minsk said one thing.") and not Change.objects.exists()


def test_it_refuses_a_text_another_source_already_has(client, owned):
    Source.objects.create(text="Twin text.")
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": "Twin text."})
    assert response.status_code == 409 and "Argmap already has exactly this text" in response.content.decode()


def test_it_refuses_a_text_change_while_clutter_is_marked_in_it(client, owned):
    from argmap.models import ClutterRange

    ClutterRange.objects.create(map=owned.map, source=owned.source, start=0, end=5)
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": "Rewritten."})
    assert response.status_code == 409 and "Page clutter is marked in this text on 1 map" in response.content.decode()


@pytest.mark.parametrize("text, message", [("", "This field is required."), ("  \r\n", "The text is empty."),
                                           ("a\x00b", "Null characters are not allowed.")])
def test_it_refuses_a_bad_new_text(client, owned, text, message):
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": text})
    assert response.status_code == 400 and message in response.content.decode()


def test_it_says_when_the_text_is_unchanged(client, owned):
    response = client.post(source_url(owned.map, owned.source, "text"), {"text": owned.source.text})
    assert response.status_code == 302 and not Change.objects.exists()
    assert "The text is unchanged." in client.get(response["Location"]).content.decode()


def test_it_shows_the_manage_page(client, owned):
    owned.claim("Quoting", under=owned.thesis(), quote="Moscow heard another.")
    html = client.get(source_url(owned.map, owned.source, "manage")).content.decode()
    assert "<h1>Test article</h1>" in html and "quoted 1 time in this map" in html
    assert "Evidence in this map quotes this source 1 time" in html and "Remove from this map</button>" not in html
    assert Node.objects.exists() and Quote.objects.count() == 1
