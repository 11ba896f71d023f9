"""Adding evidence: a passage selected (or pasted) in the source reader becomes a claim in the
student's own words that supports or opposes a node; an existing claim gets another quote.

Under moderation a student's new evidence is pending, and so is a claim they add a quote to (see
argmap.editing); others' pending nodes cannot be chosen or quoted under (404 / a form error).
"""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from argmap import anchoring
from argmap import evidence as domain
from argmap.browsing import load_graph, tree_url
from argmap.forms.evidence import EvidenceForm, QuoteForm
from argmap.models import Node, Source, Stance
from argmap.permissions import map_and_access, node_for, require
from argmap.search import find_nodes
from argmap.views import GET_OR_POST, signed_in_to


login_required = signed_in_to("Log in to add evidence.")


def _source_of(map_, source_code: str) -> Source:
    source = Source.objects.in_map(map_).filter(code=source_code).first()
    if source is None:
        raise Http404("This map has no such source.")
    return source


def _node_choices(access, graph, query: str, chosen: int | None) -> list[Node]:
    """The radio list of nodes to bear on (see argmap.search), with the one already chosen first."""
    found = find_nodes(access, query).nodes
    if chosen in graph and chosen not in {n.pk for n in found}:
        found[:0] = Node.objects.filter(pk=chosen)
    return found


def _render_form(request, map_, source, access, form, status=200, form_open=False):
    """The evidence form: the reader's panel for htmx, a page of its own otherwise."""
    graph = load_graph(access)
    query = (request.POST.get("q") or request.GET.get("q") or "")[:200]
    chosen = form["parent"].value()
    chosen = int(chosen) if str(chosen or "").isdigit() and len(str(chosen)) < 12 else None
    context = {"map": map_, "source": source, "access": access, "form": form, "query": query,
               "choices": _node_choices(access, graph, query, chosen), "form_open": form_open or form.is_bound}
    if request.htmx:
        return render(request, "sources/_evidence_form.html", context, status=status)
    return render(request, "evidence/new.html", context, status=status)


def _choose_occurrence(request, map_, source, action: str, form, ambiguity, back: str):
    """Ask which occurrence of a repeated passage is meant; the answer resubmits the form."""
    dropped = ("exact", "start", "end", "position")
    kept = {name: value for name, value in form.cleaned_data.items() if name not in dropped}
    kept["quote"] = form.passage()["quote_text"]
    occurrences = [{"start": o.start, "before": o.before, "exact": source.text[o.start : o.end], "after": o.after}
                   for o in ambiguity.occurrences]
    context = {"map": map_, "action": action, "kept": kept, "back": back, "message": ambiguity.messages[0],
               "occurrences": occurrences, "quote_text": kept["quote"]}
    template = "evidence/choose.html#chooser" if request.htmx else "evidence/choose.html"
    return render(request, template, context, status=400)


def _reader_at(map_, quote) -> str:
    url = reverse("source-reader", args=[map_.code, quote.source.code])
    return f"{url}?quote={quote.pk}#quote-{quote.pk}"


def _note_adjustment(request, located) -> None:
    if not located.was_adjusted:
        return
    how = "with small differences" if located.method == "typography" else "despite a few typos"
    details = "; ".join(located.differences)
    messages.info(request, f"Your quote was found in the source {how}, and the source's own words were "
                           f"stored{': ' + details if details else ''}.")


def _announce(request, map_, graph, added, moderated: bool) -> None:
    """Say what was added, with a link to the new node in its tree (the parent's path, then it)."""
    parent = added.relation.parent
    path = (graph.path_to(parent.pk) or (parent.pk,)) + (added.node.pk,)
    messages.success(request, format_html(
        "Added your evidence “{}”: it {} “{}”.{} <a href=\"{}\">See it in the tree</a>.",
        Truncator(added.node.text).chars(80), "supports" if added.relation.stance == Stance.SUPPORT else "opposes",
        Truncator(parent.text).chars(80), PENDING_NOTE if moderated else "", tree_url(map_, path),
    ))
    _note_adjustment(request, added.located)


PENDING_NOTE = " The other students will see it once a teacher approves it."


def _done(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_http_methods(GET_OR_POST)
def add_evidence(request, code: str, source_code: str):
    """A new claim quoting a passage of the source and supporting or opposing a node."""
    map_, access = map_and_access(request, code)
    source = _source_of(map_, source_code)
    require(access.can_contribute, "Only the map's contributors, editors and owners add evidence: "
                                   "ask its owner for a role.")
    if request.method != "POST":
        return _render_form(request, map_, source, access, EvidenceForm(initial=request.GET.dict()))
    if request.POST.get("action") == "find":  # the node search, without JavaScript: keep what was typed
        return _render_form(request, map_, source, access, EvidenceForm(initial=request.POST.dict()), form_open=True)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _render_form(request, map_, source, access, form, status=400)
    graph = load_graph(access)
    if form.cleaned_data["parent"] not in graph:  # live, and seen by this reader, in some tree
        form.add_error("parent", "Choose the node your evidence bears on from this map.")
        return _render_form(request, map_, source, access, form, status=400)
    parent = node_for(access, form.cleaned_data["parent"])
    action = reverse("evidence-add", args=[map_.code, source.code])
    try:
        added = domain.add_evidence(map_, request.user, source, parent, form.cleaned_data["stance"],
                                    form.cleaned_data["claim"], **form.passage(), moderated=access.moderated)
    except anchoring.QuoteAmbiguous as ambiguity:
        back = reverse("source-reader", args=[map_.code, source.code])
        return _choose_occurrence(request, map_, source, action, form, ambiguity, back)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_form(request, map_, source, access, form, status=400)
    _announce(request, map_, graph, added, access.moderated)
    return _done(request, _reader_at(map_, added.quote))


@login_required
@require_http_methods(GET_OR_POST)
def add_quote(request, code: str, node_id: int):
    """Another quote for an existing claim: paste the passage and choose its source."""
    map_, access = map_and_access(request, code)
    node = node_for(access, node_id)
    require(access.can_change(node), "Only the node's author, the map's editors and its owners add quotes to it.")
    sources = list(Source.objects.in_map(map_).order_by("mapsource__id"))
    data = request.POST if request.method == "POST" else None
    form = QuoteForm(data, sources=sources, initial={"source": request.GET.get("source")})
    context = {"map": map_, "node": node, "form": form, "access": access}
    if node.is_thesis:
        context["refused"] = "A thesis is what the map argues about, not evidence: quote under a claim instead."
        return render(request, "evidence/add_quote.html", context, status=400)
    if request.method != "POST":
        return render(request, "evidence/add_quote.html", context)
    if not form.is_valid():
        return render(request, "evidence/add_quote.html", context, status=400)
    source = next(s for s in sources if s.code == form.cleaned_data["source"])
    action = reverse("quote-add", args=[map_.code, node.pk])
    try:
        quote, located = domain.add_quote(node, request.user, source, **form.passage(), moderated=access.moderated)
    except anchoring.QuoteAmbiguous as ambiguity:
        back = reverse("node-focus", args=[map_.code, node.pk])
        return _choose_occurrence(request, map_, source, action, form, ambiguity, back)
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "evidence/add_quote.html", context, status=400)
    focus = reverse("node-focus", args=[map_.code, node.pk])
    messages.success(request, format_html("Added a quote to “{}”.{} <a href=\"{}\">Back to the node</a>.",
                                          Truncator(node.text).chars(80), PENDING_NOTE if access.moderated else "",
                                          focus))
    _note_adjustment(request, located)
    return _done(request, _reader_at(map_, quote))


urlpatterns = [
    path("maps/<slug:code>/sources/<slug:source_code>/evidence/", add_evidence, name="evidence-add"),
    path("maps/<slug:code>/nodes/<int:node_id>/quotes/new/", add_quote, name="quote-add"),
]
