"""Finding a map's nodes by the words of their text: the node picker of the forms that need a
parent (new evidence, attach, move), whether htmx asks as the person types or the form is shown
without JavaScript.
"""

from dataclasses import dataclass

from argmap.access import Access
from argmap.browsing import load_graph
from argmap.models import Node

RESULTS = 12
MOST_WORDS = 8
LONGEST_WORD = 100


@dataclass(frozen=True)
class Found:
    nodes: list[Node]
    more: bool  # more nodes match than `nodes` lists: the person should type more words
    query: str  # the words searched for, as shown back to the person


def find_nodes(access: Access, query: str, *, leave_out: int | None = None, limit: int = RESULTS) -> Found:
    """The nodes of `access.map` its reader sees whose text contains every word of `query` in any
    case (the theses when nothing is typed), theses first. `leave_out` is a node that may not be
    picked, with its descendants (placing under one of them would close a cycle)."""
    graph = load_graph(access)
    words = query.split()[:MOST_WORDS]
    excluded: set[int] = set()
    if leave_out is not None and leave_out in graph:
        excluded = {leave_out, *graph.descendants(leave_out)}
    nodes = Node.objects.in_map(access.map).live()
    if words:
        for word in words:
            nodes = nodes.filter(text__icontains=word[:LONGEST_WORD])
    else:
        nodes = nodes.filter(pk__in=graph.theses)
    # Only nodes shown in some tree: a node cut off from every thesis cannot be a parent. Reading a
    # few times the limit leaves enough after those are dropped.
    found = [n for n in nodes.order_by("kind", "id")[: limit * 4] if n.pk in graph and n.pk not in excluded]
    return Found(found[:limit], len(found) > limit, " ".join(words))
