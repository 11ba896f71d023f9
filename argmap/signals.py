"""Every saved node, relation or quote changes its map's shape: bump the map's revision.

(bulk_create and queryset.update() send no signals: code that uses them on a live map must call
Map.touch itself. Only the synthetic builder does, on a map nobody has seen yet.)
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from argmap.models import ClutterRange, Comment, Map, Node, Quote, Relation, SourceRating, Vote


@receiver(post_save, sender=Node)
@receiver(post_save, sender=Relation)
def node_or_relation_saved(sender, instance, **kwargs):
    Map.touch(instance.map_id)


@receiver(post_save, sender=Quote)
def quote_saved(sender, instance, **kwargs):
    Map.touch(instance.node.map_id)


@receiver(post_save, sender=Comment)
@receiver(post_save, sender=ClutterRange)
def activity_saved(sender, instance, **kwargs):
    map_id = instance.map_id if sender is ClutterRange else Node.objects.values_list("map_id", flat=True).get(pk=instance.node_id)
    Map.note_activity(map_id)


@receiver(post_save, sender=Vote)
@receiver(post_delete, sender=Vote)
@receiver(post_save, sender=SourceRating)
@receiver(post_delete, sender=SourceRating)
def judgement_changed(sender, instance, **kwargs):
    # Strengths are cached per (revision, votes_revision): one UPDATE, so concurrent votes never lose a bump.
    maps = Map.objects.filter(pk=instance.map_id) if sender is SourceRating else Map.objects.filter(relations=instance.relation_id)
    maps.update(votes_revision=F("votes_revision") + 1, activity=F("activity") + 1)
