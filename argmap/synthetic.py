"""Synthetic maps of any size, for benchmarks and for tests that must not depend on map size.

Quotes are real passages of the given sources (checked with the same anchoring code as every
other quote); rows are written with bulk_create so a 10,000-node map builds in seconds.
"""

import random
from dataclasses import dataclass

from django.db import transaction

from argmap import anchoring
from argmap.models import Comment, Map, MapSource, Node, NodeKind, Quote, Relation, Source, Stance, Visibility


@dataclass
class Shape:
    nodes: int = 10_000
    theses: int = 2
    branching: int = 6  # children per claim, on average
    top_branching: int = 12  # children of each thesis
    evidence_share: float = 0.6  # claims that carry a quote
    shared_share: float = 0.05  # nodes that bear on a second parent too
    comment_share: float = 0.15
    seed: int = 7


def build_map(title: str, sources: list[Source], shape: Shape = Shape(), owner=None, code: str | None = None) -> Map:
    """A public map of `shape.nodes` nodes hanging from `shape.theses` theses, quoting `sources`."""
    rng = random.Random(shape.seed)
    with transaction.atomic():
        map_ = Map.objects.create(
            title=title, question="A synthetic map.", owner=owner, visibility=Visibility.PUBLIC,
            **({"code": code} if code else {}),
        )
        MapSource.objects.bulk_create(MapSource(map=map_, source=s) for s in sources)
        kinds = [NodeKind.THESIS] * shape.theses + [NodeKind.CLAIM] * (shape.nodes - shape.theses)
        nodes = Node.objects.bulk_create(
            Node(map=map_, kind=kind, text=f"{'Thesis' if kind == NodeKind.THESIS else 'Claim'} {i}: "
                 + " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))), author=owner)
            for i, kind in enumerate(kinds)
        )
        relations, level = _shape_relations(map_, nodes, shape, rng)
        Relation.objects.bulk_create(relations)
        Quote.objects.bulk_create(_quotes(nodes[shape.theses :], sources, shape, rng))
        Comment.objects.bulk_create(
            Comment(node=node, author=owner, text=f"Comment on node {node.pk}: is the source reliable?")
            for node in nodes
            if rng.random() < shape.comment_share
        )
        Map.touch(map_.pk)  # bulk_create sends no signals
    map_.refresh_from_db()
    return map_


def _shape_relations(map_, nodes, shape, rng):
    """Each claim hangs under one earlier node (a tree, filled level by level), and a few also
    under a second claim of a lower level, which keeps the graph acyclic (and the theses as wide
    as `top_branching` says)."""
    level = {n.pk: 0 for n in nodes[: shape.theses]}
    relations, frontier, cursor = [], list(nodes[: shape.theses]), shape.theses
    while cursor < len(nodes):
        next_frontier = []
        for parent in frontier:
            width = shape.top_branching if parent.kind == NodeKind.THESIS else rng.randint(1, shape.branching * 2 - 1)
            for child in nodes[cursor : cursor + width]:
                relations.append(_relation(map_, child, parent, rng))
                level[child.pk] = level[parent.pk] + 1
                next_frontier.append(child)
            cursor += width
            if cursor >= len(nodes):
                break
        frontier = next_frontier or frontier
    by_level = {}
    for node in nodes:
        by_level.setdefault(level[node.pk], []).append(node)
    for node in nodes[shape.theses :]:
        if rng.random() < shape.shared_share and level[node.pk] > 2:
            candidates = by_level[rng.randint(1, level[node.pk] - 1)]
            relations.append(_relation(map_, node, rng.choice(candidates), rng))
    # A second parent may repeat the first: keep one relation per pair.
    unique = {(r.child_id, r.parent_id): r for r in relations}
    return list(unique.values()), level


def _relation(map_, child, parent, rng):
    stance = Stance.SUPPORT if rng.random() < 0.55 else Stance.OPPOSE
    return Relation(map=map_, child=child, parent=parent, stance=stance, author=child.author)


def _quotes(claims, sources, shape, rng):
    for node in claims:
        if rng.random() >= shape.evidence_share:
            continue
        source = rng.choice(sources)
        length = rng.randint(40, 220)
        start = rng.randint(0, max(0, len(source.text) - length))
        end = start + length
        exact = source.text[start:end]
        anchoring.verify(source.text, start, end, exact)
        prefix, suffix = anchoring.context_of(source.text, start, end)
        yield Quote(node=node, source=source, start=start, end=end, exact=exact, prefix=prefix, suffix=suffix,
                    author=node.author)


WORDS = (
    "Belarus Russia Lukashenko Putin Kyiv Minsk sanctions army border railway sabotage ally hedging "
    "survey opposition regime troops missiles relay stations West dialogue China pressure loyalty "
    "evidence shows suggests because therefore however although clearly"
).split()
