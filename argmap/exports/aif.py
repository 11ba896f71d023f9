"""AIF in AIFdb's JSON form: what argument tools built on AIFdb (OVA, arguebuf...) read.

- every node a reader sees becomes an I-node (its text unchanged, line breaks included);
- every relation becomes a scheme node between them: RA ("Default Inference") for support,
  CA ("Default Conflict") for oppose, with the edges child I → RA/CA → parent I;
- every quote becomes a locution: an L-node holding the quoted words exactly, spoken by the
  source (a participant named after its author, or its title when it has none), linked to the
  claim's I-node through a YA ("Asserting") node, the way AIF+ anchors a proposition in the
  text it comes from. The `locutions` entry names the source by its URL (or its content hash
  as a `urn:sha256:` URN). arguebuf takes the L-node's text as an atom's reference when the
  atom has exactly one quote; with several it keeps none of them, but the L-nodes are there.

Ids are strings that stay the same between exports of one map: `n<node id>`, `r<relation id>`,
`q<quote id>` (its L-node) and `y<quote id>` (its YA-node). Timestamps are AIFdb's
`YYYY-MM-DD HH:MM:SS`, in UTC.
"""

import json
from datetime import UTC

from argmap.exports.loading import MapExport

# AIFdb's own labels for its default schemes; tools match on them.
SUPPORT = ("RA", "Default Inference")
OPPOSE = ("CA", "Default Conflict")
ASSERTING = "Asserting"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def render(export: MapExport) -> str:
    return json.dumps(document(export), ensure_ascii=False, indent=1)


def document(export: MapExport) -> dict:
    nodes, edges, locutions, participants = [], [], [], {}
    for node in export.live_nodes():
        nodes.append({"nodeID": f"n{node.pk}", "text": node.text, "type": "I",
                      "timestamp": _time(node.created_at)})

    relations = {r.pk: r for r in export.relations}
    for edge in export.live_edges():
        kind, label = SUPPORT if edge.stance == "support" else OPPOSE
        scheme_id = f"r{edge.relation_id}"
        nodes.append({"nodeID": scheme_id, "text": label, "type": kind, "scheme": label,
                      "timestamp": _time(relations[edge.relation_id].created_at)})
        edges.append({"edgeID": f"{scheme_id}a", "fromID": f"n{edge.child}", "toID": scheme_id})
        edges.append({"edgeID": f"{scheme_id}b", "fromID": scheme_id, "toID": f"n{edge.parent}"})

    sources = export.source_by_id
    for quote in export.live_quotes():
        source = sources[quote.source_id]
        speaker = f"s{source.pk}"
        if speaker not in participants:
            participants[speaker] = {"participantID": speaker, "firstname": _speaker_name(source), "surname": ""}
        said, asserting, when = f"q{quote.pk}", f"y{quote.pk}", _time(quote.created_at)
        nodes.append({"nodeID": said, "text": quote.exact, "type": "L", "timestamp": when})
        nodes.append({"nodeID": asserting, "text": ASSERTING, "type": "YA", "timestamp": when})
        edges.append({"edgeID": f"{said}a", "fromID": said, "toID": asserting})
        edges.append({"edgeID": f"{said}b", "fromID": asserting, "toID": f"n{quote.node_id}"})
        locutions.append({"nodeID": said, "personID": speaker, "timestamp": when,
                          "source": source.url or f"urn:sha256:{source.content_hash}"})

    return {"nodes": nodes, "edges": edges, "locutions": locutions, "participants": list(participants.values())}


def _speaker_name(source) -> str:
    return source.author or source.display_title


def _time(moment) -> str:
    # AIFdb's format has no zone: always UTC.
    return moment.astimezone(UTC).strftime(TIME_FORMAT)
