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
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.http import Http404

from argmap.models import ClassRole, Enrolment, Exercise, GroupMember, Pseudonym, SchoolClass
from argmap.models import Comment, Map, Membership, Node, Quote, Role, Visibility

RANK = {Role.VIEWER: 1, Role.CONTRIBUTOR: 2, Role.EDITOR: 3, Role.OWNER: 4}


class Refused:
    """A "no" that says why: falsy like False, with a `reason` that `require` shows.

    The exercise's clock refuses what a role would allow; the views' own messages ("only
    contributors add…") would be wrong then, so the refusal carries the right one.
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Refused({self.reason!r})"


@dataclass(frozen=True)
class Access:
    """What one person may do on one map."""

    map: Map
    user: object
    role: str | None  # a Role value, or None for no role
    class_role: str | None = None  # a ClassRole value on an exercise's map
    operator: bool = False  # the site's operator, no person behind it: see `for_site_operator`

    @classmethod
    def for_site_operator(cls, map_: Map) -> "Access":
        """Everything on the map, real names and others' pending nodes included, for code that runs
        with no person behind it (management commands, benchmarks, seeds, tests of the whole
        graph). Never for a request: views get their Access from `map_and_access`."""
        return cls(map=map_, user=None, role=Role.OWNER, operator=True)

    def _at_least(self, role: str) -> bool:
        return self.role is not None and RANK[self.role] >= RANK[role]

    @property
    def exercise(self):
        return self.map.exercise if self.map.exercise_id else None

    @property
    def is_teacher(self) -> bool:
        """A teacher of the class whose exercise works on this map."""
        return self.exercise is not None and (
            self.operator or self.class_role == ClassRole.TEACHER or bool(self.user and self.user.is_superuser)
        )

    @property
    def is_student(self) -> bool:
        return self.exercise is not None and self.class_role == ClassRole.STUDENT and not self.is_teacher

    @property
    def read_only(self) -> bool:
        """Nobody changes anything: the exercise has closed (or, for students, has not opened)."""
        exercise = self.exercise
        if exercise is None:
            return False
        if exercise.has_closed():
            return True
        return not self.is_teacher and not exercise.is_open()

    @property
    def read_only_reason(self) -> str:
        """Why the exercise's clock allows no change, with the time in the class's zone."""
        from argmap.classroom.exercises import closed_message, when

        exercise = self.exercise
        zone = exercise.school_class.zone
        if exercise.has_closed():
            return closed_message(exercise)
        return (f"This exercise opens at {when(exercise.opens_at, zone)}; "
                "until then the map is read-only for students.")

    def _unless_read_only(self, allowed: bool):
        """`allowed`, unless the exercise's clock says no: then a Refused with the reason."""
        if allowed and self.read_only:
            return Refused(self.read_only_reason)
        return allowed

    @property
    def can_view(self) -> bool:
        return self.role is not None or self.map.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)

    @property
    def can_comment(self) -> bool:
        by_role = self._at_least(Role.CONTRIBUTOR) or (self.role == Role.VIEWER and self.map.viewers_can_comment)
        return self._unless_read_only(by_role)

    @property
    def can_contribute(self) -> bool:
        """Add nodes, relations and quotes; edit and delete one's own."""
        return self._unless_read_only(self._at_least(Role.CONTRIBUTOR))

    @property
    def can_edit_all(self) -> bool:
        return self._unless_read_only(self._at_least(Role.EDITOR))

    @property
    def moderated(self) -> bool:
        """What this person adds or edits waits for a teacher's approval."""
        return self.is_student and self.exercise.moderation

    @property
    def sees_pending(self) -> bool:
        """Sees everyone's pending and rejected nodes (not only their own)."""
        return self.exercise is None or self.is_teacher or (self._at_least(Role.EDITOR) and not self.is_student)

    @property
    def anonymised(self) -> bool:
        """Sees the other students under pseudonyms."""
        return self.exercise is not None and self.exercise.anonymity and not self.is_teacher

    @cached_property
    def pseudonyms(self) -> dict[int, str | None]:
        """user id -> pseudonym in this exercise, or None for a student of the class who has none
        yet (one query, on first use, only when anonymised)."""
        if not self.anonymised:
            return {}
        # Unordered throughout: SQLite allows no ORDER BY in the parts of a UNION.
        named = Pseudonym.objects.filter(exercise_id=self.map.exercise_id).order_by()
        unnamed = (
            Enrolment.objects.filter(school_class_id=self.exercise.school_class_id, role=ClassRole.STUDENT)
            .exclude(user_id__in=named.values("user_id"))
            .annotate(no_name=Value(None, output_field=CharField()))
            .order_by()
        )
        rows = named.values_list("user_id", "name").union(unnamed.values_list("user_id", "no_name"), all=True)
        return dict(rows.order_by())

    def name_of(self, person) -> str:
        """How this reader sees a person's name: their username, or under anonymity the student's
        pseudonym (a student without one yet is 'a student'; the reader always sees their own name)."""
        if person is None:
            return "someone"
        if not self.anonymised or (self.user is not None and person.pk == self.user.pk):
            return person.get_username()
        if person.pk in self.pseudonyms:
            return self.pseudonyms[person.pk] or "a student"
        return person.get_username()

    @property
    def is_owner(self) -> bool:
        return self._at_least(Role.OWNER)

    @property
    def can_manage(self) -> bool:
        """Change the map's sources and clutter: an owner, while the exercise's clock allows changes."""
        return self._unless_read_only(self.is_owner)

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

    @property
    def can_vote(self):
        """Rate relations' impact: contributors and up, while the map (or exercise) takes changes."""
        if not self.map.voting:
            return False
        return self.can_contribute

    def sees_votes_before_voting(self) -> bool:
        """Others' votes on a relation are shown before this person has voted on it (owners, editors
        and teachers always see them)."""
        return not self.map.votes_hidden_until_voted or self.is_teacher or (
            self._at_least(Role.EDITOR) and not self.is_student
        )


def checked(access: Access) -> Access:
    """`access`, or TypeError for anything else (a bare Map above all): what someone sees is never
    decided without their Access, so forgetting it is an error rather than a view of everything."""
    if not isinstance(access, Access):
        raise TypeError(f"Pass the reader's Access (argmap.permissions), not {type(access).__name__}: "
                        "what a map shows depends on who reads it.")
    return access


def _combined_role(map_: Map, user, member_role: str | None, class_role: str | None, in_group: bool) -> str | None:
    """The strongest of the map's own role and the one the exercise's class gives."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser or user.pk == map_.owner_id:
        return Role.OWNER
    roles = [member_role] if member_role else []
    if map_.exercise_id and class_role == ClassRole.TEACHER:
        roles.append(Role.OWNER)
    elif map_.exercise_id and class_role == ClassRole.STUDENT:
        if map_.group_id is not None:
            if in_group:
                roles.append(Role.CONTRIBUTOR)
        elif map_.exercise.groups:
            roles.append(Role.VIEWER)  # the map the groups' copies came from: they work on their copy
        else:
            roles.append(Role.CONTRIBUTOR)
    return max(roles, key=RANK.__getitem__) if roles else None


def _class_role(map_: Map, user) -> tuple[str | None, bool]:
    if not map_.exercise_id or user is None or not user.is_authenticated:
        return None, False
    role = (
        Enrolment.objects.filter(school_class_id=map_.exercise.school_class_id, user=user)
        .values_list("role", flat=True)
        .first()
    )
    in_group = bool(map_.group_id) and GroupMember.objects.filter(group_id=map_.group_id, user=user).exists()
    return role, in_group


def access_for(map_: Map, user) -> Access:
    """What `user` may do on `map_` (a few queries; views use map_and_access, which needs one)."""
    member_role = None
    if user is not None and user.is_authenticated:
        member_role = Membership.objects.filter(map=map_, user=user).values_list("role", flat=True).first()
    class_role, in_group = _class_role(map_, user)
    role = _combined_role(map_, user, member_role, class_role, in_group)
    return Access(map=map_, user=user, role=role, class_role=class_role)


def role_of(map_: Map, user) -> str | None:
    return access_for(map_, user).role


def can_view(map_: Map, user) -> bool:
    return access_for(map_, user).can_view


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
        role = _combined_role(map_, user, map_.member_role, class_role, map_.in_group)
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


def node_for(access: Access, node_id: int):
    """The live node with this id on `access.map`, with its author, if the reader may see it."""
    from argmap.browsing import hides  # browsing reads Access: imported here, not at the top

    checked(access)
    node = None
    if node_id <= MAX_ID:
        node = Node.objects.live().select_related("author").filter(map=access.map, pk=node_id).first()
    if node is None or hides(access, node):
        raise Http404("No such node in this map.")
    node.map = access.map
    return node


def deleted_node_for(access: Access, node_id: int):
    """The deleted node with this id on `access.map` (with its author and deleter), if the reader may
    see it."""
    from argmap.browsing import hides

    checked(access)
    node = None
    if node_id <= MAX_ID:
        node = (Node.objects.deleted().select_related("author", "deleted_by")
                .filter(map=access.map, pk=node_id).first())
    if node is None or hides(access, node):
        raise Http404("No such node in this map.")
    node.map = access.map
    return node


def quote_for(access: Access, quote_id: int):
    """The quote with this id (live or deleted, with its node and source) on a node of `access.map`
    that the reader may see."""
    from argmap.browsing import hides

    checked(access)
    quote = None
    if quote_id <= MAX_ID:
        quote = Quote.objects.with_source_details().select_related("node").filter(node__map=access.map, pk=quote_id).first()
    if quote is None or hides(access, quote.node):
        raise Http404("No such quote in this map.")
    quote.node.map = access.map
    return quote


def comment_for(access: Access, comment_id: int):
    """The comment with this id (with its node) on a live node of `access.map` that the reader may see."""
    from argmap.browsing import hides

    checked(access)
    comment = None
    if comment_id <= MAX_ID:
        comment = (Comment.objects.select_related("node")
                   .filter(pk=comment_id, node__map=access.map, node__deleted_at__isnull=True).first())
    if comment is None or hides(access, comment.node):
        raise Http404("No such comment in this map.")
    comment.node.map = access.map
    return comment


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


def class_and_access(request, class_id: int):
    """The class and the requester's role in it (one query); 404 unless they are in it."""
    user = request.user
    if not user.is_authenticated:
        raise Http404("No such class.")
    school_class = (
        SchoolClass.objects.filter(pk=class_id)
        .annotate(my_role=Subquery(Enrolment.objects.filter(school_class=OuterRef("pk"), user=user).values("role")[:1]))
        .first()
    )
    if school_class is None:
        raise Http404("No such class.")
    role = ClassRole.TEACHER if user.is_superuser else school_class.my_role
    if role is None:
        raise Http404("No such class.")
    return school_class, ClassAccess(school_class, user, role)


def exercise_and_access(request, exercise_id: int):
    """The exercise (with its class) and the requester's role in the class (one query); 404 unless
    they are in the class. A student's group is not checked here: group maps go through map_and_access."""
    user = request.user
    if not user.is_authenticated:
        raise Http404("No such exercise.")
    exercise = (
        Exercise.objects.select_related("school_class")
        .filter(pk=exercise_id)
        .annotate(
            my_role=Subquery(
                Enrolment.objects.filter(school_class=OuterRef("school_class_id"), user=user).values("role")[:1]
            )
        )
        .first()
    )
    if exercise is None:
        raise Http404("No such exercise.")
    role = ClassRole.TEACHER if user.is_superuser else exercise.my_role
    if role is None:
        raise Http404("No such exercise.")
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
    from django.contrib.auth import get_user_model
    from django.db.models import Q

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
