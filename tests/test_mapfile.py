"""Loading a map file is all or nothing, with a message that names the problem."""

import copy

import pytest

from argmap.mapfile import MapFileError, load_map
from argmap.models import Map, Node, Source

TEXT = "Belarus hosts relay stations. The stations went quiet after a deadline."


def sample(**changes):
    data = {
        "format": "argmap",
        "version": 1,
        "map": {"title": "Sample", "visibility": "unlisted"},
        "users": [{"username": "writer"}],
        "sources": [{"key": "s", "text": TEXT, "title": "Sample source"}],
        "nodes": [
            {"key": "t", "kind": "thesis", "text": "He is hedging", "author": "writer"},
            {"key": "a", "kind": "claim", "text": "Quiet stations", "quotes": [{"source": "s", "exact": "went quiet"}]},
            {"key": "b", "kind": "claim", "text": "A deadline worked"},
        ],
        "relations": [{"child": "a", "parent": "t", "stance": "support"},
                      {"child": "b", "parent": "a", "stance": "support"}],
        "comments": [{"key": "c", "node": "a", "text": "Who says so?", "author": "writer"}],
    }
    data.update(changes)
    return copy.deepcopy(data)


def test_it_loads_a_map_with_a_random_code(db):
    report = load_map(sample())
    assert report.created and len(report.map.code) == 10
    assert report.counts == {"sources": 1, "nodes": 3, "relations": 2, "quotes": 1, "comments": 1}


def test_it_reuses_a_source_text_already_stored(db):
    load_map(sample())
    load_map(sample())
    assert Source.objects.count() == 1 and Map.objects.count() == 2


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.update(version=9), "known version"),
        (lambda d: d["nodes"][1]["quotes"][0].update(exact="went loud"), "is not in"),
        (lambda d: d["nodes"][1]["quotes"][0].update(exact="stations", start=None), "occurs 2 times"),
        (lambda d: d["nodes"][1]["quotes"][0].update(start=3), "does not match the source"),
        (lambda d: d["relations"].append({"child": "a", "parent": "b", "stance": "oppose"}), "circle"),
        (lambda d: d["relations"].append({"child": "a", "parent": "zz", "stance": "oppose"}), "'zz'"),
        (lambda d: d["relations"][0].update(stance="maybe"), "support or oppose"),
        (lambda d: d["sources"][0].update(text="nul \x00 byte"), "NUL"),
    ],
)
def test_it_refuses_a_broken_file_and_saves_nothing(db, change, message):
    data = sample()
    change(data)
    with pytest.raises(MapFileError, match=message):
        load_map(data)
    assert not Map.objects.exists() and not Node.objects.exists() and not Source.objects.exists()
