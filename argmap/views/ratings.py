"""Rating a map's sources: its owners say how reliable each one is (0 to 4, with a note) and
whether the rating sets the starting strength of the evidence that quotes it (argmap/ratings.py).

Everyone who reads the map sees the ratings (the reader's header, the map's list of sources);
only owners rate, and not once the exercise the map belongs to has closed.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap

from argmap import ratings
from argmap.forms.ratings import form_for
from argmap.models import Source
from argmap.permissions import map_and_access, require

OWNERS_ONLY = "Only the owners of this map rate its sources."


def without_nul(data):
    data = data.copy()
    if "note" in data:
        data["note"] = data["note"].replace("\x00", "")
    return data


def reader_url(map_, source) -> str:
    return reverse("source-reader", args=[map_.code, source.code]) + "#source-rating"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rate_source(request, code: str, source_code: str):
    """GET: the form on a page of its own; POST: save it. htmx gets the reader's rating panel back."""
    map_, access = map_and_access(request, code)
    require(access.is_owner, OWNERS_ONLY)
    if request.method == "POST":  # a closed exercise keeps its map as it was
        require(access.can_manage)
    source = get_object_or_404(ratings.with_ratings(Source.objects.in_map(map_), map_), code=source_code)
    form = form_for(source, request.POST if request.method == "POST" else None)
    context = {"map": map_, "source": source, "access": access, "rating_form": form}
    if request.method != "POST":
        return render(request, "sources/rating.html", {**context, "open_form": True})
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = ratings.set_rating(map_, source, data["rating"], data["note"], data["counts"], request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                return redirect(reader_url(map_, source))
            ratings.remember(source, saved)
            context["rating_form"], context["saved"] = form_for(source), True
            return render(request, "sources/_rating.html#panel", context)
    form.data = without_nul(form.data)  # the errors stand; a NUL cannot go back into the page
    if request.htmx:
        # The panel with the errors replaces itself as a success would (static/js/live.js lets it through).
        return reswap(render(request, "sources/_rating.html#panel", context, status=400), "outerHTML")
    return render(request, "sources/rating.html", {**context, "open_form": True}, status=400)


urlpatterns = [
    path("maps/<slug:code>/sources/<slug:source_code>/rating/", rate_source, name="source-rate"),
]
