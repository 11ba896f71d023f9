"""SADFace (the Simple Argument Description Format): the interchange format that keeps source
texts and where each quote sits in them.

- `resources`: every source of the map with its full text (`content`), its URL and
  bibliographic details in the resource's metadata;
- `nodes`: an atom per node a reader sees (its text unchanged), and a scheme node per relation
  (`support`, or `attack` for oppose) with the edges child atom → scheme → parent atom;
- each quote is one of its atom's `sources`: the resource id, the quoted words exactly (`text`),
  `offset` and `length` in characters, counted as Unicode code points (Python's `str`
  indices), the same numbers Argmap stores, so `content[offset:offset + length] == text`.

The `core` metadata holds only the keys SADFace's validator allows; the map's title, question
and address go in an `argmap` block beside it. Ids must be UUID4s: they are derived from the
site, the map's code and the row's id (a SHA-256 cut to UUID4 shape), so exporting the same map
twice gives the same ids.
"""

import hashlib
import json
from datetime import UTC

from django.conf import settings

from argmap.exports.loading import MapExport

# The SADFace version the documents follow (that of the `sadface` package the tests validate with).
SADFACE_VERSION = "0.5.4.0"
SCHEME_NAMES = {"support": "support", "oppose": "attack"}


def render(export: MapExport) -> str:
    return json.dumps(document(export), ensure_ascii=False, indent=1)


def document(export: MapExport) -> dict:
    map_ = export.map
    uuid = _uuid_maker(map_.code)
    resources = [_resource(source, uuid) for source in export.sources]

    nodes, edges = [], []
    for node in export.live_nodes():
        sources = [
            {"resource_id": uuid("source", quote.source_id), "text": quote.exact,
             "offset": quote.start, "length": quote.end - quote.start}
            for quote in export.quotes_of(node.pk)
        ]
        nodes.append({
            "id": uuid("node", node.pk), "type": "atom", "text": node.text, "sources": sources,
            "metadata": {"core": {}, "argmap": {"id": node.pk, "kind": node.kind, "author": export.name(node.author),
                                                "created": _time(node.created_at)}},
        })
    for edge in export.live_edges():
        scheme = uuid("relation", edge.relation_id)
        nodes.append({"id": scheme, "type": "scheme", "name": SCHEME_NAMES[edge.stance], "metadata": {"core": {}}})
        edges.append({"id": uuid("premise", edge.relation_id), "source_id": uuid("node", edge.child),
                      "target_id": scheme})
        edges.append({"id": uuid("conclusion", edge.relation_id), "source_id": scheme,
                      "target_id": uuid("node", edge.parent)})

    return {
        "metadata": {
            "core": {
                "analyst_email": "",  # never published
                "analyst_name": export.name(map_.owner) or "",
                "created": _time(map_.created_at),
                "edited": _time(map_.updated_at),
                "id": uuid("map", map_.pk),
                "version": SADFACE_VERSION,
            },
            # Node metadata blocks must exist at document level too (the validator looks them up).
            "argmap": {"title": map_.title, "question": map_.question, "code": map_.code,
                       "url": settings.ARGMAP_SITE_URL + map_.get_absolute_url()},
        },
        "resources": resources,
        "nodes": nodes,
        "edges": edges,
    }


def _resource(source, uuid) -> dict:
    details = {
        "url": source.url, "title": source.title, "author": source.author, "publisher": source.publisher,
        "date": source.published_on.isoformat() if source.published_on else "", "rights": source.rights,
    }
    return {
        "id": uuid("source", source.pk), "type": "text", "content": source.text,
        "metadata": {"core": {k: v for k, v in details.items() if v},
                     "argmap": {"code": source.code, "sha256": source.content_hash}},
    }


def _uuid_maker(map_code: str):
    """A function giving each (kind, row id) of this map a stable id in UUID4 form."""
    seed = f"{settings.ARGMAP_SITE_URL}/maps/{map_code}/"

    def uuid(kind: str, pk: int) -> str:
        digits = hashlib.sha256(f"{seed}{kind}/{pk}".encode()).hexdigest()
        variant = "89ab"[int(digits[16], 16) & 3]  # RFC 4122 variant bits 10xx
        return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:32]}"

    return uuid


def _time(moment) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
