"""One source of a map, for its owners: its details, its text, detaching it, and page clutter marked in it.

A text changes only on the one map that has it, for who added it (or anyone, if it is not public),
and only while nothing quotes it (Source.save refuses); a corrected text is a new source.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from argmap import history
from argmap.access import Access
from argmap.forms.sources import ClutterOffsetsForm, ClutterTextForm, SourceTextForm, details_form
from argmap.models import SOURCE_DETAILS, Action, ClutterRange, Map, MapSource, Quote, Source, text_hash
from argmap.permissions import require
from argmap.views import map_for_source_admin, map_source, source_manage_url


def may_change_text(access: Access, source: Source) -> bool:
    return access.is_owner and (source.added_by_id == access.user.pk or not source.is_public)


def details_of(source: Source) -> dict:
    """A source's details as JSON-ready values, for the history."""
    return {
        "title": source.title, "author": source.author, "publisher": source.publisher,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "url": source.url, "rights": source.rights, "notes": source.notes, "public": source.is_public,
        "hash": source.content_hash,
    }


@login_required
@require_safe
def manage_source(request, code: str, source_code: str):
    map_, access = map_for_source_admin(request, code)
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
    map_, access = map_for_source_admin(request, code)
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
    return redirect(source_manage_url(map_, source))


@login_required
@require_POST
def edit_text(request, code: str, source_code: str):
    """Change the text of a source nobody quotes (and no map marks clutter in: its marks are positions)."""
    map_, access = map_for_source_admin(request, code)
    source = map_source(map_, source_code)
    require(may_change_text(access, source), "Only the person who added this public source may change its text.")
    form = SourceTextForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, map_, access, source, status=400, text_form=form)
    new_text = form.cleaned_data["text"]
    if new_text == source.text:
        messages.info(request, "The text is unchanged.")
        return redirect(source_manage_url(map_, source))
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
    return redirect(source_manage_url(map_, source))


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
    map_, access = map_for_source_admin(request, code)
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
    map_, access = map_for_source_admin(request, code)
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
    return redirect(source_manage_url(map_, source, "clutter"))


def _change_clutter(request, code: str, source_code: str, clutter_id: int, action: str):
    map_, access = map_for_source_admin(request, code)
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
    return redirect(source_manage_url(map_, source, "clutter"))


@login_required
@require_POST
def remove_clutter(request, code: str, source_code: str, clutter_id: int):
    return _change_clutter(request, code, source_code, clutter_id, Action.DELETE)


@login_required
@require_POST
def restore_clutter(request, code: str, source_code: str, clutter_id: int):
    return _change_clutter(request, code, source_code, clutter_id, Action.RESTORE)


urlpatterns = [
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
