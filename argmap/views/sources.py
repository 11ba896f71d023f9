"""The source reader: an article exactly as stored, with the map's quoted passages highlighted."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from argmap import highlights
from argmap.browsing import load_graph
from argmap.models import Node, Quote
from argmap.permissions import map_for_viewer


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


@require_safe
def reader(request, code: str, source_code: str):
    """The whole text with highlights; beside it the quotes at one point of the text (`?at=` an
    offset, or `?quote=` a quote, which is also marked and scrolled to), and every quoted passage
    when there are few enough to read as a list. htmx asks for just that panel."""
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
    target = next((q for q in quotes if q.pk == _int_param(request, "quote")), None)
    at = _int_param(request, "at")
    if target:
        here = [q for q in quotes if q.start < target.end and target.start < q.end]
    elif at is not None:
        here = [q for q in quotes if q.start <= at < q.end]
    else:
        here = []
    context = {
        "map": map_,
        "source": source,
        "theses": theses,
        "thesis": thesis,
        "quotes": quotes,
        "list_all": len(quotes) <= settings.ARGMAP_READER_LIST_LIMIT,
        "target": target,
        "here": here,
        "at": at,
    }
    if request.htmx and request.htmx.target == "passage-uses":
        return render(request, "sources/reader.html#uses", context)
    thesis_query = f"thesis={thesis.pk}&" if thesis and thesis != (theses[0] if theses else None) else ""
    spans = [
        highlights.Span(q.pk, q.start, q.end, f"hl-{(thesis and graph.side(thesis.pk, q.node_id)) or 'elsewhere'}")
        for q in quotes
    ]
    context["highlighted_text"] = highlights.render(
        source.text, spans, href=lambda segment: f"?{thesis_query}at={segment.start}#passage-uses",
        target=target.pk if target else None,
    )
    context["sources"] = map_.sources.order_by("mapsource__id")
    return render(request, "sources/reader.html", context)
