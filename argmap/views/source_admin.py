"""A map's sources, for its owners: adding one (pasted or uploaded), attaching a shared one, editing
its details, detaching it, and marking page clutter in it.

Rules:
- Only owners of the map (access.is_owner) come here: other roles get 403, people without a role on
  a private map 404.
- A text is stored once (found by its hash): adding a text Argmap already has attaches that source.
- A source's details (title, author, notes, rights...) are the map's own (MapSource): owners change
  them for their map only, and never see another map's. Only the person who added the text decides
  whether it is public.
- A text changes only on the one map that has it, for who added it (or anyone, if it is not
  public), and only while nothing quotes it (Source.save refuses); a corrected text is a new source.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from argmap import history
from argmap.forms.sources import (
    AttachForm,
    ClutterOffsetsForm,
    ClutterTextForm,
    NewSourceForm,
    SourceTextForm,
    details_form,
)
from argmap.models import SOURCE_DETAILS, Action, ClutterRange, Map, MapSource, Quote, Source, text_hash, untitled_name
from argmap.permissions import Access, map_and_access, require

OWNERS_ONLY = "Only the owners of this map manage its sources."
SOURCES_PER_PAGE = 20
OPENING_LENGTH = 120


# Access and lookups


def owned_map(request, code: str) -> tuple[Map, Access]:
    map_, access = map_and_access(request, code)
    require(access.is_owner, OWNERS_ONLY)
    if request.method == "POST":  # a closed exercise's map keeps its sources as they were
        require(access.can_manage)
    return map_, access


def map_source(map_: Map, source_code: str) -> Source:
    """The source with this code, if the map has it, with this map's details (404 otherwise: codes
    of other sources are not confirmed)."""
    return get_object_or_404(Source.objects.in_map(map_), code=source_code)


def may_change_text(access: Access, source: Source) -> bool:
    return access.is_owner and (source.added_by_id == access.user.pk or not source.is_public)


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


def details_of(source: Source) -> dict:
    """A source's details as JSON-ready values, for the history."""
    return {
        "title": source.title, "author": source.author, "publisher": source.publisher,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "url": source.url, "rights": source.rights, "notes": source.notes, "public": source.is_public,
        "hash": source.content_hash,
    }


def manage_url(map_: Map, source: Source, fragment: str = "") -> str:
    return reverse("source-manage", args=[map_.code, source.code]) + (f"#{fragment}" if fragment else "")


# Adding and attaching


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_source(request, code: str):
    map_, access = owned_map(request, code)
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
    return redirect(manage_url(map_, source))


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
    map_, access = owned_map(request, code)
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


# One source of the map


@login_required
@require_safe
def manage_source(request, code: str, source_code: str):
    map_, access = owned_map(request, code)
    source = map_source(map_, source_code)
    return _manage_page(request, map_, access, source)


def _manage_page(request, map_: Map, access: Access, source: Source, status: int = 200, **forms_given):
    """The manage page, with any bound forms (and their errors) given by the view that posted."""
    link = MapSource.objects.select_related("source").get(map=map_, source=source)
    context = {
        "map": map_,
        "source": source,
        "may_change_text": may_change_text(access, source),
        "shared_elsewhere": _other_maps(source, map_),
        "added_by_you": source.added_by_id == request.user.pk,
        "details_form": forms_given.get("details_form") or details_form(link, request.user),
        "text_form": forms_given.get("text_form") or SourceTextForm(initial={"text": source.text}),
        "clutter_text_form": forms_given.get("clutter_text_form") or ClutterTextForm(),
        "clutter_offsets_form": forms_given.get("clutter_offsets_form") or ClutterOffsetsForm(text_length=len(source.text)),
        "quoted_anywhere": Quote.objects.filter(source=source).count(),
        "map_quotes": Quote.objects.live().filter(source=source, node__map=map_).count(),
        "text_length": len(source.text),
        "error": forms_given.get("error"),
        **_clutter_context(map_, source),
    }
    return render(request, "sources/manage.html", context, status=status)


def _clutter_context(map_: Map, source: Source) -> dict:
    ranges = list(ClutterRange.objects.filter(map=map_, source=source).select_related("created_by"))
    for clutter in ranges:
        clutter.passage = source.text[clutter.start : clutter.end]
    return {
        "clutter_live": [c for c in ranges if not c.is_deleted],
        "clutter_removed": [c for c in ranges if c.is_deleted],
    }


def _other_maps(source: Source, map_: Map) -> int:
    return MapSource.objects.filter(source=source).exclude(map=map_).count()


@login_required
@require_POST
def edit_details(request, code: str, source_code: str):
    """Change this map's details of the source: other maps with the same text keep theirs."""
    map_, access = owned_map(request, code)
    source = map_source(map_, source_code)
    before = details_of(source)
    link = MapSource.objects.select_related("source").get(map=map_, source=source)
    form = details_form(link, request.user, request.POST)
    if not form.is_valid():
        return _manage_page(request, map_, access, source, status=400, details_form=form)
    with transaction.atomic():
        link = form.save(commit=False)
        link.save(update_fields=list(SOURCE_DETAILS))
        source = link.source_with_details()
        if "is_public" in form.fields:  # only for who added the text
            source.is_public = form.cleaned_data["is_public"]
            source.save(update_fields=["is_public"])
        history.record(map_, request.user, Action.EDIT, source, before=before, after=details_of(source))
        Map.note_activity(map_.pk)
    messages.success(request, "Saved the details.")
    return redirect(manage_url(map_, source))


@login_required
@require_POST
def edit_text(request, code: str, source_code: str):
    """Change the text of a source nobody quotes (and no map marks clutter in: its marks are positions)."""
    map_, access = owned_map(request, code)
    source = map_source(map_, source_code)
    require(may_change_text(access, source), "Only the person who added this public source may change its text.")
    form = SourceTextForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, map_, access, source, status=400, text_form=form)
    new_text = form.cleaned_data["text"]
    if new_text == source.text:
        messages.info(request, "The text is unchanged.")
        return redirect(manage_url(map_, source))
    problem = _text_change_problem(source, new_text)
    if problem is None:
        before = details_of(source)
        try:
            with transaction.atomic():
                # Locked, then checked again: a map attaching the text meanwhile would see it change.
                Source.objects.select_for_update().filter(pk=source.pk).first()
                if _other_maps(source, map_):
                    raise ValidationError(SHARED_TEXT)
                source.text = new_text
                source.save(update_fields=["text", "content_hash"])  # refuses if it got quoted meanwhile
                history.record(map_, request.user, Action.EDIT, source, before=before, after=details_of(source))
                Map.note_activity(map_.pk)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except IntegrityError:
            problem = "Argmap already has exactly this text as another source: attach that one instead."
    if problem:
        source = map_source(map_, source.code)
        form.add_error("text", problem)
        return _manage_page(request, map_, access, source, status=409, text_form=form)
    messages.success(request, "Saved the new text.")
    return redirect(manage_url(map_, source))


SHARED_TEXT = ("Another map has this text too, and it must not change under it: add the corrected text "
               "as a new source.")


def _text_change_problem(source: Source, new_text: str) -> str | None:
    if source.quotes.exists():
        return "This source is quoted, so its text cannot change: add the corrected text as a new source."
    if MapSource.objects.filter(source=source).count() > 1:
        return SHARED_TEXT
    if Source.objects.filter(content_hash=text_hash(new_text)).exclude(pk=source.pk).exists():
        # Not named: its title on other maps is theirs.
        return "Argmap already has exactly this text as another source: paste it as a new source to attach it."
    marked_maps = ClutterRange.objects.live().filter(source=source).values("map").distinct().count()
    if marked_maps:
        return (f"Page clutter is marked in this text on {marked_maps} map{'s' if marked_maps > 1 else ''}, by "
                "position: remove those marks first, or add the corrected text as a new source.")
    return None


@login_required
@require_POST
def detach_source(request, code: str, source_code: str):
    map_, access = owned_map(request, code)
    source = map_source(map_, source_code)
    with transaction.atomic():
        # Quotes on deleted nodes count too: restoring the node would bring them back.
        in_use = Quote.objects.live().filter(source=source, node__map=map_).count()
        if not in_use:
            MapSource.objects.filter(map=map_, source=source).delete()
            history.record(map_, request.user, Action.DETACH, source, after=None)
            Map.note_activity(map_.pk)
    if in_use:
        error = (f"{in_use} quote{'s' if in_use > 1 else ''} in this map use{'' if in_use > 1 else 's'} this source: "
                 "it can be removed from the map once no evidence quotes it.")
        return _manage_page(request, map_, access, source, status=409, error=error)
    messages.success(request, f"“{source.display_title}” is no longer a source of this map.")
    return redirect("source-attach", map_.code)


# Page clutter


@login_required
@require_POST
def add_clutter(request, code: str, source_code: str):
    """Mark a passage as clutter: by its text (`how=text`) or by its offsets (`how=offsets`)."""
    map_, access = owned_map(request, code)
    source = map_source(map_, source_code)
    if request.POST.get("how") == "offsets":
        form, form_name = ClutterOffsetsForm(request.POST, text_length=len(source.text)), "clutter_offsets_form"
    else:
        form, form_name = ClutterTextForm(request.POST, source_text=source.text), "clutter_text_form"
    if not form.is_valid():
        return _manage_page(request, map_, access, source, status=400, **{form_name: form})
    starts = form.cleaned_data["starts"]
    if starts is None:  # the passage occurs more than once: the page asks which
        return _manage_page(request, map_, access, source, **{form_name: form})
    length = (form.cleaned_data["end"] - starts[0]) if form_name == "clutter_offsets_form" else len(form.cleaned_data["exact"])
    with transaction.atomic():
        marked = set(ClutterRange.objects.live().filter(map=map_, source=source).values_list("start", "end"))
        new = [(start, start + length) for start in starts if (start, start + length) not in marked]
        for start, end in new:
            clutter = ClutterRange.objects.create(map=map_, source=source, start=start, end=end,
                                                  label=form.cleaned_data["label"], created_by=request.user)
            history.record(map_, request.user, Action.CREATE, clutter)
        if new:
            Map.note_activity(map_.pk)
    if not new:
        form.add_error(None, "That passage is already marked as clutter.")
        return _manage_page(request, map_, access, source, status=400, **{form_name: form})
    messages.success(request, f"Marked {len(new)} passage{'s' if len(new) > 1 else ''} as clutter.")
    return redirect(manage_url(map_, source, "clutter"))


def _change_clutter(request, code: str, source_code: str, clutter_id: int, action: str):
    map_, access = owned_map(request, code)
    source = map_source(map_, source_code)
    clutter = get_object_or_404(ClutterRange, pk=clutter_id, map=map_, source=source)
    if clutter.is_deleted == (action == Action.RESTORE):  # otherwise it is already as asked
        with transaction.atomic():
            before = history.snapshot(clutter)
            if action == Action.DELETE:
                clutter.soft_delete(by=request.user)
            else:
                clutter.restore()
            history.record(map_, request.user, action, clutter, before=before)
            Map.note_activity(map_.pk)
    if request.htmx:
        context = {"map": map_, "source": source, **_clutter_context(map_, source)}
        return render(request, "sources/manage.html#clutter-ranges", context)
    return redirect(manage_url(map_, source, "clutter"))


@login_required
@require_POST
def remove_clutter(request, code: str, source_code: str, clutter_id: int):
    return _change_clutter(request, code, source_code, clutter_id, Action.DELETE)


@login_required
@require_POST
def restore_clutter(request, code: str, source_code: str, clutter_id: int):
    return _change_clutter(request, code, source_code, clutter_id, Action.RESTORE)


urlpatterns = [
    path("maps/<slug:code>/sources/new/", new_source, name="source-new"),
    path("maps/<slug:code>/sources/attach/", attach_source, name="source-attach"),
    path("maps/<slug:code>/sources/<slug:source_code>/manage/", manage_source, name="source-manage"),
    path("maps/<slug:code>/sources/<slug:source_code>/details/", edit_details, name="source-edit-details"),
    path("maps/<slug:code>/sources/<slug:source_code>/text/", edit_text, name="source-edit-text"),
    path("maps/<slug:code>/sources/<slug:source_code>/detach/", detach_source, name="source-detach"),
    path("maps/<slug:code>/sources/<slug:source_code>/clutter/", add_clutter, name="clutter-add"),
    path("maps/<slug:code>/sources/<slug:source_code>/clutter/<int:clutter_id>/remove/", remove_clutter,
         name="clutter-remove"),
    path("maps/<slug:code>/sources/<slug:source_code>/clutter/<int:clutter_id>/restore/", restore_clutter,
         name="clutter-restore"),
]
