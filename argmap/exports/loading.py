"""What an export reads: a map with everything in it, loaded once in a fixed number of queries.

`MapExport.load(access)` reads `access.map`'s the map's sources, clutter, nodes, relations, quotes,
comments, memberships and history, each with the people involved. Two views of it:

- everything (`nodes`, `relations`, ...): deleted and pending things included, for the backup format;
- what a reader sees (`graph`, `live_node`, `quotes_of`, `children_of`, `theses`): live, approved
  (or seen by the exporter) nodes reachable from a thesis through live relations, for every other format.

Names go through `name(user)`: usernames, or pseudonyms when the exporter may not see real names
(Access.name_of) or asked for an anonymized export.
"""

from collections import defaultdict
from dataclasses import dataclass, field


from argmap.access import Access, checked
from argmap.models import Change, ClutterRange, Comment, Map, Membership, Node, NodeKind, NodeStatus, Pseudonym, Quote, Relation, Source
from argmap.tree import Edge, MapGraph


@dataclass
class MapExport:
    map: Map
    sources: list[Source]
    clutter: list[ClutterRange]
    nodes: list[Node]
    relations: list[Relation]
    quotes: list[Quote]
    comments: list[Comment]
    memberships: list[Membership]
    changes: list[Change]
    access: Access = None  # always given by `load`
    anonymized: bool = False
    names: dict[int, str] = field(default_factory=dict)  # user id -> pseudonym, when anonymized
    # Per-format choices, e.g. {"root": node id, "depth": 3} for a picture of one subtree.
    options: dict = field(default_factory=dict)

    @classmethod
    def load(cls, access: Access, *, anonymize: bool = False) -> "MapExport":
        """Everything in `access.map` (nine queries whatever its size).

        The exporter's `access` decides which pending nodes count as seen and whether names are
        pseudonyms; the command line passes `Access.for_site_operator(map_)`, which sees everything."""
        map_ = checked(access).map
        people = ("author", "deleted_by")
        if map_.owner_id is not None:
            map_.owner  # noqa: B018 (read once here, so names never cost a query later)
        sources = list(Source.objects.in_map(map_).select_related("added_by").order_by("mapsource__id"))
        clutter = list(ClutterRange.objects.filter(map=map_).select_related("created_by", "deleted_by").order_by("id"))
        nodes = list(Node.objects.filter(map=map_).select_related(*people, "updated_by").order_by("id"))
        relations = list(Relation.objects.filter(map=map_).select_related(*people).order_by("id"))
        quotes = list(Quote.objects.filter(node__map=map_).select_related(*people).order_by("id"))
        comments = list(
            Comment.objects.filter(node__map=map_).select_related(*people, "hidden_by").order_by("created_at", "id")
        )
        memberships = list(Membership.objects.filter(map=map_).select_related("user", "added_by").order_by("id"))
        changes = list(Change.objects.filter(map=map_).select_related("actor").order_by("id"))
        export = cls(map_, sources, clutter, nodes, relations, quotes, comments, memberships, changes,
                     access=access, anonymized=anonymize or access.anonymised)
        if anonymize:
            export.names = _pseudonyms(export)
        # else a student of an anonymous exercise: names as the map pages show them (Access.name_of)
        return export

    # People

    def name(self, user) -> str | None:
        """The name an export shows for a person (None for nobody)."""
        if user is None:
            return None
        if not self.anonymized:
            return user.get_username()
        if not self.names:
            return self.access.name_of(user)
        return self.names.get(user.pk, "someone")

    # What a reader sees

    @property
    def restricted(self) -> bool:
        """The exporter sees less than everything (no deleted things, no one else's pending nodes,
        no history): an owner or editor who sees real names gets it all; the command line too."""
        access = self.access
        return access.anonymised or not access.sees_pending or access.role not in ("owner", "editor")

    @property
    def full_backup(self) -> bool:
        """Everything needed to rebuild the map, with real names."""
        return not (self.anonymized or self.restricted)

    def _seen(self, node: Node) -> bool:
        if node.is_deleted:
            return False
        if node.status == NodeStatus.APPROVED or self.access.sees_pending:
            return True
        user = self.access.user
        return user is not None and user.is_authenticated and node.author_id == user.pk

    @property
    def graph(self) -> MapGraph:
        if not hasattr(self, "_graph"):
            seen = {n.pk for n in self.nodes if self._seen(n)}
            theses = [n.pk for n in self.nodes if n.kind == NodeKind.THESIS and n.pk in seen]
            edges = [
                Edge(r.pk, r.child_id, r.parent_id, r.stance)
                for r in self.relations
                if not r.is_deleted and r.child_id in seen and r.parent_id in seen
            ]
            evidence = {q.node_id for q in self.quotes if not q.is_deleted}
            self._graph = MapGraph(theses, edges, evidence)
        return self._graph

    @property
    def node_by_id(self) -> dict[int, Node]:
        if not hasattr(self, "_node_by_id"):
            self._node_by_id = {n.pk: n for n in self.nodes}
        return self._node_by_id

    @property
    def source_by_id(self) -> dict[int, Source]:
        if not hasattr(self, "_source_by_id"):
            self._source_by_id = {s.pk: s for s in self.sources}
        return self._source_by_id

    @property
    def theses(self) -> list[Node]:
        return [self.node_by_id[pk] for pk in self.graph.theses]

    def live_nodes(self) -> list[Node]:
        """Every node a reader sees, in id order."""
        return [n for n in self.nodes if n.pk in self.graph]

    def live_edges(self) -> list[Edge]:
        """Every live relation between seen nodes, in relation id order."""
        graph = self.graph
        return sorted((e for node in graph.nodes for e in graph.children(node)), key=lambda e: e.relation_id)

    def children_of(self, node_id: int) -> list[Edge]:
        return self.graph.children(node_id)

    def quotes_of(self, node_id: int) -> list[Quote]:
        if not hasattr(self, "_quotes_by_node"):
            by_node = defaultdict(list)
            for quote in self.quotes:
                if not quote.is_deleted:
                    by_node[quote.node_id].append(quote)
            self._quotes_by_node = by_node
        return self._quotes_by_node.get(node_id, [])

    def live_quotes(self) -> list[Quote]:
        return [q for n in self.live_nodes() for q in self.quotes_of(n.pk)]

    def live_comments(self) -> list[Comment]:
        graph = self.graph
        return [c for c in self.comments if not c.is_deleted and c.hidden_at is None and c.node_id in graph]


def _pseudonyms(export: MapExport) -> dict[int, str]:
    """Stable names for everyone in an anonymized export: the exercise's pseudonyms where there are
    some, else "Person 1", "Person 2"... in order of first appearance."""
    people: dict[int, object] = {}
    for item in [export.map, *export.sources, *export.nodes, *export.relations, *export.quotes, *export.comments]:
        for attr in ("owner", "author", "added_by", "deleted_by", "updated_by", "hidden_by"):
            user = getattr(item, attr, None) if _loaded(item, attr) else None
            if user is not None:
                people.setdefault(user.pk, user)
    for change in export.changes:
        if change.actor is not None:
            people.setdefault(change.actor.pk, change.actor)
    known = {}
    if export.map.exercise_id:
        known = dict(Pseudonym.objects.filter(exercise_id=export.map.exercise_id).values_list("user_id", "name"))
    names, number = {}, 0
    for pk in people:
        if pk in known:
            names[pk] = known[pk]
        else:
            number += 1
            names[pk] = f"Person {number}"
    return names


def _loaded(obj, attr: str) -> bool:
    """Whether reading obj.attr costs no query (a select_related relation, or nothing to read)."""
    field_name = f"{attr}_id"
    if not hasattr(obj, field_name):
        return False
    return getattr(obj, field_name) is None or obj._state.fields_cache.get(attr) is not None
