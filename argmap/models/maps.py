"""Argmap's data model: sources, maps, nodes and the relations between them, quotes, comments.

A map is a directed acyclic graph of nodes. A thesis is a root; every other node bears on one or
more nodes of the same map through a Relation (support or oppose). Evidence is a claim with at
least one Quote, which anchors it to an exact passage of a Source by code point offsets.
"""

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from argmap import anchoring
from argmap.models.classroom import ClassRole, Enrolment, Exercise, ExerciseGroup, GroupMember

PUBLIC_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes get read aloud in class


def new_public_code(length: int = 10) -> str:
    # 31**10 ≈ 8e14 codes: an unlisted map's link cannot be guessed.
    return "".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(length))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SoftDeleteQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class SoftDeletable(models.Model):
    """Rows are never removed by the product: deleting stamps them, restoring clears the stamp."""

    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self, by=None) -> None:
        self.deleted_at = timezone.now()
        self.deleted_by = by
        self.save(update_fields=["deleted_at", "deleted_by"])

    def restore(self) -> None:
        self.deleted_at = None
        self.deleted_by = None
        self.save(update_fields=["deleted_at", "deleted_by"])


SOURCE_DETAILS = ("title", "author", "publisher", "published_on", "url", "notes", "rights")


class MapDetail:
    """A detail of a source that belongs to one map (its MapSource row): present on sources loaded
    with `Source.objects.in_map(map_)`, an error on any other, so no page shows another map's."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        try:
            return obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(f"Source.{self.name} is a map's: load the source with Source.objects.in_map(map_)") from None

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.name] = value


def untitled_name(text: str) -> str:
    opening = " ".join(text.split()[:8])
    return f"Untitled source: “{opening}…”"


class SourceQuerySet(models.QuerySet):
    def in_map(self, map_):
        """The map's sources, each with what this map wrote about it (title, author, notes...)."""
        return self.filter(mapsource__map=map_).annotate(**{f: models.F(f"mapsource__{f}") for f in SOURCE_DETAILS})


class Source(models.Model):
    """An article, its text stored verbatim: quotes point into it by code point offsets.

    Sources are shared: the same text is stored once (found by its hash) and attached to any
    number of maps. What people write about it (title, author, notes, rights...) belongs to each
    map that has it (MapSource). Once quoted, or while another map has it, the text never changes;
    a corrected text is a new source.
    """

    code = models.CharField(max_length=16, unique=True, editable=False)
    # What a map wrote about the source, put there by `Source.objects.in_map(map_)`.
    title, author, publisher = MapDetail(), MapDetail(), MapDetail()
    published_on, url, notes, rights = MapDetail(), MapDetail(), MapDetail(), MapDetail()
    # A public source can be attached to any map by its owners; a private one only by who added it.
    is_public = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"source {self.code}"

    @property
    def display_title(self) -> str:
        # Pages listing many quotes read only the opening of the text (browsing.node_cards).
        return self.title or untitled_name(self.__dict__.get("opening") or self.text)

    def clean(self) -> None:
        anchoring.check_storable_text(self.text)

    def save(self, *args, **kwargs) -> None:
        new_hash = text_hash(self.text)
        if self.pk and new_hash != self.content_hash and self.quotes.exists():
            raise ValidationError(
                "This source is quoted, so its text cannot change: add the corrected text as a new source."
            )
        self.content_hash = new_hash
        if not self.code:
            self.code = new_hash[:12]
        super().save(*args, **kwargs)


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private (only people given a role)"
    UNLISTED = "unlisted", "Unlisted (anyone with the link)"
    PUBLIC = "public", "Public (listed for everyone)"


class MapQuerySet(models.QuerySet):
    def lock(self, pk: int) -> None:
        """Lock the map's row until the transaction ends. Every writer to a map's nodes, relations,
        quotes or reviews takes this lock first: later statements in the same transaction (inserts,
        the node's or relation's own lock) then never wait on each other in opposite orders (a
        deadlock on PostgreSQL), and two changes to one map are serialised. On SQLite the immediate
        transaction (BEGIN IMMEDIATE) already holds the database's write lock."""
        self.select_for_update().filter(pk=pk).values_list("pk", flat=True).first()

    def listed(self):
        return self.filter(visibility=Visibility.PUBLIC)

    def for_poll(self, pk: int) -> "Map | None":
        """The map with just what a live poll reads (code, activity, and what changes_since needs:
        revision, exercise), or None. Every open page asks this every 2 s: the SQL is written out
        because building it through the ORM took most of an unchanged poll (bench/bench_live.py)."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"SELECT id, code, activity, revision, exercise_id FROM {table} WHERE id = %s"
        return next(iter(self.raw(sql, [pk])), None)

    def visible_to(self, user):
        """Maps a user may open without knowing a link: public ones, their own, those they have a role on."""
        if user is None or not user.is_authenticated:
            return self.listed()
        if user.is_superuser:
            return self.all()

        classes = Enrolment.objects.filter(user=user)
        teaching = classes.filter(role=ClassRole.TEACHER).values("school_class")
        studying = classes.filter(role=ClassRole.STUDENT).values("school_class")
        return self.filter(
            models.Q(visibility=Visibility.PUBLIC)
            | models.Q(owner=user)
            | models.Q(memberships__user=user)
            # An exercise's maps: all of them for its class's teachers; for students the main map
            # and their own group's copy (as in permissions.py).
            | models.Q(exercise__school_class__in=teaching)
            | models.Q(exercise__school_class__in=studying, group__isnull=True)
            | models.Q(group__in=GroupMember.objects.filter(user=user).values("group"))
        ).distinct()


class Map(models.Model):
    code = models.CharField(max_length=32, unique=True, default=new_public_code, editable=False)
    title = models.CharField(max_length=200)
    question = models.TextField(blank=True, help_text="The question or motion the class argues.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="maps"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    sources = models.ManyToManyField(Source, through="MapSource", related_name="maps")
    viewers_can_comment = models.BooleanField(
        default=True, help_text="People with the viewer role may comment (they can never change nodes)."
    )
    voting = models.BooleanField(default=True, help_text="Contributors rate each relation's impact (0 to 4).")
    votes_hidden_until_voted = models.BooleanField(
        default=False, help_text="A student sees the others' votes on a relation only once they have voted on it."
    )
    # Bumped by every vote and source rating: with `revision` it keys the cached strengths.
    votes_revision = models.PositiveBigIntegerField(default=0, editable=False)
    # A map an exercise works on (its groups' copies name their group too): class roles apply.
    exercise = models.ForeignKey(
        Exercise, null=True, blank=True, on_delete=models.SET_NULL, related_name="maps"
    )
    group = models.ForeignKey(
        ExerciseGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="maps"
    )
    # Bumped by every change to the map's shape (nodes, relations, quotes): it keys the cached graph.
    revision = models.PositiveBigIntegerField(default=0, editable=False)
    # Bumped by every change at all (shape, text, comments, clutter): what live pages poll.
    activity = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MapQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    # Pages of a map at /maps/<code>/<word>/ that a title's slug must not shadow.
    RESERVED_SLUGS = frozenset({"activity", "branch", "coverage", "deleted", "export", "judge", "members", "rows",
                                "settings"})

    @property
    def slug(self) -> str:
        slug = slugify(self.title)[:60] or "map"
        return f"{slug}-map" if slug in self.RESERVED_SLUGS else slug

    def get_absolute_url(self) -> str:
        return reverse("map-detail", args=[self.code, self.slug])

    @classmethod
    def touch(cls, map_id: int, nodes: Iterable[int] | None = None, sources: Iterable[int] = ()) -> None:
        """Record that the map's shape changed (an UPDATE, so concurrent writers never lose a bump),
        and which nodes it touched for live pages (None: anything may have changed)."""
        cls._bump(map_id, LiveChange(shape=True, nodes=_ids(nodes), sources=sorted(set(sources))),
                  revision=models.F("revision") + 1, updated_at=timezone.now())

    @classmethod
    def note_activity(cls, map_id: int, nodes: Iterable[int] | None = None, *, votes: bool = False) -> None:
        """Record a change that leaves the shape alone (a comment, a vote, a clutter range) for live
        pages; `votes` also moves the key of the cached strengths."""
        more = {"votes_revision": models.F("votes_revision") + 1} if votes else {}
        cls._bump(map_id, LiveChange(shape=False, nodes=_ids(nodes), scores=votes), **more)

    @classmethod
    def _bump(cls, map_id: int, change: "LiveChange", **fields) -> None:
        # The UPDATE holds the map row's lock until the transaction commits, so the activity number
        # read back is this change's own, and changes commit in the order of their numbers: a poll
        # that sees activity N also sees every LiveChange up to N.
        with transaction.atomic():
            if not cls.objects.filter(pk=map_id).update(activity=models.F("activity") + 1, **fields):
                return  # the map is gone
            change.map_id = map_id
            change.activity = cls.objects.filter(pk=map_id).values_list("activity", flat=True).get()
            change.save()
            if change.activity % LiveChange.PRUNE_EVERY == 0:
                LiveChange.objects.filter(map_id=map_id, activity__lte=change.activity - LiveChange.KEPT).delete()


def _ids(nodes: Iterable[int] | None) -> list[int] | None:
    return None if nodes is None else sorted({n for n in nodes if n is not None})


class LiveChange(models.Model):
    """What one bump of a map's `activity` changed, for the pages open on it (argmap/live.py).

    `nodes` None means anything may have changed (an import, a source edited): pages refresh whole.
    `shape` says relations, counts or order may have moved, so the nodes' ancestors show new counts.
    Only the latest KEPT per map are kept: a page further behind refreshes whole.
    """

    KEPT = 400
    PRUNE_EVERY = 100

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="live_changes")
    activity = models.PositiveBigIntegerField()
    nodes = models.JSONField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)
    shape = models.BooleanField(default=False)
    scores = models.BooleanField(default=False)

    class Meta:
        ordering = ["map", "activity"]
        constraints = [
            # Also the index of the poll's "changes of this map after activity N".
            models.UniqueConstraint(fields=["map", "activity"], name="one_live_change_per_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.map_id}@{self.activity}: {'everything' if self.nodes is None else self.nodes}"


class MapSource(models.Model):
    """A source attached to a map, with what this map says about it: another map with the same
    text has its own row, so its owners never read or change these."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE)
    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    title = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    rights = models.CharField(max_length=300, blank=True, help_text="Who owns the text and on what terms it is used.")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["map", "source"], name="map_source_once")]

    def __str__(self) -> str:
        return f"{self.title or self.source} in {self.map}"

    def source_with_details(self) -> Source:
        """The source carrying this map's details, as `Source.objects.in_map` loads it."""
        for field in SOURCE_DETAILS:
            setattr(self.source, field, getattr(self, field))
        return self.source


class NodeKind(models.TextChoices):
    THESIS = "thesis", "Thesis"
    CLAIM = "claim", "Claim"


class NodeStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    PENDING = "pending", "Pending approval"
    REJECTED = "rejected", "Rejected"


class NodeQuerySet(SoftDeleteQuerySet):
    def in_map(self, map_):
        return self.filter(map=map_)

    def theses(self):
        return self.filter(kind=NodeKind.THESIS)


class Node(SoftDeletable):
    """A thesis or a claim, in its author's own words. A claim with quotes is a piece of evidence."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="nodes")
    kind = models.CharField(max_length=10, choices=NodeKind.choices, default=NodeKind.CLAIM)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="nodes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised by every edit of the text: an edit form carries the version it started from, so a
    # change made meanwhile by someone else is shown as a conflict instead of being overwritten.
    version = models.PositiveIntegerField(default=1)
    # Under moderation a student's node is pending (seen by its author and the teachers only)
    # until approved; a rejected one stays visible to those two with the teacher's feedback.
    status = models.CharField(max_length=10, choices=NodeStatus.choices, default=NodeStatus.APPROVED)

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # The map page lists a map's live theses.
            models.Index(fields=["map", "kind"], name="node_map_kind"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_thesis(self) -> bool:
        return self.kind == NodeKind.THESIS

    def get_absolute_url(self) -> str:
        return reverse("node-focus", args=[self.map.code, self.pk])

    def bear_on(self, parent: "Node", stance: str, author=None) -> "Relation":
        return Relation.objects.link(self, parent, stance, author=author)


class Stance(models.TextChoices):
    SUPPORT = "support", "Supports"
    OPPOSE = "oppose", "Opposes"


class CycleError(ValidationError):
    pass


class RelationQuerySet(SoftDeleteQuerySet):
    def visible_edges(self, map_):
        """(id, child, parent, stance) of every live relation between live nodes of a map."""
        return (
            self.filter(map=map_, deleted_at__isnull=True)
            .filter(child__deleted_at__isnull=True, parent__deleted_at__isnull=True)
            .order_by("id")
            .values_list("id", "child_id", "parent_id", "stance")
        )

    def link(self, child: Node, parent: Node, stance: str, author=None) -> "Relation":
        """Make `child` bear on `parent`, refusing anything that would break the map's shape.

        The map row is locked first, so two people adding the two halves of a cycle at once are
        serialised and the second one sees the first one's relation (on SQLite the immediate
        transaction mode takes the write lock at BEGIN, to the same effect).
        """
        if stance not in Stance.values:
            raise ValidationError(f"A relation is support or oppose, not {stance!r}.")
        if child.map_id != parent.map_id:
            raise ValidationError("A node can only bear on nodes of the same map.")
        if child.is_thesis:
            raise ValidationError("A thesis stands on its own: it cannot support or oppose another node.")
        if child.pk == parent.pk:
            raise CycleError("A node cannot support or oppose itself.")
        with transaction.atomic():
            Map.objects.lock(child.map_id)
            if self.live().filter(child=child, parent=parent).exists():
                raise ValidationError("This node already bears on that one.")
            if reaches_upward(parent.pk, child.pk):
                raise CycleError(
                    f"“{_short(child.text)}” cannot bear on “{_short(parent.text)}”: "
                    "that node already depends on it, so the map would go round in a circle."
                )
            return self.create(map_id=child.map_id, child=child, parent=parent, stance=stance, author=author)


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def reaches_upward(start_id: int, target_id: int) -> bool:
    """True if `target_id` is `start_id` or any node that `start_id` bears on, directly or not.

    Relations of deleted nodes count too: restoring a node must never bring back a cycle.
    """
    table = Relation._meta.db_table
    sql = f"""
        WITH RECURSIVE up(id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT r.parent_id FROM {table} r JOIN up ON r.child_id = up.id
            WHERE r.deleted_at IS NULL
        )
        SELECT 1 FROM up WHERE id = %s LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start_id, target_id])
        return cursor.fetchone() is not None


class Relation(SoftDeletable):
    """`child` bears on `parent`: supports it or opposes it."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="relations")
    child = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="child_links")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RelationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent"], condition=models.Q(deleted_at__isnull=True), name="relation_live_once"
            ),
            models.CheckConstraint(condition=~models.Q(child=models.F("parent")), name="relation_not_self"),
        ]
        indexes = [
            # visible_edges(): every live relation of one map, on each page view.
            models.Index(fields=["map", "deleted_at"], name="relation_map_live"),
            # reaches_upward() walks from a child to its parents.
            models.Index(fields=["child", "deleted_at"], name="relation_child_live"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.stance} {self.parent_id}"


class _QuotesWithDetails(models.query.ModelIterable):
    """Moves the `source_<detail>` annotations onto each quote's source (see with_source_details)."""

    def __iter__(self):
        for quote in super().__iter__():
            for field in SOURCE_DETAILS:
                setattr(quote.source, field, getattr(quote, f"source_{field}"))
            yield quote


class QuoteQuerySet(SoftDeleteQuerySet):
    def of_map(self, map_):
        return self.filter(node__map=map_)

    def with_source_details(self):
        """Quotes with their sources, each carrying the details its quote's map gave it (title, author...)."""
        # One LEFT JOIN on the quote's own map's attachment (not a subquery per detail: building and
        # compiling seven subqueries cost more than the rows they read on every map page).
        quotes = self.select_related("source").annotate(
            _link=models.FilteredRelation("source__mapsource", condition=models.Q(source__mapsource__map=models.F("node__map"))),
            **{f"source_{field}": models.F(f"_link__{field}") for field in SOURCE_DETAILS},
        )
        quotes._iterable_class = _QuotesWithDetails
        return quotes


class Quote(SoftDeletable):
    """Ties a piece of evidence to a passage of a source, the W3C Web Annotation way.

    `start`/`end` are a TextPositionSelector (Unicode code points, end exclusive); `exact` with
    `prefix`/`suffix` is a TextQuoteSelector. Saving checks that `exact` is the source's own text
    at those offsets and refuses anything else.
    """

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="quotes")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quotes")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=anchoring.CONTEXT_LENGTH * 2, blank=True)
    suffix = models.CharField(max_length=anchoring.CONTEXT_LENGTH * 2, blank=True)
    note = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="quote_not_empty")]
        indexes = [
            # The source reader lists every quote of one source.
            models.Index(fields=["source", "start"], name="quote_source_start"),
        ]

    def __str__(self) -> str:
        return f"“{_short(self.exact)}” ({self.source})"

    def save(self, *args, **kwargs) -> None:
        anchoring.verify(self.source.text, self.start, self.end, self.exact)
        if not MapSource.objects.filter(map_id=self.node.map_id, source_id=self.source_id).exists():
            raise ValidationError("Evidence can only quote the sources of its own map.")
        self.prefix, self.suffix = anchoring.context_of(self.source.text, self.start, self.end)
        super().save(*args, **kwargs)

    @classmethod
    def anchor(cls, node: Node, source: Source, exact: str, start: int | None = None, **fields) -> "Quote":
        """Build (not save) a quote of `exact`, found in the source or checked at `start`."""
        position = anchoring.locate(source.text, exact, start=start)
        return cls(node=node, source=source, start=position.start, end=position.end, exact=exact, **fields)


class Comment(SoftDeletable):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="comments")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Owners and editors hide a comment (moderation); its author deletes it. Both keep the row.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return _short(self.text)

    def clean(self) -> None:
        if self.reply_to_id and self.reply_to.node_id != self.node_id:
            raise ValidationError("A reply belongs to the same node as the comment it answers.")


class Role(models.TextChoices):
    # Ordered from most to least power; permissions.py compares by this order.
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    CONTRIBUTOR = "contributor", "Contributor"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A person's role on one map. The map's `owner` is an owner without needing a row here."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["map", "user"], name="membership_once")]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.map}"


class ClutterRange(SoftDeletable):
    """A stretch of a source that is page clutter (menus, subscription boxes) on one map.

    The text stays as it is; the reader dims the range and coverage figures leave it out.
    """

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="clutter")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="clutter")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="clutter_not_empty")]

    def __str__(self) -> str:
        return f"clutter {self.start}-{self.end} of {self.source}"


class Action(models.TextChoices):
    CREATE = "create", "added"
    EDIT = "edit", "edited"
    MOVE = "move", "moved"
    ATTACH = "attach", "attached"
    DETACH = "detach", "detached"
    DELETE = "delete", "deleted"
    RESTORE = "restore", "restored"
    HIDE = "hide", "hid"
    UNHIDE = "unhide", "unhid"


class Change(models.Model):
    """One recorded change: who did what to which object, with its state before and after.

    `node` is the node whose history the change belongs to (a quote's or comment's node, a
    relation's child), so a focus view lists a node's history with one query.
    """

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    target_type = models.CharField(max_length=20)  # "node", "relation", "quote", "comment", "source", ...
    target_id = models.PositiveBigIntegerField()
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["map", "id"], name="change_map_id"),
            models.Index(fields=["node", "id"], name="change_node_id"),
            models.Index(fields=["target_type", "target_id"], name="change_target"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.target_type} {self.target_id}"


IMPACT_CHOICES = [(0, "0 – no impact"), (1, "1 – small"), (2, "2 – medium"), (3, "3 – large"), (4, "4 – decisive")]


class Vote(models.Model):
    """One person's rating of how much a relation's child, if true, moves its parent (Kialo's 0–4)."""

    relation = models.ForeignKey(Relation, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    impact = models.PositiveSmallIntegerField(choices=IMPACT_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["relation", "user"], name="one_vote_per_relation"),
            models.CheckConstraint(condition=models.Q(impact__lte=4), name="impact_0_to_4"),
        ]


class SourceRating(models.Model):
    """A map's owners' judgement of one of its sources (0–4, with a note). When `counts`, evidence
    quoting the source starts from base score rating/4 instead of 0.5 in the strength computation."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="source_ratings")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(choices=[(n, str(n)) for n in range(5)])
    note = models.CharField(max_length=500, blank=True)
    counts = models.BooleanField(default=True, help_text="Use the rating as the starting strength of evidence.")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["map", "source"], name="one_rating_per_source"),
            models.CheckConstraint(condition=models.Q(rating__lte=4), name="rating_0_to_4"),
        ]


class AttemptCounter(models.Model):
    """How many times something limited was tried in the current window: a log-in per username
    and address, a sign-up per address (argmap/loginlimit.py). A row of its own, not the cache, so
    that counting is one conditional UPDATE, atomic on SQLite and PostgreSQL across processes (the
    database cache's incr is a get then a set), and so that no cache cull can forget a lock."""

    key = models.CharField(max_length=100, unique=True)  # what is counted and a hash of whose
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The clean-up of old rows (loginlimit._forget_old) filters on window_start.
        indexes = [models.Index(fields=["window_start"], name="attempt_window_start")]

    def __str__(self):
        return f"{self.key}: {self.count} since {self.window_start:%Y-%m-%d %H:%M}"
