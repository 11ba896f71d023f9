"""The shape of a map: a directed acyclic graph shown as one tree per thesis.

Pure functions and classes over plain ids, so they are fast and tested on their own. A view loads
the map's live relations with one query, builds a MapGraph, asks it which rows to show, then
fetches only those nodes.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SUPPORT = "support"
OPPOSE = "oppose"
CONTESTED = "contested"
FILTERS = ("all", "support", "oppose", "evidence")


@dataclass(frozen=True)
class Edge:
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
        self.nodes: set[int] = set()
        self._children: dict[int, list[Edge]] = {}
        self._parents: dict[int, list[Edge]] = {}
        queue = deque(self.theses)
        self.nodes.update(self.theses)
        while queue:
            parent = queue.popleft()
            for edge in all_children.get(parent, ()):
                self._children.setdefault(parent, []).append(edge)
                self._parents.setdefault(edge.child, []).append(edge)
                if edge.child not in self.nodes:
                    self.nodes.add(edge.child)
                    queue.append(edge.child)
        self.evidence: set[int] = set(evidence) & self.nodes
        self._bit = {node: 1 << index for index, node in enumerate(sorted(self.nodes))}
        self._below: dict[int, int] = {}
        self._sides: dict[int, dict[int, str]] = {}
        self._rows_below: dict[int, int] = {}
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

    # Distinct descendants, as a bitset per node: a DAG shares nodes between branches, so a sum
    # over children would count a shared node twice.
    def _descendant_bits(self, root: int) -> int:
        below, bit = self._below, self._bit
        stack = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if node in below:
                continue
            if children_done:
                bits = 0
                for edge in self.children(node):
                    bits |= below[edge.child] | bit[edge.child]
                below[node] = bits
            else:
                stack.append((node, True))
                stack.extend((e.child, False) for e in self.children(node) if e.child not in below)
        return below[root]

    def descendant_count(self, node: int) -> int:
        return self._descendant_bits(node).bit_count() if node in self.nodes else 0

    def descendants(self, node: int) -> set[int]:
        bits = self._descendant_bits(node)
        return {n for n, b in self._bit.items() if bits & b}

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
            signs: dict[int, set[int]] = {thesis: {1}}
            for node in self._topological_below(thesis):
                for edge in self.children(node):
                    sign = 1 if edge.stance == SUPPORT else -1
                    signs.setdefault(edge.child, set()).update(s * sign for s in signs[node])
            self._sides[thesis] = {
                node: CONTESTED if len(s) > 1 else (SUPPORT if 1 in s else OPPOSE)
                for node, s in signs.items()
                if node != thesis
            }
        return self._sides[thesis]

    def side(self, thesis: int, node: int) -> str | None:
        return self.sides(thesis).get(node)

    def _topological_below(self, root: int) -> list[int]:
        """Nodes reachable from root, each after all of its parents that are reachable from root."""
        reach = {root} | self.descendants(root)
        waiting = {n: sum(1 for e in self.parents(n) if e.parent in reach) for n in reach}
        order, ready = [], deque([root])
        while ready:
            node = ready.popleft()
            order.append(node)
            for edge in self.children(node):
                waiting[edge.child] -= 1
                if waiting[edge.child] == 0:
                    ready.append(edge.child)
        return order

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
        memo = self._rows_below
        stack = [(node, False)]
        while stack:
            current, children_done = stack.pop()
            if current in memo:
                continue
            if children_done:
                memo[current] = sum(1 + memo[e.child] for e in self.children(current))
            else:
                stack.append((current, True))
                stack.extend((e.child, False) for e in self.children(current) if e.child not in memo)
        return memo[node]

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
            evidence_bits = sum(self._bit[n] for n in self.evidence)
            keep = lambda e: bool((self._bit[e.child] | self._descendant_bits(e.child)) & evidence_bits)  # noqa: E731
        else:
            return self
        edges = [e for node in self.nodes for e in self.children(node) if keep(e)]
        edges.sort(key=lambda e: e.relation_id)
        return MapGraph(self.theses, edges, self.evidence, self.hidden)


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
    node = path[-1]
    parent = path[-2] if len(path) > 1 else None
    edge = graph.edge(parent, node) if parent is not None else None
    children = graph.children(node)
    expanded = bool(children) and (expand_all or path in open_paths)
    row = Row(
        node_id=node,
        path=path,
        stance=edge.stance if edge else None,
        side=graph.side(path[0], node) if parent is not None else None,
        descendant_count=graph.descendant_count(node),
        child_count=len(children),
        other_parents=[e for e in graph.parents(node) if e.parent != parent],
        expanded=expanded,
    )
    if expanded:
        shown = children if page is None or expand_all else children[:page]
        row.more_children = len(children) - len(shown)
        row.children = [
            build_row(graph, path + (e.child,), open_paths=open_paths, expand_all=expand_all, page=page)
            for e in shown
        ]
    return row


def walk(rows: Iterable[Row]) -> Iterable[Row]:
    for row in rows:
        yield row
        yield from walk(row.children)
