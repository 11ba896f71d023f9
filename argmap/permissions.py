"""Who may see and change what. Every view goes through this module.

What a person may not see answers 404, so a private map's existence is not leaked; what they may
see but not change answers 403.

Roles on a map, from most to least power:
- owner: everything, including roles, sources and settings (the map's `owner` and anyone given the role);
- editor: changes any node, relation, quote; hides comments;
- contributor: adds nodes, quotes and comments; edits and deletes their own;
- viewer: reads; comments if the map allows it.
Anyone may read a public or unlisted map; signed-in people without a role on it only read.

On a map an exercise works on (`map.exercise`), the class's teachers act as owners and its students
as contributors (on a group's copy, only that group's students). The exercise's clock decides the
rest: before it opens students only read; once it has closed the map is read-only for everyone.
Under moderation students' new and edited nodes are pending; under anonymity students see the
other students under pseudonyms (`Access.name_of`).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404

from argmap.access import Access, Refused, checked, combined_role
from argmap.browsing import hides
from argmap.models import ClassRole, Comment, Enrolment, Exercise, GroupMember, Map, Membership, Node, Quote, SchoolClass


def map_and_access(request, code: str) -> tuple[Map, Access]:
    """The map with this code and what the requester may do on it; 404 if they may not read it.

    One query: the requester's roles (on the map, in the exercise's class and group) come with the
    map row, and so does the exercise.
    """
    user = request.user
    maps = Map.objects.select_related("owner", "exercise__school_class").filter(code=code)
    if user.is_authenticated:
        maps = maps.annotate(
            member_role=Subquery(Membership.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1]),
            class_role=Subquery(
                Enrolment.objects.filter(school_class_id=OuterRef("exercise__school_class_id"), user=user).values(
                    "role"
                )[:1]
            ),
            in_group=Exists(GroupMember.objects.filter(group_id=OuterRef("group_id"), user=user)),
        )
    map_ = maps.first()
    if map_ is None:
        raise Http404("No such map.")
    if user.is_authenticated:
        class_role = map_.class_role if map_.exercise_id else None
        role = combined_role(map_, user, map_.member_role, class_role, map_.in_group)
    else:
        class_role = role = None
    access = Access(map=map_, user=user, role=role, class_role=class_role)
    if not access.can_view:
        raise Http404("No such map.")
    return map_, access


# Things of a map, looked up by id for one reader: 404 for what is not there for them, as for what
# does not exist. Someone else's node awaiting approval (and what hangs only from it) is not there
# for a student (browsing.hides).

MAX_ID = 2**63 - 1  # a larger id would make the query itself fail


def _seen_by(access: Access, rows, pk: int, what: str, node_of=lambda row: row):
    """The row with this id among `rows` (already narrowed to `access.map`), unless the reader may
    not see its node: then, as when there is no such row, 404 naming `what`."""
    checked(access)
    row = rows.filter(pk=pk).first() if pk <= MAX_ID else None
    if row is None or hides(access, node_of(row)):
        raise Http404(f"No such {what} in this map.")
    node_of(row).map = access.map  # the map row the caller already has, with the requester's roles
    return row


def node_for(access: Access, node_id: int):
    """The live node with this id on `access.map`, with its author, if the reader may see it."""
    nodes = Node.objects.live().select_related("author").filter(map=checked(access).map)
    return _seen_by(access, nodes, node_id, "node")


def deleted_node_for(access: Access, node_id: int):
    """The deleted node with this id on `access.map` (with its author and deleter), if the reader may
    see it."""
    nodes = Node.objects.deleted().select_related("author", "deleted_by").filter(map=checked(access).map)
    return _seen_by(access, nodes, node_id, "node")


def quote_for(access: Access, quote_id: int):
    """The quote with this id (live or deleted, with its node and source) on a node of `access.map`
    that the reader may see."""
    quotes = Quote.objects.with_source_details().select_related("node").filter(node__map=checked(access).map)
    return _seen_by(access, quotes, quote_id, "quote", node_of=lambda quote: quote.node)


def comment_for(access: Access, comment_id: int):
    """The comment with this id (with its node) on a live node of `access.map` that the reader may see."""
    comments = Comment.objects.select_related("node").filter(node__map=checked(access).map,
                                                              node__deleted_at__isnull=True)
    return _seen_by(access, comments, comment_id, "comment", node_of=lambda comment: comment.node)


def require(allowed: bool, message: str = "You may not do that on this map.") -> None:
    """403 with a message unless `allowed` (a Refused brings its own message)."""
    if not allowed:
        raise PermissionDenied(allowed.reason if isinstance(allowed, Refused) else message)


# Classes and exercises: members see their class (404 for anyone else); only teachers manage it.


@dataclass(frozen=True)
class ClassAccess:
    """What one person may do in one class."""

    school_class: object
    user: object
    role: str | None  # a ClassRole value; superusers count as teachers

    @property
    def is_teacher(self) -> bool:
        return self.role == ClassRole.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == ClassRole.STUDENT


def _signed_in(request, not_found: str):
    if not request.user.is_authenticated:
        raise Http404(not_found)
    return request.user


def _role_of(user, class_field: str) -> Subquery:
    """The user's role in the class the row's `class_field` names, as an annotation (None: not in it)."""
    return Subquery(Enrolment.objects.filter(school_class=OuterRef(class_field), user=user).values("role")[:1])


def _role_in(row, user, not_found: str) -> str:
    """The role annotated on `row` (superusers count as teachers); 404 when there is no row or no role."""
    role = None if row is None else ClassRole.TEACHER if user.is_superuser else row.my_role
    if role is None:
        raise Http404(not_found)
    return role


def class_and_access(request, class_id: int):
    """The class and the requester's role in it (one query); 404 unless they are in it."""
    user = _signed_in(request, "No such class.")
    school_class = SchoolClass.objects.filter(pk=class_id).annotate(my_role=_role_of(user, "pk")).first()
    role = _role_in(school_class, user, "No such class.")
    return school_class, ClassAccess(school_class, user, role)


def exercise_and_access(request, exercise_id: int):
    """The exercise (with its class) and the requester's role in the class (one query); 404 unless
    they are in the class. A student's group is not checked here: group maps go through map_and_access."""
    user = _signed_in(request, "No such exercise.")
    exercise = (
        Exercise.objects.select_related("school_class")
        .filter(pk=exercise_id)
        .annotate(my_role=_role_of(user, "school_class_id"))
        .first()
    )
    role = _role_in(exercise, user, "No such exercise.")
    return exercise, ClassAccess(exercise.school_class, user, role)


def exercise_for_teacher(request, exercise_id: int, refusal: str = "Only the class's teachers do that."):
    """The exercise (with its class), for its class's teachers; 403 with `refusal` for its students,
    404 for anyone else."""
    exercise, access = exercise_and_access(request, exercise_id)
    require(access.is_teacher, refusal)
    return exercise


def exercise_node(exercise, node_id: int):
    """A live node of one of the exercise's maps, for its teachers (who see every node); 404 otherwise."""
    node = Node.objects.live().filter(pk=node_id, map__exercise=exercise).first() if node_id <= MAX_ID else None
    if node is None:
        raise Http404("No such contribution in this exercise.")
    return node


def creditable_usernames(user, usernames: set[str]) -> set[str]:
    """Of these usernames, those an import made by `user` may credit work to: themself, the people
    of the classes they teach, and the people with a role on maps they own (anyone, for a superuser).
    One query. The rest of a file's names become placeholders, so nobody can be made the author of
    words they never wrote by a stranger's upload."""
    if user.is_superuser:
        return set(usernames)
    taught = Enrolment.objects.filter(user=user, role=ClassRole.TEACHER).values("school_class")
    owned = Map.objects.filter(owner=user).values("pk")
    allowed = (
        get_user_model()
        .objects.filter(username__in=usernames)
        .filter(Q(pk=user.pk) | Q(enrolments__school_class__in=taught) | Q(memberships__map__in=owned))
        .values_list("username", flat=True)
        .distinct()
    )
    return set(allowed)
