"""A text is stored once, but what a map writes about it (title, notes, rights...) is that map's own.

A stranger who pastes or imports the exact text of someone's private source gets the text (they
had it), never the owner's details, and can change neither those details nor the text the
owner's map shows.
"""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from argmap.access import Access
from argmap.exports import argmap_json
from argmap.exports.loading import MapExport
from argmap.imports import import_map
from argmap.models import Map, MapSource, Source, Visibility
from tests.conftest import attach

SECRET = ["Test article", "A. Writer", "Secret dossier note", "All rights reserved by the owner"]
EXPORTS = ["json", "argdown", "aif", "sadface", "w3c", "handout", "md", "csv"]


@pytest.fixture
def private(build):
    """The teacher's private map with the article, its details and a quote of it."""
    b = build(Visibility.PRIVATE)
    MapSource.objects.filter(map=b.map).update(notes="Secret dossier note", rights="All rights reserved by the owner")
    b.claim("Minsk hedges", under=b.thesis(), quote="Moscow heard another.")
    return b


@pytest.fixture
def strangers_map(outsider):
    return Map.objects.create(title="Stranger's map", owner=outsider, visibility=Visibility.PRIVATE)


def paste(client, map_, text, **details):
    return client.post(reverse("source-new", args=[map_.code]), {"text": text, **details}, follow=True)


def pages_of(client, map_, source) -> str:
    """Everything the stranger's map shows about the source: manage page, reader, map page, exports."""
    urls = [reverse("source-manage", args=[map_.code, source.code]),
            reverse("source-reader", args=[map_.code, source.code]),
            reverse("source-attach", args=[map_.code]), map_.get_absolute_url()]
    urls += [reverse("map-download", args=[map_.code, name]) for name in EXPORTS]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return "\n".join(bodies)


def test_it_shows_a_stranger_none_of_the_details_of_a_private_source_whose_text_they_paste(
    client, private, outsider, strangers_map
):
    client.force_login(outsider)
    response = paste(client, strangers_map, private.source.text, title="My copy")
    assert response.status_code == 200
    assert MapSource.objects.filter(map=strangers_map, source=private.source, title="My copy").exists()
    shown = response.content.decode() + pages_of(client, strangers_map, private.source)
    assert "My copy" in shown
    for secret in SECRET:
        assert secret not in shown


def test_it_leaves_the_owners_details_alone_when_a_stranger_changes_theirs(
    client, private, outsider, strangers_map, teacher
):
    client.force_login(outsider)
    paste(client, strangers_map, private.source.text)
    response = client.post(reverse("source-edit-details", args=[strangers_map.code, private.source.code]),
                           {"title": "Defaced", "notes": "Stranger's notes"})
    assert response.status_code == 302
    client.force_login(teacher)
    page = client.get(reverse("source-reader", args=[private.map.code, private.source.code])).content.decode()
    assert "Test article" in page and "Secret dossier note" in page
    assert "Defaced" not in page and "Stranger's notes" not in page


def test_it_never_changes_the_text_another_map_shows(client, private, outsider, strangers_map, teacher):
    unquoted = Source.objects.create(text="Draft memo text, quoted by nobody.", added_by=teacher)
    attach(private.map, unquoted, title="Draft memo")
    client.force_login(outsider)
    paste(client, strangers_map, unquoted.text)
    url = reverse("source-edit-text", args=[strangers_map.code, unquoted.code])
    response = client.post(url, {"text": "Replaced by a stranger."})
    assert response.status_code == 409
    assert "Another map has this text too" in response.content.decode()
    client.force_login(teacher)  # nor the owner, while the stranger's map has it
    assert client.post(url.replace(strangers_map.code, private.map.code), {"text": "Changed."}).status_code == 409
    page = client.get(reverse("source-reader", args=[private.map.code, unquoted.code])).content.decode()
    assert "Draft memo text, quoted by nobody." in page and "Replaced by a stranger." not in page


def test_it_lets_the_only_map_with_a_text_correct_it(client, teacher, private):
    unquoted = Source.objects.create(text="Draft memo text, quoted by nobody.", added_by=teacher)
    attach(private.map, unquoted, title="Draft memo")
    client.force_login(teacher)
    response = client.post(reverse("source-edit-text", args=[private.map.code, unquoted.code]), {"text": "Fixed memo."})
    assert response.status_code == 302
    unquoted.refresh_from_db()
    assert unquoted.text == "Fixed memo."


def test_it_keeps_the_details_of_an_import_carrying_the_text_to_the_importing_map(private, outsider, client):
    data = json.loads(argmap_json.render(MapExport.load(Access.for_site_operator(private.map))))
    for entry in data["sources"]:
        entry.update(title="Imported title", author="", notes="", rights="")
    imported = import_map(json.dumps(data).encode(), format="json", user=outsider).map
    assert Source.objects.filter(pk=private.source.pk).exists() and imported.sources.get() == private.source
    client.force_login(outsider)
    shown = pages_of(client, imported, private.source)
    assert "Imported title" in shown
    for secret in SECRET:
        assert secret not in shown
    details = MapSource.objects.get(map=private.map)
    assert (details.title, details.notes) == ("Test article", "Secret dossier note")


def test_migration_0006_gives_every_map_the_details_its_source_had(transactional_db, django_user_model):
    before = [("argmap", "0005a_account_created_for_class")]
    after = [("argmap", "0006_source_details_per_map")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldMap, OldSource, OldLink = (old.get_model("argmap", name) for name in ("Map", "Source", "MapSource"))
    source = OldSource.objects.create(text="Shared text.", content_hash="a" * 64, code="aaaaaaaaaaaa",
                                      title="Shared title", notes="Shared notes", rights="CC BY")
    lonely = OldSource.objects.create(text="Lonely text.", content_hash="b" * 64, code="bbbbbbbbbbbb", title="Nowhere")
    first = OldMap.objects.create(title="First", code="first-map")
    second = OldMap.objects.create(title="Second", code="second-map")
    for map_ in (first, second):
        OldLink.objects.create(map=map_, source=source)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    Link = new.get_model("argmap", "MapSource")
    details = sorted(Link.objects.values_list("map__code", "source__code", "title", "notes", "rights"))
    assert details == [("first-map", "aaaaaaaaaaaa", "Shared title", "Shared notes", "CC BY"),
                       ("second-map", "aaaaaaaaaaaa", "Shared title", "Shared notes", "CC BY")]
    assert new.get_model("argmap", "Source").objects.filter(pk=lonely.pk).exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for the tests after this one
