"""A map's sources, for its owners: adding one (pasted or uploaded) and attaching a shared one.

Rules:
- Only owners of the map (access.is_owner) come here: other roles get 403, people without a role on
  a private map 404.
- A text is stored once (found by its hash): adding a text Argmap already has attaches that source.
- A source's details (title, author, notes, rights...) are the map's own (MapSource): owners change
  them for their map only, and never see another map's. Only the person who added the text decides
  whether it is public.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from argmap import history
from argmap.forms.sources import AttachForm, NewSourceForm, details_form
from argmap.models import SOURCE_DETAILS, Action, Map, MapSource, Source, text_hash, untitled_name
from argmap.views import map_for_source_admin, map_source, source_manage_url

SOURCES_PER_PAGE = 20
OPENING_LENGTH = 120


def with_names(sources) -> list[Source]:
    """The sources (texts deferred, `opening` annotated), each with `name`: the title the reader shows."""
    sources = list(sources)
    for source in sources:
        source.name = source.title or untitled_name(source.opening)
    return sources


# Details shown for (and copied onto) a source one may attach: those the person who added it gave it on
# a map of their own; never notes, and never what a stranger who pasted the same text wrote.
SHARED_DETAILS = tuple(field for field in SOURCE_DETAILS if field != "notes")


def attachable_sources(user):
    """Sources an owner may attach: the public ones and their own (texts left out, only their openings),
    each with the details its adder gave it (see SHARED_DETAILS)."""
    adders = MapSource.objects.filter(source=OuterRef("pk"), map__owner=OuterRef("added_by")).order_by("id")
    return (
        Source.objects.filter(Q(is_public=True) | Q(added_by=user))
        .defer("text")
        .annotate(opening=Substr("text", 1, OPENING_LENGTH))
        .annotate(**{field: Subquery(adders.values(field)[:1]) for field in SHARED_DETAILS})
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_source(request, code: str):
    map_, access = map_for_source_admin(request, code)
    if request.method != "POST":
        form = details_form(None, request.user, form_class=NewSourceForm, initial=_corrected_initial(request, map_))
        return render(request, "sources/new.html", {"map": map_, "form": form})
    form = details_form(None, request.user, request.POST, request.FILES, form_class=NewSourceForm)
    if not form.is_valid():
        return render(request, "sources/new.html", {"map": map_, "form": form}, status=400)
    source, outcome = _add_source(map_, request.user, form)
    source = map_source(map_, source.code)  # with this map's details
    if outcome == "created":
        messages.success(request, f"Added “{source.display_title}” to this map.")
    elif outcome == "reused":
        # The text is stored once; what another map wrote about it stays that map's, so it is not named.
        messages.info(request, f"Added “{source.display_title}” to this map. Argmap already had this exact text, "
                               "so it is stored once; its details here are this map's own.")
    else:
        messages.info(request, f"This map already has this exact text, as “{source.display_title}”.")
    return redirect(source_manage_url(map_, source))


def _corrected_initial(request, map_: Map) -> dict:
    """With `?corrects=CODE`: the form filled from that source of this map, to fix its text as a new source."""
    code = request.GET.get("corrects", "")[:16]
    old = Source.objects.in_map(map_).filter(code=code).first() if code.isalnum() else None
    if old is None:
        return {}
    return {
        "title": old.title, "author": old.author, "publisher": old.publisher, "published_on": old.published_on,
        "url": old.url, "rights": old.rights, "is_public": old.is_public, "text": old.text,
        "notes": f"Corrected text of “{old.display_title}” (source {old.code}). {old.notes}".strip()[:2000],
    }


def _add_source(map_: Map, user, form: NewSourceForm) -> tuple[Source, str]:
    """Store the form's text as a new source on the map, or attach the source that has it already.

    Says which: "created", "reused" or "already" (the map had it).
    """
    try:
        return _store_source(map_, user, form)
    except IntegrityError:
        # Someone stored the same text (or attached it here) a moment ago: now the lookup finds it.
        return _store_source(map_, user, form)


def _store_source(map_: Map, user, form: NewSourceForm) -> tuple[Source, str]:
    extracted = form.extracted
    link = form.save(commit=False)  # this map's details, whoever stored the text first
    # What the form leaves empty, the file's own metadata fills (web pages have some).
    for field in ("title", "author", "publisher", "published_on", "url"):
        if not getattr(link, field):
            setattr(link, field, getattr(extracted, field))
    with transaction.atomic():
        # Locked, so the text cannot change between this map attaching it and the check in edit_text.
        existing = Source.objects.select_for_update().filter(content_hash=text_hash(extracted.text)).first()
        if existing and MapSource.objects.filter(map=map_, source=existing).exists():
            return existing, "already"
        if existing:
            link.map, link.source = map_, existing
            link.save()
            history.record(map_, user, Action.ATTACH, link.source_with_details())
            Map.note_activity(map_.pk)
            return existing, "reused"
        source = Source(text=extracted.text, added_by=user, is_public=form.cleaned_data["is_public"])
        source.save()
        link.map, link.source = map_, source
        link.save()
        history.record(map_, user, Action.CREATE, link.source_with_details())
        Map.note_activity(map_.pk)
        return source, "created"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attach_source(request, code: str):
    """GET: the map's sources and a search of the sources one may attach; POST: attach one."""
    map_, access = map_for_source_admin(request, code)
    if request.method == "POST":
        form = AttachForm(request.POST)
        if form.is_valid():
            return _attach(request, map_, form.cleaned_data["source"])
        messages.error(request, "Choose a source to attach.")
        return _attach_page(request, map_, status=400)
    return _attach_page(request, map_)


def _attach(request, map_: Map, source_code: str):
    attached = with_names(
        Source.objects.in_map(map_).filter(code=source_code).defer("text").annotate(opening=Substr("text", 1, OPENING_LENGTH))
    )
    if attached:
        messages.info(request, f"This map already has “{attached[0].name}”.")
        return redirect("source-attach", map_.code)
    source = get_object_or_404(attachable_sources(request.user), code=source_code)
    name = with_names([source])[0].name
    try:
        with transaction.atomic():
            Source.objects.select_for_update().filter(pk=source.pk).first()  # see _store_source
            link = MapSource(map=map_, source=source)
            for field in SHARED_DETAILS:  # None where the adder has no map of theirs with it any more
                if getattr(source, field) is not None:
                    setattr(link, field, getattr(source, field))
            link.save()
            history.record(map_, request.user, Action.ATTACH, link.source_with_details())
            Map.note_activity(map_.pk)
    except IntegrityError:  # another owner attached it a moment ago
        messages.info(request, f"This map already has “{name}”.")
    else:
        messages.success(request, f"Attached “{name}” to this map.")
    return redirect("source-attach", map_.code)


def _attach_page(request, map_: Map, status: int = 200):
    query = request.GET.get("q", "")[:200].replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query
    found = attachable_sources(request.user).order_by("title", "id")
    if query:
        found = found.filter(Q(title__icontains=query) | Q(author__icontains=query) | Q(publisher__icontains=query))
    page = Paginator(found, SOURCES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_names(page.object_list)
    context = {
        "map": map_,
        "query": query,
        "page": page,
        "attached": set(MapSource.objects.filter(map=map_).values_list("source_id", flat=True)),
        "map_sources": with_names(
            Source.objects.in_map(map_).defer("text").annotate(opening=Substr("text", 1, OPENING_LENGTH))
            .order_by("mapsource__id")
        ),
    }
    if request.htmx and request.htmx.target == "source-results":
        return render(request, "sources/attach.html#results", context, status=status)
    return render(request, "sources/attach.html", context, status=status)


urlpatterns = [
    path("maps/<slug:code>/sources/new/", new_source, name="source-new"),
    path("maps/<slug:code>/sources/attach/", attach_source, name="source-attach"),
]
