"""Importing a map from a file (Argmap JSON or a Kialo discussion) as a new map of one's own."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from argmap.forms.imports import ImportForm
from argmap.imports import MapImportError, import_map, max_placeholders
from argmap.permissions import creditable_usernames


# Anyone signed in may import, as anyone signed in may start a new map (map-new): the map is theirs.
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request):
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None, label_suffix="")
    problems = []
    if form.is_valid():
        try:
            # A file may name anyone: work is credited only to people the uploader works with.
            result = import_map(form.cleaned_data["file"].read(), format=form.cleaned_data["format"],
                                user=request.user, credit=partial(creditable_usernames, request.user),
                                max_placeholders=max_placeholders())
        except MapImportError as error:
            problems = error.problems
        else:
            return redirect(result.map.get_absolute_url())
    status = 400 if form.is_bound else 200
    return render(request, "maps/import.html", {"form": form, "problems": problems}, status=status)


urlpatterns = [
    path("maps/import/", import_page, name="map-import"),
]
