"""W3C Web Annotation export, checked against every MUST assertion of the W3C model tests
(w3c/web-annotation-tests, kept in ../shared/conformance/web-annotation-tests/), with URI and
date-time formats checked, and with each selector checked against the source text."""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils.html import escape
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from argmap.access import Access
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Map
from argmap.synthetic import Shape, build_map
from tests.exportdata import CLAIMS, awkward_map

SUITE = Path(os.environ.get(
    "ARGMAP_W3C_TESTS", Path(__file__).resolve().parent.parent.parent / "shared/conformance/web-annotation-tests"
))
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = ("collections/collectionMusts.test", "collections/pages/pageMusts.test")
FORMATS_CHECKED = Draft4Validator.FORMAT_CHECKER


@pytest.fixture(scope="module")
def suite():
    if not SUITE.is_dir():
        message = f"the W3C Web Annotation tests are not at {SUITE} (set ARGMAP_W3C_TESTS)"
        if os.environ.get("ARGMAP_REQUIRE_ALL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # The assertions' $refs name the definitions by file name ("id.json#/definitions/...").
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4))
        for path in sorted((SUITE / "definitions").glob("*.json"))
    )

    def assertions(test_file: str) -> list[tuple[str, Draft4Validator]]:
        listed = json.loads((SUITE / test_file).read_text())["assertions"]
        found = []
        for name in listed:
            schema = json.loads((SUITE / name).read_text())
            assert schema["assertionType"] == "must" and schema["expectedResult"] == "valid"
            found.append((name, Draft4Validator(schema, registry=registry, format_checker=FORMATS_CHECKED)))
        return found

    return {"annotation": assertions(ANNOTATION_MUSTS),
            "collection": [a for test_file in COLLECTION_MUSTS for a in assertions(test_file)]}


def failures(validators, instance) -> list[str]:
    return [f"{name}: {error.message}" for name, validator in validators for error in validator.iter_errors(instance)]


def exported(map_, **load) -> tuple[MapExport, dict]:
    export = MapExport.load(Access.for_site_operator(map_), **load)
    return export, json.loads(FORMATS["w3c"].render(export))


def annotations_of(document) -> list[dict]:
    return document["first"]["items"] if document["total"] else []


def assert_conforms(suite, document):
    assert failures(suite["collection"], document) == []
    for annotation in annotations_of(document):
        assert failures(suite["annotation"], annotation) == []


def assert_selectors_match(export, document):
    """Each target names a source of the map, and both selectors pick the quote out of its text."""
    texts = {}
    for source in export.sources:
        texts[f"urn:sha256:{source.content_hash}"] = source.text
        if source.url:
            texts[source.url] = texts[source.url.replace("<", "%3C").replace(">", "%3E")] = source.text
    for annotation in annotations_of(document):
        text = texts[annotation["target"]["source"]]
        selectors = {s["type"]: s for s in annotation["target"]["selector"]}
        quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"]  # positions are code points, end exclusive
        before = start - len(quote["prefix"])
        assert text[before : end + len(quote["suffix"])] == quote["prefix"] + quote["exact"] + quote["suffix"]


def test_the_format_checker_really_checks_uris_and_dates(suite):
    assert {"uri", "date-time"} <= set(FORMATS_CHECKED.checkers)
    bad = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "not a uri", "type": "Annotation",
           "created": "yesterday", "target": "also not a uri"}
    failed = {name.split("/")[-1] for name in (f.split(":")[0] for f in failures(suite["annotation"], bad))}
    assert {"3.1-annotationIdValidated.json", "3.3.1-annotationCreatedValidated.json",
            "3.2-targetObjectsRecognized.json"} <= failed


def test_every_demo_quote_is_an_annotation_meeting_every_must(suite, demo_map):
    export, document = exported(demo_map)
    assert_conforms(suite, document)
    assert_selectors_match(export, document)
    assert document["total"] == len(annotations_of(document)) == len(export.live_quotes()) == 39
    assert len(suite["annotation"]) == 54 and len(suite["collection"]) == 25


def test_an_annotation_links_the_passage_to_the_claims_page(client, suite, demo_map):
    export, document = exported(demo_map)
    annotation = annotations_of(document)[0]
    quote = export.live_quotes()[0]
    node = export.node_by_id[quote.node_id]
    assert annotation["motivation"] == "linking"
    page, text = annotation["body"]
    assert text == {"type": "TextualBody", "value": node.text, "format": "text/plain", "purpose": "describing"}
    # The body is the claim's focus page and the annotation's id the passage marked in the reader:
    # both are pages the site serves.
    focus = client.get(urlsplit(page["id"]).path)
    assert focus.status_code == 200 and escape(node.text[:40]) in focus.content.decode()
    reader = urlsplit(annotation["id"])
    assert client.get(f"{reader.path}?{reader.query}").status_code == 200
    assert annotation["creator"] == {"type": "Person", "name": quote.author.username}


def test_the_awkward_map_conforms_and_its_selectors_match(suite, teacher):
    export, document = exported(awkward_map(teacher))
    assert_conforms(suite, document)
    assert_selectors_match(export, document)
    sources = {a["target"]["source"] for a in annotations_of(document)}
    second = next(s for s in export.sources if not s.url)
    # A URL is written as a URI (its < and > escaped); a source without one is named by its hash.
    assert sources == {"https://example.org/article?id=1&x=%3Cy%3E", f"urn:sha256:{second.content_hash}"}
    bodies = {a["body"][1]["value"] for a in annotations_of(document)}
    assert CLAIMS["cyrillic"] in bodies and CLAIMS["deleted"] not in bodies


def test_iris_start_with_the_configured_site_address(suite, settings, demo_map):
    settings.ARGMAP_SITE_URL = "https://argmap.example.edu/school"
    _, document = exported(demo_map)
    assert_conforms(suite, document)
    iris = [document["id"], document["first"]["id"]] + [
        iri for a in annotations_of(document) for iri in (a["id"], a["body"][0]["id"])
    ]
    assert all(iri.startswith("https://argmap.example.edu/school/maps/belarus/") for iri in iris)


def test_creators_are_pseudonyms_in_an_anonymized_export(suite, teacher):
    map_ = awkward_map(teacher)
    _, document = exported(map_, anonymize=True)
    assert_conforms(suite, document)
    creators = {a["creator"]["name"] for a in annotations_of(document)}
    assert creators and all(name.startswith("Person ") for name in creators)
    assert "awk-ales" not in json.dumps(document)


def test_a_map_without_quotes_is_an_empty_collection(suite, teacher):
    empty = Map.objects.create(title="Nothing quoted yet", owner=teacher)
    _, document = exported(empty)
    assert document["total"] == 0 and "first" not in document
    assert failures(suite["collection"][:10], document) == []  # the page assertions need a page


# Its queries: tests/test_export_queries.py, for every format.
def test_a_large_map_conforms_and_its_selectors_match(suite, demo_map):
    big = build_map("Big", list(demo_map.sources.all()), Shape(nodes=300), owner=demo_map.owner)
    export = MapExport.load(Access.for_site_operator(big))
    document = json.loads(FORMATS["w3c"].render(export))
    assert document["total"] == len(export.live_quotes()) > 100
    assert_selectors_match(export, document)
