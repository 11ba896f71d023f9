"""Source coverage: for one source, how much of it the map quotes, which passages serve which
thesis and side, and the paragraphs nobody has used yet (each a link into the reader, to look for
overlooked evidence); for the whole map, which way each source leans for each thesis.

Anyone who may read the map sees both pages, with the same figures: only approved evidence
counts (argmap/source_coverage.py says exactly what is counted).
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from argmap import source_coverage
from argmap.models import Source
from argmap.permissions import map_and_access
from argmap.ratings import with_ratings


@require_safe
def source_page(request, code: str, source_code: str):
    map_, access = map_and_access(request, code)
    source = with_ratings(Source.objects.in_map(map_).filter(code=source_code), map_).first()
    if source is None:
        raise Http404("This map has no such source.")
    context = {"map": map_, "source": source, "report": source_coverage.source_report(map_, source),
               "access": access}
    return render(request, "sources/coverage.html", context)


@require_safe
def map_page(request, code: str):
    map_, access = map_and_access(request, code)
    theses, reports = source_coverage.map_report(map_)
    context = {"map": map_, "theses": theses, "reports": reports, "access": access}
    return render(request, "maps/coverage.html", context)


urlpatterns = [
    path("maps/<slug:code>/coverage/", map_page, name="map-coverage"),
    path("maps/<slug:code>/sources/<slug:source_code>/coverage/", source_page, name="source-coverage"),
]
