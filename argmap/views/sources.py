"""The source reader: an article exactly as stored, with the map's quoted passages highlighted."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from argmap import highlights
from argmap.browsing import load_graph
from argmap.models import Node, Quote
from argmap.permissions import map_for_viewer


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@require_safe
def reader(request, code: str, source_code: str):
    map_ = map_for_viewer(request, code)
    source = map_.sources.filter(code=source_code).first()
    if source is None:
        raise Http404("This map has no such source.")
    graph = load_graph(map_)
    theses = list(Node.objects.filter(pk__in=graph.theses).order_by("id"))
    thesis_id = _int_param(request, "thesis")
    thesis = next((t for t in theses if t.pk == thesis_id), theses[0] if theses else None)
    quotes = [
        q
        for q in Quote.objects.live().filter(source=source, node__map=map_).select_related("node", "node__author")
        if q.node_id in graph
    ]
    for quote in quotes:
        quote.sides = [(t, graph.side(t.pk, quote.node_id)) for t in theses if graph.side(t.pk, quote.node_id)]
    side_here = {q.pk: graph.side(thesis.pk, q.node_id) if thesis else None for q in quotes}
    spans = [highlights.Span(q.pk, q.start, q.end, f"hl-{side_here[q.pk] or 'elsewhere'}") for q in quotes]
    target = _int_param(request, "quote")
    context = {
        "map": map_,
        "source": source,
        "theses": theses,
        "thesis": thesis,
        "quotes": quotes,
        "target": target if any(q.pk == target for q in quotes) else None,
        "highlighted_text": highlights.render(source.text, spans, target=target),
        "sources": map_.sources.order_by("mapsource__id"),
    }
    return render(request, "sources/reader.html", context)
