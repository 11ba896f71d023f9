"""The maps of a closed exercise as they were when it closed.

No scheduler takes the snapshot at the closing time: the first request that finds the exercise
closed calls `ensure_snapshots`. Nothing can change a closed exercise's maps (Access.read_only), so
the state taken later is the state at closing. Moving the closing time and closing again takes a
new snapshot: there is one per (map, closing time).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from argmap.models import Exercise, Snapshot
from argmap.models import Map, MapSource, Node, NodeKind, NodeStatus, Quote, Relation

FORMAT = 1


def ensure_snapshots(exercise: Exercise, now=None) -> int:
    """Snapshot every map of the exercise that has none for its closing time, if it has closed.

    Returns how many were taken. One query when there is nothing to do; pages of a closed
    exercise call it before showing anything.
    """
    if not exercise.has_closed(now):
        return 0
    missing = list(Map.objects.filter(exercise=exercise).exclude(snapshots__closed_at=exercise.closes_at))
    taken = 0
    for map_ in missing:
        try:
            with transaction.atomic():
                Snapshot.objects.create(exercise=exercise, map=map_, closed_at=exercise.closes_at,
                                        data=map_state(map_))
                taken += 1
        except IntegrityError:  # another request took it a moment ago
            pass
    return taken


def map_state(map_: Map) -> dict:
    """The map's live content as JSON-ready data (a fixed number of queries)."""
    nodes = list(
        Node.objects.in_map(map_).live().order_by("id")
        .annotate(comment_count=Count("comments", filter=Q(comments__deleted_at__isnull=True,
                                                           comments__hidden_at__isnull=True)))
        .values("id", "kind", "text", "status", "author_id", "author__username", "comment_count")
    )
    relations = list(
        Relation.objects.visible_edges(map_).values_list("child_id", "parent_id", "stance")
    )
    quotes = list(
        Quote.objects.of_map(map_).live().filter(node__deleted_at__isnull=True).order_by("node_id", "start", "id")
        .values_list("node_id", "source__code", "start", "end", "exact")
    )
    sources = list(MapSource.objects.filter(map=map_).order_by("id").values_list("source__code", "title"))
    return {
        "format": FORMAT,
        "map": {"code": map_.code, "title": map_.title, "question": map_.question},
        "sources": [{"code": code, "title": title} for code, title in sources],
        "nodes": [
            {"id": n["id"], "kind": n["kind"], "text": n["text"], "status": n["status"], "author_id": n["author_id"],
             "author": n["author__username"] or "", "comments": n["comment_count"]}
            for n in nodes
        ],
        "relations": [{"child": child, "parent": parent, "stance": stance} for child, parent, stance in relations],
        "quotes": [{"node": node, "source": source, "start": start, "end": end, "exact": exact}
                   for node, source, start, end, exact in quotes],
    }


def snapshot_of(exercise: Exercise, map_: Map) -> Snapshot | None:
    """The snapshot taken when the exercise last closed, if it has."""
    if exercise.closes_at is None:
        return None
    return Snapshot.objects.filter(map=map_, closed_at=exercise.closes_at).first()


@dataclass
class Entry:
    """One node in the outline, at one place."""

    id: int
    kind: str
    text: str
    author: str
    status: str
    comments: int
    stance: str = ""  # towards its parent at this place; "" for a thesis
    quotes: list = field(default_factory=list)
    children: list = field(default_factory=list)
    elsewhere: bool = False  # a node under several parents is written out at one place only


def _everything(node: dict) -> bool:
    return True


def _username(author_id, username: str) -> str:
    return username or "someone"


def outline(data: dict, *, show=_everything, name=_username) -> list[Entry]:
    """The snapshot as trees, one per thesis, keeping what `show` allows (children of a hidden node
    go with it), authors named by `name(author_id, username)`."""
    nodes = {n["id"]: n for n in data["nodes"] if show(n)}
    children: dict[int, list] = {}
    for relation in data["relations"]:
        if relation["child"] in nodes and relation["parent"] in nodes:
            children.setdefault(relation["parent"], []).append(relation)
    titles = {source["code"]: source["title"] for source in data["sources"]}
    quotes: dict[int, list] = {}
    for quote in data["quotes"]:
        title = titles.get(quote["source"]) or quote["source"]
        quotes.setdefault(quote["node"], []).append({**quote, "source_title": title})

    def entry(node_id: int, stance: str = "") -> Entry:
        n = nodes[node_id]
        return Entry(id=node_id, kind=n["kind"], text=n["text"], author=name(n["author_id"], n["author"]),
                     status=n["status"], comments=n["comments"], stance=stance, quotes=quotes.get(node_id, []))

    trees, written = [], set()
    stack = []
    for node_id, n in nodes.items():
        if n["kind"] == NodeKind.THESIS:
            trees.append(entry(node_id))
            written.add(node_id)
            stack.append(trees[-1])
    # Depth first without recursion; every node is written out once, its other places point there.
    stack.reverse()
    while stack:
        parent = stack.pop()
        for relation in children.get(parent.id, []):
            child = entry(relation["child"], relation["stance"])
            parent.children.append(child)
            if child.id in written:
                child.elsewhere = True
                child.quotes = []
            else:
                written.add(child.id)
        stack.extend(reversed([c for c in parent.children if not c.elsewhere]))
    return trees


def approved_only(node: dict) -> bool:
    return node["status"] == NodeStatus.APPROVED
