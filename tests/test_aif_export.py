"""AIF export, read back by arguebuf (the Python library for AIF and other argument formats)."""

import json
from collections import Counter
from datetime import datetime

import arguebuf
from arguebuf.model.scheme import Attack, Support

from argmap import evidence
from argmap.access import Access
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Node, Source, text_hash
from argmap.synthetic import Shape, build_map
from tests.exportdata import CLAIMS, FIRST_TEXT, SECOND_TEXT, awkward_map

STANCE_OF = {Support: "support", Attack: "oppose"}


def exported(map_) -> tuple[MapExport, dict]:
    export = MapExport.load(Access.for_site_operator(map_))
    return export, json.loads(FORMATS["aif"].render(export))


def relations_read_by_arguebuf(graph) -> Counter:
    """(child text, parent text, stance) for each scheme node between two atoms."""
    found = Counter()
    for scheme in graph.scheme_nodes.values():
        (child,) = graph.incoming_atom_nodes(scheme)
        (parent,) = graph.outgoing_atom_nodes(scheme)
        found[(child.text, parent.text, STANCE_OF[type(scheme.scheme)])] += 1
    return found


def expected_relations(export) -> Counter:
    text = {n.pk: n.text for n in export.live_nodes()}
    return Counter((text[e.child], text[e.parent], e.stance) for e in export.live_edges())


def assert_read_back_alike(export, document):
    graph = arguebuf.load.aif(document)
    live = export.live_nodes()
    assert sorted(a.text for a in graph.atom_nodes.values()) == sorted(n.text for n in live)
    assert len(graph.atom_nodes) == len(live)
    assert relations_read_by_arguebuf(graph) == expected_relations(export)
    assert len(graph.scheme_nodes) == len(export.live_edges())
    return graph


def test_it_is_read_by_arguebuf_with_the_demo_maps_claims_and_relations(demo_map):
    export, document = exported(demo_map)
    assert_read_back_alike(export, document)
    stances = Counter(e.stance for e in export.live_edges())
    assert stances["support"] and stances["oppose"]  # both scheme kinds are exercised


def test_it_keeps_awkward_text_unchanged_and_leaves_deleted_claims_out(teacher):
    export, document = exported(awkward_map(teacher))
    graph = assert_read_back_alike(export, document)
    texts = {a.text for a in graph.atom_nodes.values()}
    assert CLAIMS["quoted"] in texts and CLAIMS["cyrillic"] in texts and CLAIMS["minus"] in texts
    assert CLAIMS["deleted"] not in texts
    assert not any(CLAIMS["deleted"] in node["text"] for node in document["nodes"])


def test_every_quote_is_a_locution_asserting_its_claim(teacher):
    export, document = exported(awkward_map(teacher))
    nodes = {n["nodeID"]: n for n in document["nodes"]}
    targets = {}
    for edge in document["edges"]:
        targets.setdefault(edge["fromID"], []).append(edge["toID"])
    said = Counter()
    for locution in document["locutions"]:
        (asserting,) = targets[locution["nodeID"]]
        (claim,) = targets[asserting]
        assert nodes[asserting]["type"] == "YA" and nodes[claim]["type"] == "I"
        said[(nodes[claim]["text"], nodes[locution["nodeID"]]["text"], locution["source"])] += 1
    named = {s.pk: s.url or f"urn:sha256:{s.content_hash}" for s in export.sources}
    assert said == Counter(
        (export.node_by_id[q.node_id].text, q.exact, named[q.source_id]) for q in export.live_quotes()
    )
    assert {named[s.pk] for s in export.sources} == {"https://example.org/article?id=1&x=<y>",
                                                     f"urn:sha256:{text_hash(SECOND_TEXT)}"}
    # arguebuf takes the only quote of a claim as its reference, spoken by the source.
    graph = arguebuf.load.aif(document)
    by_text = {a.text: a for a in graph.atom_nodes.values()}
    minus = by_text[CLAIMS["minus"]]
    assert minus.reference.text == "‘a careful\u00a0hedge’"
    assert minus.participant.name == "Ales’ <Writer>"


def test_a_claim_with_several_quotes_keeps_them_all(teacher):
    map_ = awkward_map(teacher)
    node = Node.objects.get(map=map_, text=CLAIMS["quoted"])
    source = Source.objects.get(text=FIRST_TEXT)
    evidence.add_quote(node, teacher, source, "Critics called it ‘a careful\u00a0hedge’.")
    export, document = exported(map_)
    assert len(export.quotes_of(node.pk)) == 2
    into_claim = {e["fromID"] for e in document["edges"] if e["toID"] == f"n{node.pk}"}
    quoted = {n["text"] for n in document["nodes"] if n["type"] == "L"
              and any(e["fromID"] == n["nodeID"] and e["toID"] in into_claim for e in document["edges"])}
    assert quoted == {q.exact for q in export.quotes_of(node.pk)}


def test_ids_are_strings_and_timestamps_are_aifdbs(demo_map):
    _, document = exported(demo_map)
    assert all(isinstance(n["nodeID"], str) for n in document["nodes"])
    assert all(isinstance(e[key], str) for e in document["edges"] for key in ("edgeID", "fromID", "toID"))
    assert len({n["nodeID"] for n in document["nodes"]}) == len(document["nodes"])
    for node in document["nodes"]:
        datetime.strptime(node["timestamp"], "%Y-%m-%d %H:%M:%S")


# Its queries: tests/test_export_queries.py, for every format.
def test_a_large_map_reads_back_alike(demo_map):
    big = build_map("Big", list(demo_map.sources.all()), Shape(nodes=300), owner=demo_map.owner)
    export = MapExport.load(Access.for_site_operator(big))
    document = json.loads(FORMATS["aif"].render(export))
    assert_read_back_alike(export, document)
