"""Copies of a map: what a small group starts from, or a teacher's map reused for another class.

A copy gets the live content of the map (theses, claims, relations, quotes, clutter ranges) under a
new code; sources are attached, never duplicated, so quotes keep pointing into the same texts, and
the copy gets its own copy of the map's details of each (title, notes...) to change as it likes.
Comments, history and roles stay with the original: a copy starts a new conversation.
"""

from django.db import transaction

from argmap import history
from argmap.models import SOURCE_DETAILS, Action, ClutterRange, Map, MapSource, Node, Quote, Relation


def copy_map(map_: Map, *, title: str | None = None, owner, exercise=None, group=None, visibility=None) -> Map:
    """A new map (new code) with the live content of `map_`; see the module docstring.

    A fixed number of queries whatever the map's size (one read and one bulk insert per table),
    all in one transaction: a failure leaves no half-made copy. The copy's history holds one
    change naming the map it was copied from.
    """
    with transaction.atomic():
        nodes = list(
            Node.objects.filter(map=map_).live().order_by("id")
            .only("id", "kind", "text", "author_id", "status", "created_at")
        )
        relations = list(
            Relation.objects.filter(map=map_).live().order_by("id")
            .values_list("child_id", "parent_id", "stance", "author_id", "created_at")
        )
        quotes = list(Quote.objects.of_map(map_).live().filter(node__deleted_at__isnull=True).order_by("id"))
        clutter = list(ClutterRange.objects.filter(map=map_).live().order_by("id"))
        links = list(MapSource.objects.filter(map=map_).order_by("id").values("source_id", *SOURCE_DETAILS))
        # A quote's source is always attached (Quote.save checks it); keep it so even if it was not.
        links += [{"source_id": s} for s in sorted({q.source_id for q in quotes} - {link["source_id"] for link in links})]

        copy = Map.objects.create(
            title=(title or map_.title)[: Map._meta.get_field("title").max_length],
            question=map_.question,
            owner=owner,
            visibility=visibility or map_.visibility,
            viewers_can_comment=map_.viewers_can_comment,
            voting=map_.voting,
            votes_hidden_until_voted=map_.votes_hidden_until_voted,
            exercise=exercise,
            group=group,
        )
        MapSource.objects.bulk_create(MapSource(map=copy, **link) for link in links)
        ClutterRange.objects.bulk_create(
            ClutterRange(map=copy, source_id=c.source_id, start=c.start, end=c.end, label=c.label,
                         created_by_id=c.created_by_id, created_at=c.created_at)
            for c in clutter
        )
        copied_nodes = Node.objects.bulk_create(
            Node(map=copy, kind=n.kind, text=n.text, author_id=n.author_id, status=n.status, created_at=n.created_at)
            for n in nodes
        )
        # bulk_create returns the rows in the order given, with their new ids (SQLite and PostgreSQL).
        new_id = {old.pk: new.pk for old, new in zip(nodes, copied_nodes)}
        Relation.objects.bulk_create(
            Relation(map=copy, child_id=new_id[child], parent_id=new_id[parent], stance=stance,
                     author_id=author_id, created_at=created_at)
            for child, parent, stance, author_id, created_at in relations
            if child in new_id and parent in new_id  # a relation of a deleted node goes with it
        )
        Quote.objects.bulk_create(
            Quote(node_id=new_id[q.node_id], source_id=q.source_id, start=q.start, end=q.end, exact=q.exact,
                  prefix=q.prefix, suffix=q.suffix, note=q.note, author_id=q.author_id, created_at=q.created_at)
            for q in quotes
        )
        Map.touch(copy.pk)  # bulk_create sends no signals
        history.record(
            copy, owner, Action.CREATE, copy,
            after={"copied_from": map_.code, "copied_from_title": map_.title, "title": copy.title},
        )
    copy.refresh_from_db()
    return copy
