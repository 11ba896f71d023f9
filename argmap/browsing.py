"""Loading what the browsing pages show, in a fixed number of queries whatever the map's size.

`load_graph(access)` reads the map's shape as one reader may see it (two queries); the pages then
decide which nodes to show and fetch exactly those with `node_cards` (two queries: nodes, then
their quotes with sources). Whatever shows a map's nodes takes the reader's Access
(argmap.permissions): a bare Map is refused (TypeError), so forgetting it cannot show everything.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Substr

from argmap.access import Access, checked
from argmap.caching import KeptRecently
from argmap.models import Map, Node, NodeKind, NodeStatus, Quote, Relation, Review
from argmap.models.maps import untitled_name
from argmap.tree import FILTERS, Edge, MapGraph, Path, Row, build_row, parse_path, path_key, walk


GRAPHS_KEPT = 32
# Of a quoted source's text the cards need only what names an untitled one (Source.display_title):
# the whole text, read once per quote, was most of the map page's time on a map with many quotes.
SOURCE_OPENING = 400
_graphs: KeptRecently[MapGraph] = KeptRecently(GRAPHS_KEPT)


def load_graph(access: Access) -> MapGraph:
    """The graph of `access.map` as its reader may see it: without others' nodes awaiting approval
    unless the reader sees them (teachers, the site's operator). See `_load_full_graph`."""
    graph = _load_full_graph(checked(access).map)
    if not access.sees_pending:
        graph = graph.seen_by(reader_id(access))
    return graph


def approved_graph(map_: Map) -> MapGraph:
    """The map's graph without any node that is not approved, nor what hangs only from one: what
    counts for judging and source coverage, the same for every reader (so it needs no Access)."""
    return _load_full_graph(map_).seen_by(None)


def read_graph(access: Access) -> MapGraph:
    """As `load_graph`, but read afresh from the database, past the cache (for tests and benchmarks)."""
    graph = _read_graph(checked(access).map)
    return graph if access.sees_pending else graph.seen_by(reader_id(access))


def reader_id(access) -> int | None:
    user = access.user
    return user.pk if user is not None and user.is_authenticated else None


def hides(access: Access, node: Node) -> bool:
    """True when the reader may not see this node of `access.map`, live or deleted: someone else's
    node awaiting approval (or rejected), or one that hangs only from such a node. Reads nothing on
    maps without an exercise or for readers who see every node."""
    map_ = checked(access).map
    if not map_.exercise_id or access.sees_pending:
        return False
    if node.status != NodeStatus.APPROVED and (node.author_id is None or node.author_id != reader_id(access)):
        return True
    return node.pk in _load_full_graph(map_) and node.pk not in load_graph(access)


def unseen(access: Access) -> set[int]:
    """Ids of the nodes of `access.map`, live or deleted, that the reader may not see: others' nodes
    that are not approved, and the nodes in the trees that hang only from them."""
    map_ = checked(access).map
    if not map_.exercise_id or access.sees_pending:
        return set()
    full, seen = _load_full_graph(map_), load_graph(access)
    reader = reader_id(access)
    return (full.nodes - seen.nodes) | {n for n, author in full.hidden.items() if author is None or author != reader}


def rows_moved_by(map_: Map, nodes: set[int]) -> tuple[set[int], set[int]]:
    """Ids of the nodes above these in the map's whole graph (whose rows' counts a change to them
    moves), and those of them that are theses. Ids only, pending nodes included, for every reader
    alike: they say where to look again, and what is shown is then read through an Access."""
    graph = _load_full_graph(map_)
    return graph.ancestors(nodes), {n for n in nodes if n in graph.theses}


def cards_naming(map_: Map, nodes: set[int]) -> set[int]:
    """Ids of the nodes whose cards name one of these in their "Also in …" list: those of their
    children placed under more than one parent (ids only, for every reader alike, as above)."""
    graph = _load_full_graph(map_)
    return {e.child for n in nodes for e in graph.children(n) if len(graph.parents(e.child)) > 1}


def _load_full_graph(map_: Map) -> MapGraph:
    """The map's whole graph, pending nodes included, reused while the map's revision is unchanged
    (three queries when it changed). Private: readers get it through `load_graph(access)`.

    The key holds the revision read with the map row, so every process notices another process's
    change on its next request; a graph is never edited after it is built.
    """
    return _graphs.get((map_.pk, map_.code, map_.revision), lambda: _read_graph(map_))


def forget_graphs() -> None:
    """Forget every kept graph and node card (`map_cards`)."""
    _graphs.clear()
    _card_sets.clear()


def _read_graph(map_: Map) -> MapGraph:
    edges = [Edge(*row) for row in Relation.objects.visible_edges(map_)]
    theses, evidence = [], []
    marked = (
        Node.objects.in_map(map_)
        .live()
        .filter(Q(kind=NodeKind.THESIS) | Q(quotes__deleted_at__isnull=True, quotes__isnull=False))
        .values_list("id", "kind")
        .distinct()
        .order_by("id")
    )
    for node_id, kind in marked:
        (theses if kind == NodeKind.THESIS else evidence).append(node_id)
    hidden = {}
    if map_.exercise_id:  # only an exercise's maps have nodes awaiting approval
        # Deleted ones too: a history may name them (see `unseen`).
        hidden = dict(Node.objects.in_map(map_).exclude(status=NodeStatus.APPROVED).values_list("id", "author_id"))
    return MapGraph(theses, edges, evidence, hidden)


def node_cards(ids: Iterable[int]) -> dict[int, Node]:
    """The nodes with these ids, each with its author, live quotes (and their sources) and
    `comment_count` of live comments."""
    live_quotes = (
        Quote.objects.live().with_source_details().defer("source__text")
        .annotate(source_opening=Substr("source__text", 1, SOURCE_OPENING)).order_by("id")
    )
    nodes = list(
        Node.objects.filter(pk__in=set(ids))
        .select_related("author")
        .annotate(comment_count=Count("comments", filter=Q(comments__deleted_at__isnull=True)))
        .prefetch_related(Prefetch("quotes", queryset=live_quotes, to_attr="live_quotes"))
    )
    for node in nodes:
        for quote in node.live_quotes:
            quote.source.opening = quote.source_opening
    return {node.pk: node for node in nodes}


def note_reviews(nodes: Iterable[Node]) -> None:
    """Give every rejected node among these its teacher's latest Review as `latest_review` (for
    the feedback shown beside the "Rejected" badge): one query, only if one of them is rejected."""
    rejected = {node.pk: node for node in nodes if node.status == NodeStatus.REJECTED}
    for review in Review.objects.filter(node_id__in=rejected).order_by("id") if rejected else ():
        rejected[review.node_id].latest_review = review  # the latest wins


@dataclass(slots=True)
class Person:
    """A node's author as the tree rows need them: enough for `Access.name_of`."""

    pk: int
    username: str

    def get_username(self) -> str:
        return self.username


@dataclass(slots=True)
class SourceCard:
    code: str
    title: str
    author: str
    opening: str  # the start of the text, which names an untitled source
    display_title: str = field(init=False)  # worked out once: every card quoting it shows it

    def __post_init__(self):
        self.display_title = self.title or untitled_name(self.opening)


@dataclass(slots=True)
class QuoteCard:
    pk: int
    exact: str
    source: SourceCard


@dataclass(slots=True)
class NodeCard:
    """What a tree row shows of a node, read as plain values: a thousand model instances with
    their quotes and sources cost more than drawing the rows (bench/bench_render.py)."""

    pk: int
    kind: str
    text: str
    status: str
    author_id: int | None
    author: Person | None
    comment_count: int
    live_quotes: list[QuoteCard] = field(default_factory=list)
    latest_review: Review | None = None  # a rejected node's, from note_reviews
    _shown: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def id(self) -> int:
        return self.pk

    def shown(self) -> tuple:
        """What a card shows of the node (but the review, noted later), as one value to compare:
        worked out once while the card is kept (`map_cards`)."""
        if self._shown is None:
            self._shown = (self.pk, self.text, self.status, self.comment_count, self.author_id, tuple(
                (q.pk, q.exact, q.source.code, q.source.display_title, q.source.author) for q in self.live_quotes))
        return self._shown


# Past this many ids, asking for the map's nodes and dropping the others beats a `pk IN (...)`
# list, whose every id Django prepares one by one (most of a fully expanded tree's queries).
MANY_IDS = 200
CARD_SETS_KEPT = 16
_card_sets: KeptRecently[dict[int, NodeCard]] = KeptRecently(CARD_SETS_KEPT)


def row_cards(ids: Iterable[int], map_: Map | None = None) -> dict[int, NodeCard]:
    """As `node_cards`, as NodeCards (two queries: the nodes, then their live quotes). Given the
    map, the nodes are asked for by map when they are most of it."""
    ids = set(ids)
    by_map = map_ is not None and len(ids) > MANY_IDS
    nodes = Node.objects.filter(map_id=map_.pk, deleted_at__isnull=True) if by_map else Node.objects.filter(pk__in=ids)
    rows = (
        nodes.annotate(comment_count=Count("comments", filter=Q(comments__deleted_at__isnull=True)))
        .order_by()
        .values_list("id", "kind", "text", "status", "author_id", "author__username", "comment_count")
    )
    cards = {
        pk: NodeCard(pk, kind, text, status, author_id, Person(author_id, username) if author_id else None, count)
        for pk, kind, text, status, author_id, username, count in rows
        if pk in ids
    }
    quotes = Quote.objects.live().filter(node__map_id=map_.pk) if by_map else Quote.objects.live().filter(node_id__in=ids)
    quotes = (
        quotes.with_source_details()
        .annotate(source_opening=Substr("source__text", 1, SOURCE_OPENING)).order_by("id")
        .values_list("id", "node_id", "exact", "source__code", "source_title", "source_author", "source_opening")
    )
    sources: dict[tuple, SourceCard] = {}
    for pk, node_id, exact, *details in quotes:
        if node_id in cards:
            source = sources.setdefault(tuple(details), SourceCard(*(value or "" for value in details)))
            cards[node_id].live_quotes.append(QuoteCard(pk, exact, source))
    return cards


def map_cards(map_: Map, ids: set[int]) -> dict[int, NodeCard]:
    """The NodeCards of these nodes of `map_`, kept per map while its `activity` is unchanged (every
    change to what a card shows bumps it: argmap/signals.py), so a page asked for again reads none.
    The same for every reader: what a reader may see is decided by the graph that names the ids."""
    kept = _card_sets.get((map_.pk, map_.code, map_.activity), dict)
    missing = ids - kept.keys()
    if missing:
        kept.update(row_cards(missing, map_))
    return {pk: kept[pk] for pk in ids if pk in kept}


def attach_nodes(rows: list[Row], graph: MapGraph, map_: Map) -> dict[int, NodeCard]:
    """Fetch what the rows show of their nodes (and of their other parents) and hang it on the rows."""
    shown = list(walk(rows))
    wanted = {row.node_id for row in shown} | {e.parent for row in shown for e in row.other_parents}
    cards = map_cards(map_, wanted)
    for row in shown:
        row.node = cards[row.node_id]
        row.other_places = [(cards[e.parent], e.stance, place_path(graph, e)) for e in row.other_parents]
    return cards


def place_path(graph: MapGraph, edge: Edge) -> Path:
    """The path that shows `edge.child` under `edge.parent` (by the parent's shortest path)."""
    return (graph.path_to(edge.parent) or (edge.parent,)) + (edge.child,)


def tree_url(map_: Map, path: Path, filter_name: str = "all") -> str:
    """The map page opened down to `path` and scrolled to it; works without JavaScript."""
    params = [f"open={path_key(path[:i])}" for i in range(2, len(path))]
    if filter_name != "all":
        params.append(f"filter={filter_name}")
    query = "?" + "&".join(params) if params else ""
    return f"{map_.get_absolute_url()}{query}#node-{'-'.join(map(str, path))}"


def open_paths_from(values: Iterable[str], graph: MapGraph) -> set[Path]:
    """The open branches named in a request, keeping only real paths of this map."""
    paths = set()
    for value in list(values)[:500]:
        path = parse_path(value)
        if path and graph.is_path(path):
            paths.add(path)
    return paths


class TreeState:
    """What the reader asked to see of their graph: a filter, the open branches, perhaps everything
    expanded, perhaps every child of a long level.

    Without JavaScript a row's show/hide button sends the page's open branches (the form drawn
    from `open_keys`) with its own path as `toggle`, so expanding works without JavaScript too.
    """

    def __init__(self, graph: MapGraph, *, filter_name: str = "all", open_values: Iterable[str] = (),
                 expand_all: bool = False, all_children: bool = False):
        self.filter = filter_name if filter_name in FILTERS else "all"
        self.graph = graph.filtered(self.filter)
        self.open = open_paths_from(open_values, self.graph)
        self.expand_all = expand_all and self.can_expand_all
        # "Show all" on a long level asks for every child instead of the first page of them.
        self.page = None if all_children else settings.ARGMAP_CHILDREN_PAGE

    @classmethod
    def from_query(cls, query, graph: MapGraph) -> "TreeState":
        """From a request's GET parameters (`filter`, `open`, `expand=all`, `children=all`, and
        `toggle`: a branch to open, or to close with everything beneath it if it was shown open)."""
        state = cls(graph, filter_name=query.get("filter") or "all", open_values=query.getlist("open"),
                    expand_all=query.get("expand") == "all", all_children=query.get("children") == "all")
        toggle = parse_path(query.get("toggle", ""))
        if toggle and state.graph.is_path(toggle):
            state.open, state.expand_all = state.toggled(toggle), False
        return state

    @property
    def open_keys(self) -> list[str]:
        return sorted(path_key(path) for path in self.open)

    def query(self) -> str:
        """The query string (with its "?", or "") that asks for this tree: open branches and filter."""
        params = [f"open={key}" for key in self.open_keys]
        if self.expand_all:
            params.append("expand=all")
        if self.filter != "all":
            params.append(f"filter={self.filter}")
        return "?" + "&".join(params) if params else ""

    @cached_property
    def total_rows(self) -> int:
        return sum(1 + self.graph.rows_below(t) for t in self.graph.theses)

    @cached_property
    def can_expand_all(self) -> bool:
        return self.total_rows <= settings.ARGMAP_EXPAND_ALL_LIMIT

    def thesis_rows(self):
        # Theses start open; everything below starts closed.
        return [self.row((thesis,), default_open=True) for thesis in self.graph.theses]

    def row(self, path: Path, default_open: bool = False):
        open_paths = self.open | ({path} if default_open else set())
        return build_row(self.graph, path, open_paths=open_paths, expand_all=self.expand_all, page=self.page)

    def is_open(self, path: Path) -> bool:
        """Does the page show this row's children? (Theses start open.)"""
        return bool(self.graph.children(path[-1])) and (self.expand_all or len(path) == 1 or path in self.open)

    def row_alone(self, path: Path) -> Row:
        """The row as the page shows it, open or closed, but without building its children: what a
        live update of its card needs, whatever lies below."""
        row = build_row(self.graph, path)
        row.expanded = self.is_open(path)
        return row

    def children_of(self, row: Row, full: set[int], every: bool = False) -> list[Row]:
        """The children an open row shows (the first page of a long level, or `every` one of them):
        those whose node is in `full` built out as the page would show them, the others bare (a
        live update keeps the page's own). Sets `row.more_children`."""
        edges = self.graph.children(row.node_id)
        shown = edges if self.page is None or self.expand_all or every else edges[: self.page]
        row.more_children = len(edges) - len(shown)
        return [self.row(row.path + (e.child,)) if e.child in full else Row(e.child, row.path + (e.child,), e.stance,
                None, 0, 0, [], False, relation_id=e.relation_id) for e in shown]

    def toggled(self, path: Path) -> set[Path]:
        """The open branches once this one is flipped: closing it closes everything beneath too."""
        if path in self.open or self.expand_all:
            return {p for p in self.open if p[: len(path)] != path}
        return self.open | {path}
