"""Who may see and change what. Every view goes through one of these helpers.

What a person may not see answers 404, so a private map's existence is not leaked; what they may
see but not change answers 403.
"""

from django.http import Http404

from argmap.models import Map, Visibility


def can_view(map_: Map, user) -> bool:
    if map_.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return True
    return bool(user and user.is_authenticated and (user.pk == map_.owner_id or user.is_superuser))


def map_for_viewer(request, code: str) -> Map:
    """The map with this code, if the requester may read it; 404 otherwise."""
    map_ = Map.objects.select_related("owner").filter(code=code).first()
    if map_ is None or not can_view(map_, request.user):
        raise Http404("No such map.")
    return map_
