"""What one person may do on one map: `Access`, built from their roles (see argmap/permissions.py
for the rules and the lookups the views use).

An `Access` is the explicit argument of everything that decides what someone sees (browsing,
exports, judging...): `checked` refuses anything else, so forgetting it is an error, not a leak.
Code with no person behind it (management commands) says so with `Access.for_site_operator`.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import CharField, Value

from argmap.classroom.clock import closed_message, when
from argmap.models import ClassRole, Enrolment, GroupMember, Map, Membership, Pseudonym, Role, Visibility

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
        raise TypeError(f"Pass the reader's Access (argmap.access), not {type(access).__name__}: "
                        "what a map shows depends on who reads it.")
    return access


def combined_role(map_: Map, user, member_role: str | None, class_role: str | None, in_group: bool) -> str | None:
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
    role = combined_role(map_, user, member_role, class_role, in_group)
    return Access(map=map_, user=user, role=role, class_role=class_role)


def role_of(map_: Map, user) -> str | None:
    return access_for(map_, user).role


def can_view(map_: Map, user) -> bool:
    return access_for(map_, user).can_view
