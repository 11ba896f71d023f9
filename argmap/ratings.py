"""How reliable a map's owners judge each of its sources: a rating from 0 to 4 with a note.

Ratings belong to the map, not to the source: two classes may judge the same article
differently. When a rating `counts`, evidence quoting the source starts from base score
rating/4 instead of 0.5 in the strength computation (argmap/strength.py's callers read it).

Every change is recorded in the map's history as an edit of the source (target_type "source",
so exports and imports carry it like the source's other changes), with the rating's state
before (None the first time) and after: {"rating": 0..4, "note": "...", "counts": bool}.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery

from argmap import history
from argmap.models import Action, Map, MapSource, Source, SourceRating

LOWEST, HIGHEST = 0, 4
MAX_NOTE_LENGTH = SourceRating._meta.get_field("note").max_length
RATING_WORDS = {0: "not reliable", 1: "hardly reliable", 2: "fairly reliable", 3: "reliable", 4: "very reliable"}


def state(rating: SourceRating | None) -> dict | None:
    """The rating as the history stores it."""
    if rating is None:
        return None
    return {"rating": rating.rating, "note": rating.note, "counts": rating.counts}


def check(rating, note, counts) -> tuple[int, str, bool]:
    """The values cleaned (the note's surrounding white space dropped), or a ValidationError that
    says what is wrong with them."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not LOWEST <= rating <= HIGHEST:
        raise ValidationError(f"A rating is a whole number from {LOWEST} to {HIGHEST}.")
    if not isinstance(note, str):
        raise ValidationError("The note must be text.")
    note = note.strip()
    if "\x00" in note:
        raise ValidationError("The note contains a NUL character, which cannot be stored.")
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(f"The note is {len(note)} characters long; at most {MAX_NOTE_LENGTH} fit.")
    if not isinstance(counts, bool):
        raise ValidationError("Whether the rating counts is yes or no.")
    return rating, note, counts


def set_rating(map_: Map, source: Source, rating: int, note: str, counts: bool, by) -> SourceRating:
    """Rate one of the map's sources (or change its rating), recording the change in its history.

    Raises ValidationError for values out of range and for a source the map does not have.
    Saving the same values again changes nothing and records nothing.
    """
    rating, note, counts = check(rating, note, counts)
    with transaction.atomic():
        if not MapSource.objects.filter(map=map_, source=source).exists():
            raise ValidationError("Only the map's own sources can be rated on it.")
        current = SourceRating.objects.select_for_update().filter(map=map_, source=source).first()
        if current is None:
            try:
                with transaction.atomic():  # another owner may be rating it for the first time too
                    current = SourceRating.objects.create(
                        map=map_, source=source, rating=rating, note=note, counts=counts, rated_by=by
                    )
            except IntegrityError:
                current = SourceRating.objects.select_for_update().get(map=map_, source=source)
            else:
                history.record(map_, by, Action.EDIT, source, before=None, after=state(current))
                return current
        before = state(current)
        if before == {"rating": rating, "note": note, "counts": counts}:
            return current
        current.rating, current.note, current.counts, current.rated_by = rating, note, counts, by
        current.save(update_fields=["rating", "note", "counts", "rated_by", "updated_at"])
        history.record(map_, by, Action.EDIT, source, before=before, after=state(current))
        return current


def with_ratings(sources: QuerySet, map_: Map) -> QuerySet:
    """The sources, each with this map's rating as `map_rating` (None if unrated), `map_rating_note`
    and `map_rating_counts`: in the same query, so a page shows ratings without one more."""
    mine = SourceRating.objects.filter(map=map_, source=OuterRef("pk"))
    return sources.annotate(
        map_rating=Subquery(mine.values("rating")[:1]),
        map_rating_note=Subquery(mine.values("note")[:1]),
        map_rating_counts=Subquery(mine.values("counts")[:1]),
    )


def remember(source: Source, rating: SourceRating) -> Source:
    """Put a rating just saved on the source the way `with_ratings` does, for the page drawn next."""
    source.map_rating, source.map_rating_note, source.map_rating_counts = rating.rating, rating.note, rating.counts
    return source
