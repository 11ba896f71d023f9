"""Who may see and change what. Every view goes through this module.

What a person may not see answers 404, so a private map's existence is not leaked; what they may
see but not change answers 403.

Roles on a map, from most to least power:
- owner: everything, including roles, sources and settings (the map's `owner` and anyone given the role);
- editor: changes any node, relation, quote; hides comments;
- contributor: adds nodes, quotes and comments; edits and deletes their own;
- viewer: reads; comments if the map allows it.
Anyone may read a public or unlisted map; signed-in people without a role on it only read.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from argmap.models import Map, Membership, Role, Visibility

RANK = {Role.VIEWER: 1, Role.CONTRIBUTOR: 2, Role.EDITOR: 3, Role.OWNER: 4}


@dataclass(frozen=True)
class Access:
    """What one person may do on one map."""

    map: Map
    user: object
    role: str | None  # a Role value, or None for no role

    def _at_least(self, role: str) -> bool:
        return self.role is not None and RANK[self.role] >= RANK[role]

    @property
    def can_view(self) -> bool:
        return self.role is not None or self.map.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)

    @property
    def can_comment(self) -> bool:
        if self._at_least(Role.CONTRIBUTOR):
            return True
        return self.role == Role.VIEWER and self.map.viewers_can_comment

    @property
    def can_contribute(self) -> bool:
        """Add nodes, relations and quotes; edit and delete one's own."""
        return self._at_least(Role.CONTRIBUTOR)

    @property
    def can_edit_all(self) -> bool:
        return self._at_least(Role.EDITOR)

    @property
    def is_owner(self) -> bool:
        return self._at_least(Role.OWNER)

    def owns(self, obj) -> bool:
        author_id = getattr(obj, "author_id", None)
        return author_id is not None and self.user is not None and author_id == self.user.pk

    def can_change(self, obj) -> bool:
        """Edit, move, delete or restore this node, relation, quote (or one's own comment)."""
        return self.can_edit_all or (self.can_contribute and self.owns(obj))

    def can_change_comment(self, comment) -> bool:
        """Edit or delete a comment: only its author (while they may still comment)."""
        return self.can_comment and self.owns(comment)

    @property
    def can_moderate_comments(self) -> bool:
        return self.can_edit_all


def role_of(map_: Map, user) -> str | None:
    """The user's role on the map (one query at most; none for anonymous users and the owner)."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser or user.pk == map_.owner_id:
        return Role.OWNER
    return Membership.objects.filter(map=map_, user=user).values_list("role", flat=True).first()


def access_for(map_: Map, user) -> Access:
    return Access(map=map_, user=user, role=role_of(map_, user))


def can_view(map_: Map, user) -> bool:
    return access_for(map_, user).can_view


def map_and_access(request, code: str) -> tuple[Map, Access]:
    """The map with this code and what the requester may do on it; 404 if they may not read it.

    One query: the requester's role comes with the map row.
    """
    user = request.user
    maps = Map.objects.select_related("owner").filter(code=code)
    if user.is_authenticated:
        maps = maps.annotate(
            member_role=Subquery(Membership.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1])
        )
    map_ = maps.first()
    if map_ is None:
        raise Http404("No such map.")
    if not user.is_authenticated:
        role = None
    elif user.is_superuser or user.pk == map_.owner_id:
        role = Role.OWNER
    else:
        role = map_.member_role
    access = Access(map=map_, user=user, role=role)
    if not access.can_view:
        raise Http404("No such map.")
    return map_, access


def map_for_viewer(request, code: str) -> Map:
    """The map with this code, if the requester may read it; 404 otherwise. `map.access` says more."""
    map_, access = map_and_access(request, code)
    map_.access = access
    return map_


def require(allowed: bool, message: str = "You may not do that on this map.") -> None:
    """403 with a message unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)
