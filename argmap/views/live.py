"""Live updates: pages poll whether their map changed, so others' work appears without a reload.

A page that shows a map embeds a poller (templates/maps/_live.html, via `{% live_poller map %}`)
asking `/maps/<code>/activity/?token=...&since=N` every few seconds. The token is signed: it names
the map and the person it was handed to, and expires, so the poll needs neither the session nor a
permission check, just one query for the map's activity counter. Only people who may view the map
get a token (the page that embeds it was access-checked).

Unchanged: 204, which htmx ignores. Changed: the poller again with the new counter and an
`argmap-changed` event, on which static/js/live.js refreshes the page's live regions.
"""

from django.core import signing
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from argmap.live import poll_url, read_token
from argmap.models import Map
from argmap.views import poll_changed, poll_stopped



@never_cache
@require_safe
def activity(request, code: str):
    """204 while the map is unchanged since `since`; else the poller again and `argmap-changed`.

    One query whoever asks: neither the session nor the user is read.
    """
    since = request.GET.get("since", "")
    if not since.isdigit() or len(since) > 19:
        return poll_stopped("Live updates stopped (a bad request). Reload the page to resume them.", 400)
    token = request.GET.get("token", "")
    try:
        payload = read_token(token)
    except signing.SignatureExpired:
        return poll_stopped("This page has been open a long time: reload it to see changes live again.", 403)
    except signing.BadSignature:
        return poll_stopped("Live updates stopped. Reload the page to resume them.", 403)
    row = Map.objects.filter(pk=payload["map"]).values_list("code", "activity").first()
    if row is None:
        return poll_stopped("Live updates stopped: this map is gone.", 404)
    if row[0] != code:
        return poll_stopped("Live updates stopped. Reload the page to resume them.", 403)
    current = row[1]
    if current == int(since):
        return HttpResponse(status=204)
    return poll_changed(poll_url(code, token, current))


urlpatterns = [
    path("maps/<slug:code>/activity/", activity, name="map-activity"),
]
