from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from argmap.views import maps, sources

urlpatterns = [
    path("", maps.map_list, name="map-list"),
    path("maps/<slug:code>/", maps.map_detail, name="map-short"),
    path("maps/<slug:code>/branch/", maps.branch, name="map-branch"),
    path("maps/<slug:code>/nodes/<int:node_id>/", maps.node_focus, name="node-focus"),
    path("maps/<slug:code>/sources/<slug:source_code>/", sources.reader, name="source-reader"),
    path("maps/<slug:code>/<slug:slug>/", maps.map_detail, name="map-detail"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
