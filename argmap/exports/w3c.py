"""W3C Web Annotations: every quote a reader sees as an Annotation, all in one AnnotationCollection
whose first (and only) AnnotationPage embeds them.

Each Annotation (motivation `linking`) links a passage of a source to the claim it backs:
- `id`: the passage marked in Argmap's source reader (a page that exists);
- `body`: the claim's page (its focus view) and the claim's text as a TextualBody;
- `target`: the source, by its URL, or by the SHA-256 of its text as a `urn:sha256:` URN when it
  has none, with a TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (start,
  end: Unicode code points, end exclusive) on the text Argmap stores (for a web page, the
  article's extracted text, not its HTML);
- `created` in UTC, `creator` the quote's author (a pseudonym in anonymized exports).
Each annotation repeats the `@context`, so it can be sent on its own to an annotation server.
Absolute IRIs start with settings.ARGMAP_SITE_URL.
"""

import json
from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from argmap.exports.loading import MapExport

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def render(export: MapExport) -> str:
    return json.dumps(collection(export), ensure_ascii=False, indent=1)


def collection(export: MapExport) -> dict:
    map_, site = export.map, settings.ARGMAP_SITE_URL
    collection_id = site + reverse("map-download", args=[map_.code, "w3c"])
    page_id = f"{collection_id}#page-1"
    items = _annotations(export, site)
    document = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Evidence in “{map_.title}”",
        "total": len(items),
    }
    if items:  # an empty collection has no pages
        document["first"] = {"id": page_id, "type": "AnnotationPage", "startIndex": 0, "items": items}
        document["last"] = page_id
    return document


def _annotations(export: MapExport, site: str) -> list[dict]:
    code = export.map.code
    # A reverse() per node and per source, not per quote: cheap on a 10,000-node map.
    node_iris, source_readers = {}, {}
    sources = export.source_by_id
    items = []
    for quote in export.live_quotes():
        node = export.node_by_id[quote.node_id]
        if node.pk not in node_iris:
            node_iris[node.pk] = site + reverse("node-focus", args=[code, node.pk])
        source = sources[quote.source_id]
        if source.pk not in source_readers:
            source_readers[source.pk] = site + reverse("source-reader", args=[code, source.code])
        annotation = {
            "@context": CONTEXT,
            "id": f"{source_readers[source.pk]}?quote={quote.pk}#quote-{quote.pk}",
            "type": "Annotation",
            "motivation": "linking",
            "created": _time(quote.created_at),
            "body": [
                {"id": node_iris[node.pk], "type": "Text", "format": "text/html"},
                {"type": "TextualBody", "value": node.text, "format": "text/plain", "purpose": "describing"},
            ],
            "target": {
                "type": "SpecificResource",
                "source": iri_to_uri(source.url) if source.url else f"urn:sha256:{source.content_hash}",
                "selector": [
                    {"type": "TextQuoteSelector", "exact": quote.exact, "prefix": quote.prefix,
                     "suffix": quote.suffix},
                    {"type": "TextPositionSelector", "start": quote.start, "end": quote.end},
                ],
            },
        }
        creator = export.name(quote.author)
        if creator is not None:
            annotation["creator"] = {"type": "Person", "name": creator}
        items.append(annotation)
    return items


def _time(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
