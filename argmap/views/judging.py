"""Judging the debate: every thesis's strength from each perspective side by side, and why.

Strengths come from argmap/judging.py (cached per map revision and votes revision); this page adds
the nodes' cards for the theses and their direct children, so it costs the same few queries on a
map of ten nodes or ten thousand.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from argmap import judging
from argmap.browsing import node_cards
from argmap.models import Node
from argmap.permissions import map_and_access
from argmap.strength import ChildEffect


@dataclass
class ChildReason:
    """One child of a thesis in the "why" panel."""

    node: Node
    path: tuple[int, int]
    effect: ChildEffect
    votes: int  # how many votes the perspective counted on the relation


@dataclass
class ThesisJudgement:
    node: Node
    scores: list[tuple[judging.Perspective, float]]
    why: object  # strength.Explanation
    raised: list[ChildReason]
    lowered: list[ChildReason]
    unmoved: list[ChildReason]


@require_safe
def map_judge(request, code: str):
    map_, access = map_and_access(request, code)
    perspectives = judging.perspectives(access)
    chosen = next((p for p in perspectives if p.key == request.GET.get("by")), perspectives[0])
    result = chosen.strengths
    explanations = {thesis: result.why(thesis) for thesis in result.theses}
    cards = node_cards({*result.theses, *(c.child for why in explanations.values() for c in why.children)})
    theses = [_judgement(cards, perspectives, result, explanations[t]) for t in result.theses]
    context = {"map": map_, "access": access, "perspectives": perspectives, "chosen": chosen, "theses": theses}
    return render(request, "judging/judge.html", context)


def _judgement(cards, perspectives, result, why) -> "ThesisJudgement":
    thesis = why.node
    reasons = [ChildReason(cards[c.child], (thesis, c.child), c, result.vote_counts.get(c.relation_id, 0))
               for c in why.children]
    return ThesisJudgement(
        node=cards[thesis],
        scores=[(p, p.strengths.get(thesis)) for p in perspectives],
        why=why,
        raised=[r for r in reasons if r.effect.effect > 0],
        lowered=[r for r in reasons if r.effect.effect < 0],
        unmoved=[r for r in reasons if r.effect.effect == 0],
    )


urlpatterns = [
    path("maps/<slug:code>/judge/", map_judge, name="map-judge"),
]
