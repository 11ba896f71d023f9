"""Downloading a map: the export page (formats and their choices) and one download per format."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.forms.exports import PictureOptions
from argmap.permissions import map_and_access


@require_safe
def export_page(request, code: str):
    map_, access = map_and_access(request, code)
    return render(request, "maps/export.html", {
        "map": map_,
        "access": access,
        "formats": FORMATS.values(),
        "theses": MapExport.load(access).theses,
    })


@require_safe
def download(request, code: str, format_name: str):
    map_, access = map_and_access(request, code)
    export_format = FORMATS.get(format_name)
    if export_format is None:
        return HttpResponse(f"There is no export format “{format_name}”.", status=404, content_type="text/plain")
    options = PictureOptions(request.GET)
    if not options.is_valid():
        return HttpResponse("The picture's subtree and depth must be whole numbers (depth 1 to 50).",
                            status=400, content_type="text/plain")
    export = MapExport.load(access, anonymize=request.GET.get("anonymize") == "1")
    export.options = {k: v for k, v in options.cleaned_data.items() if v is not None}
    if "root" in export.options and export.options["root"] not in export.graph:
        return HttpResponse("That node is not in this map (or you may not see it).", status=404,
                            content_type="text/plain")
    body = export_format.render(export)
    response = HttpResponse(body, content_type=export_format.media_type)
    if not (export_format.name == "handout" and request.GET.get("download") != "1"):
        filename = f"{map_.slug}.{export_format.extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("maps/<slug:code>/export/", export_page, name="map-export"),
    path("maps/<slug:code>/export/<slug:format_name>/", download, name="map-download"),
]
