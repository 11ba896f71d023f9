"""Students' work on a lesson's maps, for the dashboard's tests (see the `lesson` fixture in conftest)."""

from argmap import comments
from argmap.models import Node, NodeStatus, Quote


def contribute(lesson, student, text, *, under, stance="support", quote=None, status=NodeStatus.APPROVED,
               map_=None, source=None):
    """A claim by `student` bearing on `under`, with a quote of the map's article if given."""
    node = Node.objects.create(map=map_ or lesson.map, text=text, author=student, status=status)
    node.bear_on(under, stance, author=student)
    if quote:
        Quote.anchor(node, source or lesson.builder.source, quote, author=student).save()
    return node


def pending(lesson, student, text, *, under, stance="support", quote=None, **options):
    return contribute(lesson, student, text, under=under, stance=stance, quote=quote, status=NodeStatus.PENDING,
                      **options)


def remark(node, student, text="I wonder about this."):
    return comments.post(node, student, text)
