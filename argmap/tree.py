"""The shape of a map: a directed acyclic graph shown as one tree per thesis.

Pure functions and classes over plain ids, so they are fast and tested on their own. A view loads
the map's live relations with one query, builds a MapGraph, asks it which rows to show, then
fetches only those nodes.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

SUPPORT = "support"
OPPOSE = "oppose"
CONTESTED = "contested"
FILTERS = ("all", "support", "oppose", "evidence")


class Edge(NamedTuple):
    """A live relation: `child` supports or opposes `parent`. (A named tuple: a 10,000-node map
    makes as many of them each time its graph is read, three times faster than a dataclass.)"""

    relation_id: int
    child: int
    parent: int
    stance: str


Path = tuple[int, ...]


def path_key(path: Path) -> str:
    return ".".join(map(str, path))


def parse_path(value: str) -> Path | None:
    """'12.34.56' -> (12, 34, 56); None for anything that is not such a list of ids."""
    parts = value.split(".") if value else []
    if not parts or len(parts) > 200 or not all(p.isdigit() and len(p) < 19 for p in parts):
        return None
    return tuple(int(p) for p in parts)


class MapGraph:
    """The visible part of a map: theses and whatever hangs from them through live relations.

    Nodes that no thesis reaches (because a node above them was deleted) are not part of it.
    """

    def __init__(
        self,
        theses: Iterable[int],
        edges: Iterable[Edge],
        evidence: Iterable[int] = (),
        hidden: dict[int, int | None] | None = None,
    ):
        # Nodes not (yet) approved, with their authors: only they and the teachers see them.
        self.hidden: dict[int, int | None] = dict(hidden or {})
        self.theses: list[int] = list(dict.fromkeys(theses))
        all_children: dict[int, list[Edge]] = {}
        for edge in edges:
            all_children.setdefault(edge.parent, []).append(edge)
        # Every relation from a node a thesis reaches is reached too: the reached nodes' lists of
        # children are kept whole, and only the parents' lists are made edge by edge.
        nodes = set(self.theses)
        children: dict[int, list[Edge]] = {}
        parents: dict[int, list[Edge]] = {}
        queue = deque(self.theses)
        while queue:
            parent = queue.popleft()
            edges_down = all_children.get(parent)
            if edges_down is None:
                continue
            children[parent] = edges_down
            for edge in edges_down:
                child = edge.child
                above = parents.get(child)
                if above is None:
                    parents[child] = [edge]
                else:
                    above.append(edge)
                if child not in nodes:
                    nodes.add(child)
                    queue.append(child)
        self.nodes: set[int] = nodes
        self._children, self._parents = children, parents
        self.evidence: set[int] = set(evidence) & self.nodes
        self._laid_out: _Layout | None = None
        self._sides: dict[int, dict[int, str]] = {}
        self._filtered: dict[str, MapGraph] = {}

    def __contains__(self, node: int) -> bool:
        return node in self.nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def children(self, node: int) -> list[Edge]:
        return self._children.get(node, [])

    def parents(self, node: int) -> list[Edge]:
        return self._parents.get(node, [])

    def edge(self, parent: int, child: int) -> Edge | None:
        return next((e for e in self.children(parent) if e.child == child), None)

    def _layout(self) -> "_Layout":
        """Everything the trees count, from one pass over the graph (kept with the graph, which is
        itself kept per map revision): see `_Layout`."""
        if self._laid_out is None:
            self._laid_out = _Layout(self)
        return self._laid_out

    def descendant_count(self, node: int) -> int:
        return self._layout().counts.get(node, 0)

    def descendants(self, node: int) -> set[int]:
        found: set[int] = set()
        stack = [node] if node in self.nodes else []
        while stack:
            for edge in self.children(stack.pop()):
                if edge.child not in found:
                    found.add(edge.child)
                    stack.append(edge.child)
        return found

    def ancestors(self, nodes: Iterable[int]) -> set[int]:
        """Every node above any of these, through any path (the nodes themselves left out unless one
        is above another): the rows whose counts a change to these nodes moves."""
        found: set[int] = set()
        stack = [n for n in nodes if n in self.nodes]
        while stack:
            for edge in self.parents(stack.pop()):
                if edge.parent not in found:
                    found.add(edge.parent)
                    stack.append(edge.parent)
        return found

    def sides(self, thesis: int) -> dict[int, str]:
        """For every node under `thesis`: the side it serves there, following each path.

        An oppose of an oppose serves the thesis. A node reached by paths that disagree is
        contested for that thesis.
        """
        if thesis not in self._sides:
            layout = self._layout()
            self._sides[thesis] = {
                node: side for node in layout.order if node != thesis
                and (side := layout.side(thesis, node)) is not None
            }
        return self._sides[thesis]

    def side(self, thesis: int, node: int) -> str | None:
        return self._layout().side(thesis, node) if node != thesis else None

    def path_to(self, node: int) -> Path | None:
        """A shortest path from a thesis down to `node` (the first thesis wins ties)."""
        if node not in self.nodes:
            return None
        came_from: dict[int, int | None] = {node: None}
        queue = deque([node])
        while queue:
            current = queue.popleft()
            if current in self.theses:
                path = [current]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return tuple(path)
            for edge in sorted(self.parents(current), key=lambda e: self.theses_rank(e.parent)):
                if edge.parent not in came_from:
                    came_from[edge.parent] = current
                    queue.append(edge.parent)
        return None

    def theses_rank(self, node: int) -> int:
        return self.theses.index(node) if node in self.theses else len(self.theses)

    def is_path(self, path: Path) -> bool:
        """Does this path run from a thesis down through live relations?"""
        if not path or path[0] not in self.theses:
            return False
        return all(self.edge(parent, child) for parent, child in zip(path, path[1:]))

    def rows_below(self, node: int) -> int:
        """How many tree rows fully expanding this node would draw (shared nodes drawn each time)."""
        return self._layout().rows_below.get(node, 0)

    def filtered(self, name: str) -> "MapGraph":
        """The graph seen through a filter: only supporting relations, only opposing ones, or only
        the branches that lead to evidence. The tree's counts follow the filter."""
        if name not in self._filtered:
            self._filtered[name] = self._filter(name)
        return self._filtered[name]

    def seen_by(self, user_id: int | None) -> "MapGraph":
        """The graph without the nodes awaiting approval (or rejected) that `user_id` did not write;
        what hangs only from such a node goes with it."""
        if not self.hidden:
            return self
        key = f"seen-by-{user_id}"
        if key not in self._filtered:
            unseen = {node for node, author in self.hidden.items() if author is None or author != user_id}
            if not unseen & self.nodes:
                self._filtered[key] = self
            else:
                edges = [e for node in self.nodes for e in self.children(node) if e.child not in unseen]
                edges.sort(key=lambda e: e.relation_id)
                theses = [t for t in self.theses if t not in unseen]
                self._filtered[key] = MapGraph(theses, edges, self.evidence, self.hidden)
        return self._filtered[key]

    def _filter(self, name: str) -> "MapGraph":
        keep: Callable[[Edge], bool]
        if name == SUPPORT:
            keep = lambda e: e.stance == SUPPORT  # noqa: E731
        elif name == OPPOSE:
            keep = lambda e: e.stance == OPPOSE  # noqa: E731
        elif name == "evidence":
            leads: set[int] = set()  # the evidence and every node above some
            for node in reversed(self._layout().order):
                if node in self.evidence or any(e.child in leads for e in self.children(node)):
                    leads.add(node)
            keep = lambda e: e.child in leads  # noqa: E731
        else:
            return self
        edges = [e for node in self.nodes for e in self.children(node) if keep(e)]
        edges.sort(key=lambda e: e.relation_id)
        return MapGraph(self.theses, edges, self.evidence, self.hidden)


class _Layout:
    """What the trees count, for every node at once, from one walk of the graph in topological order
    (each node after all its parents) and one walk back:

    - `counts`: how many distinct nodes lie below a node (a DAG shares nodes between branches,
      so a sum over children would count a shared node twice);
    - `rows_below`: how many rows fully expanding the node draws (a shared node drawn each time);
    - per node, which theses reach it by an even number of opposes (`plus`) and which by an odd
      number (`minus`), as bitsets over the theses: its side for each thesis.

    Distinct counts without a set per node: a node with one parent is below whatever its parent is
    below, so each belongs to the region of the nearest node above it with several parents (or of
    its thesis). A node's count is then its own region, plus each shared node below it with that
    node's region; the shared nodes below it are a bitset over the shared nodes only (few), where
    a bitset over all nodes cost most of a 10,000-node map page.

    The old way walked the graph once per thesis for sides, once more for descendant sets and again
    for row counts. A node on a cycle (the editing refuses them) is never ready, so it is left out.
    """

    def __init__(self, graph: "MapGraph"):
        children = graph._children
        waiting = {node: len(graph._parents.get(node, ())) for node in graph.nodes}
        shared = sorted(node for node, parents in waiting.items() if parents > 1)
        order = [node for node in graph.theses if not waiting[node]]
        thesis_bit = {thesis: 1 << index for index, thesis in enumerate(graph.theses)}
        plus = dict.fromkeys(graph.nodes, 0)
        plus.update(thesis_bit)
        minus = dict.fromkeys(graph.nodes, 0)
        no_children: list[Edge] = []
        for node in order:  # `order` grows as nodes become ready
            node_plus, node_minus = plus[node], minus[node]
            for edge in children.get(node, no_children):
                child = edge.child
                if edge.stance == SUPPORT:
                    plus[child] |= node_plus
                    minus[child] |= node_minus
                else:
                    plus[child] |= node_minus
                    minus[child] |= node_plus
                waiting[child] -= 1
                if not waiting[child]:
                    order.append(child)
        shared_bit = {node: 1 << index for index, node in enumerate(shared)}
        region: dict[int, int] = {}  # the single-parent nodes below, up to the shared ones
        shared_below: dict[int, int] = {}
        rows: dict[int, int] = {}
        counts: dict[int, int] = {}
        weights = {0: 0}  # what a set of shared nodes adds to a count (nodes in a chain share one)
        for node in reversed(order):
            edges = children.get(node)
            if edges is None:  # a leaf: most nodes
                region[node] = shared_below[node] = rows[node] = counts[node] = 0
                continue
            own, below, count = 0, 0, 0
            for edge in edges:
                child = edge.child
                if child not in rows:  # a node on a cycle
                    continue
                count += 1 + rows[child]
                below |= shared_below[child]
                if child in shared_bit:
                    below |= shared_bit[child]
                else:
                    own += 1 + region[child]
            region[node], shared_below[node], rows[node] = own, below, count
            weight = weights.get(below)
            if weight is None:
                weight = weights[below] = sum(1 + region[shared[i]] for i in _members(below))
            counts[node] = own + weight
        self.order, self.counts, self.rows_below = order, counts, rows
        self._plus, self._minus, self._thesis_bit = plus, minus, thesis_bit

    def side(self, thesis: int, node: int) -> str | None:
        """The side `node` serves for `thesis`; None where the thesis does not reach it."""
        mask = self._thesis_bit.get(thesis, 0)
        if not mask or node not in self.rows_below:  # not a thesis, or a node on a cycle
            return None
        up, down = self._plus.get(node, 0) & mask, self._minus.get(node, 0) & mask
        if up and down:
            return CONTESTED
        return SUPPORT if up else OPPOSE if down else None


def _members(bits: int):
    """The indexes of the bits set."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


@dataclass
class Row:
    """One line of a rendered tree: a node at one place (path) under its thesis."""

    node_id: int
    path: Path
    stance: str | None  # the relation to the parent on this path; None for a thesis
    side: str | None  # the side it serves for this path's thesis
    descendant_count: int
    child_count: int
    other_parents: list[Edge]
    expanded: bool
    children: list["Row"] = field(default_factory=list)
    more_children: int = 0  # children left out because the level is long; "show all" fetches them
    relation_id: int | None = None  # the relation to the parent on this path; None for a thesis

    @property
    def key(self) -> str:
        return path_key(self.path)

    @property
    def dom_id(self) -> str:
        return "node-" + "-".join(map(str, self.path))

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def parent_key(self) -> str:
        return path_key(self.path[:-1])


def build_row(
    graph: MapGraph,
    path: Path,
    *,
    open_paths: set[Path] = frozenset(),
    expand_all: bool = False,
    page: int | None = None,
) -> Row:
    """The row for the node at the end of `path`, with its open descendants filled in."""
    edge = graph.edge(path[-2], path[-1]) if len(path) > 1 else None
    return _build_row(graph, graph._layout(), path, edge, open_paths, expand_all, page)


def _build_row(graph, layout, path, edge, open_paths, expand_all, page) -> Row:
    # The children come with their edge, so no row looks its relation up again.
    node = path[-1]
    children = graph.children(node)
    expanded = bool(children) and (expand_all or path in open_paths)
    parent = edge.parent if edge else None
    row = Row(
        node,
        path,
        edge.stance if edge else None,
        layout.side(path[0], node) if edge else None,
        layout.counts.get(node, 0),
        len(children),
        [e for e in graph.parents(node) if e.parent != parent],
        expanded,
        relation_id=edge.relation_id if edge else None,
    )
    if expanded:
        shown = children if page is None or expand_all else children[:page]
        row.more_children = len(children) - len(shown)
        row.children = [_build_row(graph, layout, path + (e.child,), e, open_paths, expand_all, page) for e in shown]
    return row


def walk(rows: Iterable[Row]) -> Iterable[Row]:
    """Every row and the rows below it, depth first, each before its children."""
    # A stack, not nested generators: each level of those would pass every row below it up again.
    stack = list(rows)[::-1]
    while stack:
        row = stack.pop()
        yield row
        stack.extend(reversed(row.children))
