"""The export page and the downloads: every format from the map page, who may download, bad
choices, a fixed number of queries, and the export_map command."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from argmap.exports import FORMATS
from argmap.models import Visibility
from argmap.synthetic import Shape, build_map


def test_the_map_page_links_to_the_export_page_which_offers_every_format(client, demo_map):
    page = client.get(demo_map.get_absolute_url()).content.decode()
    assert reverse("map-export", args=[demo_map.code]) in page
    response = client.get(reverse("map-export", args=[demo_map.code]))
    html = response.content.decode()
    assert response.status_code == 200
    for name, export_format in FORMATS.items():
        assert reverse("map-download", args=[demo_map.code, name]) in html, name
        assert export_format.label.replace("&", "&amp;") in html


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_downloads_from_the_demo_map(client, demo_map, name):
    response = client.get(reverse("map-download", args=[demo_map.code, name]))
    assert response.status_code == 200
    assert response["Content-Type"] == FORMATS[name].media_type
    body = response.content.decode("utf-8-sig")
    assert "Lukashenko" in body or name == "svg" and "<svg" in body
    if name == "handout":
        assert "Content-Disposition" not in response  # opens in the browser, to print
    else:
        assert response["Content-Disposition"] == f'attachment; filename="{demo_map.slug}.{FORMATS[name].extension}"'


def test_a_private_map_cannot_be_exported_without_a_role(client, build, outsider):
    map_ = build(Visibility.PRIVATE).map
    client.force_login(outsider)
    assert client.get(reverse("map-export", args=[map_.code])).status_code == 404
    assert client.get(reverse("map-download", args=[map_.code, "json"])).status_code == 404


def test_bad_choices_get_a_clear_4xx(client, demo_map):
    assert client.get(reverse("map-download", args=[demo_map.code, "pdf"])).status_code == 404
    bad_depth = client.get(reverse("map-download", args=[demo_map.code, "svg"]) + "?depth=0")
    assert bad_depth.status_code == 400 and b"depth" in bad_depth.content
    other_map_node = build_map("Other", list(demo_map.sources.all()), Shape(nodes=5)).nodes.first()
    wrong_root = client.get(reverse("map-download", args=[demo_map.code, "svg"]) + f"?root={other_map_node.pk}")
    assert wrong_root.status_code == 404


def test_an_anonymized_download_is_no_full_backup_and_names_nobody(client, demo_map):
    response = client.get(reverse("map-download", args=[demo_map.code, "json"]) + "?anonymize=1")
    document = json.loads(response.content)
    assert document["full_backup"] is False
    assert demo_map.owner.username not in response.content.decode()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_the_command_writes_every_format_to_a_file(demo_map, tmp_path, name):
    target = tmp_path / f"out.{FORMATS[name].extension}"
    call_command("export_map", demo_map.code, "--format", name, "-o", str(target), stderr=open("/dev/null", "w"))
    assert target.stat().st_size > 1000


def test_the_command_names_an_unknown_map(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No map has the code"):
        call_command("export_map", "nosuchmap", "--format", "json")
