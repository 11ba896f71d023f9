"""Every saved node, relation or quote changes its map's shape: bump the map's revision, and note
for live pages which nodes changed (Map.touch and Map.note_activity record a LiveChange).

(bulk_create and queryset.update() send no signals: code that uses them on a live map must call
Map.touch itself. Only the synthetic builder does, on a map nobody has seen yet.)
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from argmap.models import ClutterRange, Comment, Map, Node, Quote, Relation, SourceRating, Vote


@receiver(post_save, sender=Node)
def node_saved(sender, instance, update_fields=None, **kwargs):
    nodes = [instance.pk]
    if update_fields is None or {"deleted_at", "status"} & set(update_fields):
        # Deleted, restored, approved or rejected (or saved whole): who sees it under its parents
        # may have changed, so their lists of children change too.
        nodes += Relation.objects.filter(child_id=instance.pk).values_list("parent_id", flat=True)
    Map.touch(instance.map_id, nodes=nodes)


@receiver(post_save, sender=Relation)
def relation_saved(sender, instance, **kwargs):
    # The parent's list of children changed as well as the child's place.
    Map.touch(instance.map_id, nodes=[instance.child_id, instance.parent_id])


@receiver(post_save, sender=Quote)
def quote_saved(sender, instance, **kwargs):
    Map.touch(instance.node.map_id, nodes=[instance.node_id], sources=[instance.source_id])


@receiver(post_save, sender=Comment)
def comment_saved(sender, instance, **kwargs):
    map_id = Node.objects.values_list("map_id", flat=True).get(pk=instance.node_id)
    Map.note_activity(map_id, nodes=[instance.node_id])


@receiver(post_save, sender=ClutterRange)
def clutter_saved(sender, instance, **kwargs):
    Map.note_activity(instance.map_id)  # the reader's marks: pages refresh whole, as before


@receiver(post_save, sender=Vote)
@receiver(post_delete, sender=Vote)
def vote_changed(sender, instance, **kwargs):
    # Strengths are cached per (revision, votes_revision); the vote's box sits on the child's row.
    found = Relation.objects.filter(pk=instance.relation_id).values_list("map_id", "child_id").first()
    if found is not None:  # None: the relation went with its map
        Map.note_activity(found[0], nodes=[found[1]], votes=True)


@receiver(post_save, sender=SourceRating)
@receiver(post_delete, sender=SourceRating)
def rating_changed(sender, instance, **kwargs):
    Map.note_activity(instance.map_id, nodes=[], votes=True)  # strengths only: no row shows ratings
