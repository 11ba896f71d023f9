"""The source reader: an article exactly as stored, with the map's quoted passages highlighted."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from argmap import highlights
from argmap.browsing import load_graph
from argmap.models import ClutterRange, Node, Quote, Source
from argmap.permissions import map_and_access
from argmap.ratings import with_ratings
from argmap.views import kept_page


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


@require_safe
def reader(request, code: str, source_code: str):
    """The whole text with highlights; beside it the quotes at one point of the text (`?at=` an
    offset, or `?quote=` a quote, which is also marked and scrolled to), and every quoted passage
    when there are few enough to read as a list. htmx asks for just that panel."""
    map_, access = map_and_access(request, code)
    return kept_page(request, access, lambda csrf_token: _reader_page(request, map_, access, source_code, csrf_token))


def _reader_page(request, map_, access, source_code: str, csrf_token: str):
    sources = list(with_ratings(Source.objects.in_map(map_).order_by("mapsource__id"), map_))  # ratings in the same query
    source = next((s for s in sources if s.code == source_code), None)
    if source is None:
        raise Http404("This map has no such source.")
    graph = load_graph(access)
    theses = list(Node.objects.filter(pk__in=graph.theses).order_by("id"))
    thesis = next((t for t in theses if t.pk == _int_param(request, "thesis")), theses[0] if theses else None)
    # Offsets only, for every quote of the source: a heavily quoted source has thousands.
    positions = [
        row
        for row in Quote.objects.live().filter(source=source, node__map=map_).values_list("pk", "start", "end", "node_id")
        if row[3] in graph
    ]
    target = next((row for row in positions if row[0] == _int_param(request, "quote")), None)
    at = _int_param(request, "at")
    if target:
        here = {pk for pk, start, end, _ in positions if start < target[2] and target[1] < end}
    elif at is not None:
        here = {pk for pk, start, end, _ in positions if start <= at < end}
    else:
        here = set()
    list_all = len(positions) <= settings.ARGMAP_READER_LIST_LIMIT
    shown = {row[0] for row in positions} if list_all else here
    quotes = list(Quote.objects.filter(pk__in=shown).select_related("node", "node__author").order_by("start", "id"))
    for quote in quotes:
        quote.sides = [(t, graph.side(t.pk, quote.node_id)) for t in theses if graph.side(t.pk, quote.node_id)]
    context = {
        "map": map_,
        "source": source,
        "theses": theses,
        "thesis": thesis,
        "quotes": quotes if list_all else [],
        "quote_count": len(positions),
        "target": target[0] if target else None,
        "here": [q for q in quotes if q.pk in here],
        "at": at,
        "access": access,
        "csrf_token": csrf_token,
    }
    if request.htmx and request.htmx.target == "passage-uses":
        return render(request, "sources/reader.html#uses", context)
    sides = graph.sides(thesis.pk) if thesis else {}
    thesis_query = f"thesis={thesis.pk}&" if thesis and thesis != theses[0] else ""
    spans = [highlights.Span(pk, start, end, f"hl-{sides.get(node, 'elsewhere')}") for pk, start, end, node in positions]
    # The owners' page clutter on this map, dimmed (one query; htmx's panel above never needs it).
    clutter = list(ClutterRange.objects.live().filter(map=map_, source=source).values_list("start", "end"))
    context["highlighted_text"] = highlights.render(
        source.text, spans, href=lambda segment: f"?{thesis_query}at={segment.start}#passage-uses",
        target=context["target"], clutter=clutter,
    )
    context["has_clutter"] = bool(clutter)
    context["sources"] = sources
    return render(request, "sources/reader.html", context)
