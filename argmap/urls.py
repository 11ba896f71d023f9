from django.contrib import admin
from django.urls import path

from argmap.views import (
    accounts,
    classes,
    comments,
    compare,
    coverage,
    dashboard,
    editing,
    evidence,
    exercises,
    exports,
    imports,
    judging,
    live,
    maps,
    members,
    ratings,
    source_admin,
    sources,
    votes,
)

# Each area's views module lists its own URLs; the browsing pages come last because
# `maps/<code>/<slug>/` would otherwise swallow every two-part address under a map.
urlpatterns = [
    path("", maps.map_list, name="map-list"),
    *accounts.urlpatterns,
    *members.urlpatterns,
    *editing.urlpatterns,
    *comments.urlpatterns,
    *live.urlpatterns,
    *evidence.urlpatterns,
    *source_admin.urlpatterns,
    *classes.urlpatterns,
    *exercises.urlpatterns,
    *dashboard.urlpatterns,
    *compare.urlpatterns,
    *exports.urlpatterns,
    *imports.urlpatterns,
    *ratings.urlpatterns,
    *coverage.urlpatterns,
    *votes.urlpatterns,
    *judging.urlpatterns,
    path("maps/<slug:code>/", maps.map_detail, name="map-short"),
    path("maps/<slug:code>/branch/", maps.branch, name="map-branch"),
    path("maps/<slug:code>/nodes/search/", maps.node_search, name="node-search"),
    path("maps/<slug:code>/nodes/<int:node_id>/", maps.node_focus, name="node-focus"),
    path("maps/<slug:code>/sources/<slug:source_code>/", sources.reader, name="source-reader"),
    path("maps/<slug:code>/<slug:slug>/", maps.map_detail, name="map-detail"),
    path("admin/", admin.site.urls),
]
