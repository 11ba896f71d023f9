"""Anchoring quotes in source texts.

Offsets are Unicode code points (Python string indices), end exclusive, as the W3C Web Annotation
TextPositionSelector defines them. Browsers count UTF-16 code units: the reader's JavaScript
converts before anything reaches the server.
"""

import bisect
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace

import edlib
from django.core.exceptions import ValidationError

CONTEXT_LENGTH = 32  # characters of prefix and suffix kept beside each quote (TextQuoteSelector)


class QuoteMismatch(ValidationError):
    """The quoted text is not what the source says at the given place."""


class QuoteNotFound(ValidationError):
    pass


class QuoteAmbiguous(ValidationError):
    """The passage occurs more than once; `occurrences` lets the user choose one."""

    def __init__(self, message: str, starts: list[int], occurrences: list["Occurrence"] | None = None):
        super().__init__(message)
        self.starts = starts
        self.occurrences = list(occurrences or [])


@dataclass(frozen=True)
class Position:
    start: int
    end: int


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_storable_text(text: str) -> None:
    """Refuse text that cannot be stored and quoted reliably."""
    if "\x00" in text:
        raise ValidationError("The text contains a NUL character, which cannot be stored.")
    if _SURROGATE.search(text):
        raise ValidationError("The text contains invalid Unicode (a lone surrogate).")


def _excerpt(text: str, length: int = 50) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def verify(source_text: str, start: int, end: int, exact: str) -> None:
    """Raise QuoteMismatch unless `exact` is exactly the source text from `start` to `end`."""
    if not exact:
        raise QuoteMismatch("A quote cannot be empty.")
    if start < 0 or end > len(source_text) or start >= end:
        raise QuoteMismatch(
            f"The quote's position {start}–{end} is outside the source, which has {len(source_text)} characters."
        )
    found = source_text[start:end]
    if found != exact:
        raise QuoteMismatch(
            f"The quote “{_excerpt(exact)}” does not match the source at {start}–{end}, "
            f"which reads “{_excerpt(found)}”."
        )


def context_of(source_text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix that make a TextQuoteSelector for this passage."""
    return source_text[max(0, start - CONTEXT_LENGTH) : start], source_text[end : end + CONTEXT_LENGTH]


def occurrences(source_text: str, exact: str) -> list[int]:
    """Every start offset of `exact` in the text, overlapping occurrences included."""
    starts, at = [], source_text.find(exact)
    while at != -1:
        starts.append(at)
        at = source_text.find(exact, at + 1)
    return starts


def locate(
    source_text: str,
    exact: str,
    *,
    start: int | None = None,
    prefix: str = "",
    suffix: str = "",
    source_name: str = "the source",
) -> Position:
    """Find where `exact` stands in the text.

    With `start`, the quote must be at that position. Otherwise it must occur once, or the
    prefix and suffix must single out one occurrence; anything else is refused with a message
    that says what to do.
    """
    if not exact:
        raise QuoteNotFound("A quote cannot be empty.")
    if start is not None:
        verify(source_text, start, start + len(exact), exact)
        return Position(start, start + len(exact))
    starts = occurrences(source_text, exact)
    if not starts:
        raise QuoteNotFound(f"The passage “{_excerpt(exact)}” is not in {source_name}.")
    if len(starts) > 1 and (prefix or suffix):
        starts = [
            at
            for at in starts
            if source_text[:at].endswith(prefix) and source_text[at + len(exact) :].startswith(suffix)
        ] or starts
    if len(starts) > 1:
        raise QuoteAmbiguous(
            f"The passage “{_excerpt(exact)}” occurs {len(starts)} times in {source_name} "
            f"(at {', '.join(map(str, starts))}): say which one.",
            starts,
            [_occurrence(source_text, at, at + len(exact)) for at in starts],
        )
    return Position(starts[0], starts[0] + len(exact))


# Finding a pasted quote ------------------------------------------------------------------------
#
# People paste or type the passage they want to quote. `find` looks for it in three steps and
# stops at the first that succeeds: the exact text; the text with typographic differences
# forgiven (quotes, dashes, spaces and line breaks, letter case, invisible characters); then a
# few typos. Steps two and three work on a "folded" copy of both texts that remembers, for each
# of its characters, the offset of the original character it came from, so a match always maps
# back to whole characters of the source.

FUZZY_MAX_ERROR_RATE = 0.1  # edits per character of the quote
FUZZY_MIN_LENGTH = 12  # a shorter quote with a typo matches too many places by chance
FUZZY_MAX_LENGTH = 3000  # the bit-parallel search slows down with the quote's length
CHOICE_CONTEXT_LENGTH = 40  # characters shown around each occurrence when the user must choose
MAX_DIFFERENCES = 4
_MAX_FUZZY_CANDIDATES = 200  # bounds the work on pathological (periodic) texts
# Above this many edits the quote's pieces (see _candidate_regions) are short and common: finding
# them all takes longer than edlib's scan of the whole text (measured: 31 pieces ~1 ms, 101 pieces
# 2-4 ms, 301 pieces 11-24 ms; edlib 1-3 ms for 60k-117k characters).
_LARGEST_FILTERED_LIMIT = 30

_SINGLE_QUOTES = "'‘’‚‛′‹›ʼ"
_DOUBLE_QUOTES = '"“”„‟″«»'
_ANGLE_QUOTES = "«»‹›"
_DASHES = "-‐‑‒–—―−"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_FOLDS = [(ch, "'") for ch in _SINGLE_QUOTES[1:]] + [(ch, '"') for ch in _DOUBLE_QUOTES[1:]] + [
    (ch, "-") for ch in _DASHES[1:]
]
# Folds that casefold() does not make: the ellipsis character, and Turkish dotted capital I, which
# casefolds to "i" plus a combining dot where a person types a plain "i".
_SPECIAL_FOLDS = {"…": "...", "İ": "i"}


@dataclass(frozen=True)
class Match:
    """Where a pasted quote stands in the source. `exact` is the source's own text at start–end."""

    start: int
    end: int
    exact: str
    method: str  # "exact", "typography" or "fuzzy"
    differences: list[str] = field(default_factory=list)  # what differs from what was typed, in plain words
    error_rate: float = 0.0  # edits per character of the quote; 0 unless fuzzy


@dataclass(frozen=True)
class Occurrence:
    """One place a repeated passage stands, with some text around it so the user can choose."""

    start: int
    end: int
    before: str
    after: str


def find(
    source_text: str,
    quote: str,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    position: int | None = None,
    source_name: str = "the source",
    max_error_rate: float = FUZZY_MAX_ERROR_RATE,
) -> Match:
    """Find a pasted or typed `quote` in `source_text` (offsets in code points).

    Tries the exact text, then forgives typography, then a few typos (at most `max_error_rate`
    edits per character, for quotes of FUZZY_MIN_LENGTH characters or more). Where the best step
    finds the passage more than once, the occurrence starting nearest `position` wins, else the
    one whose surroundings match `prefix`/`suffix` best; if neither decides, QuoteAmbiguous lists
    the occurrences. Raises QuoteNotFound, with a message naming `source_name` (a title, shown
    in quotation marks; the default reads "the source"), for a quote that is empty, longer than
    the source, not storable or not there.
    """
    name = source_name if source_name == "the source" else f"“{source_name}”"
    try:
        check_storable_text(quote)
    except ValidationError:
        raise QuoteNotFound(
            "The quote contains a NUL character or invalid Unicode, which no source can contain: paste it again."
        ) from None
    wanted = quote.strip()
    if not _collapsed(_without_invisible(wanted)):
        raise QuoteNotFound("The quote is empty: paste the passage you want to quote.")
    if len(wanted) > len(source_text):
        raise QuoteNotFound(
            f"The quote has {len(wanted):,} characters, more than the whole of {name} "
            f"({len(source_text):,}): paste only the passage you want to quote."
        )
    matches = [
        _match(source_text, at, at + len(wanted), "exact")
        for at in occurrences(source_text, wanted)
        if not unicodedata.combining(source_text[at + len(wanted) : at + len(wanted) + 1] or "x")
    ]  # a passage that stops before an accent that follows is not the source's text
    if not matches:
        decompose = not (_composed_cached(source_text) and unicodedata.is_normalized("NFC", wanted))
        folded_source = _fold_cached(source_text, decompose)
        folded_quote = _fold_quote(wanted, decompose)
        matches = _typographic_matches(source_text, folded_source, wanted, folded_quote)
        if not matches:
            spans = _fuzzy_spans(folded_source, folded_quote, max_error_rate)
            matches = [_fuzzy_match(source_text, folded_source, span, len(folded_quote.text)) for span in spans]
    if not matches:
        raise QuoteNotFound(
            f"The passage “{_excerpt(_collapsed(wanted))}” is not in {name}. "
            "Check for typos or paste it again from the source."
        )
    match = _choose(source_text, matches, prefix, suffix, position, wanted, name)
    if match.method == "fuzzy":  # named for the chosen match only: it takes longer than finding them all
        start, end, _ = spans[matches.index(match)]
        notes = _fuzzy_notes(source_text, folded_source, start, end, wanted, folded_quote)
        match = replace(match, differences=notes)
    return match


def _match(source_text: str, start: int, end: int, method: str, differences=(), error_rate=0.0) -> Match:
    return Match(start, end, source_text[start:end], method, list(differences), error_rate)


def _occurrence(source_text: str, start: int, end: int) -> Occurrence:
    """The occurrence with up to CHOICE_CONTEXT_LENGTH characters either side, cut at whole words."""
    before = source_text[max(0, start - CHOICE_CONTEXT_LENGTH) : start]
    if start > CHOICE_CONTEXT_LENGTH and not source_text[start - CHOICE_CONTEXT_LENGTH - 1].isspace():
        before = re.sub(r"^\S*\s", "", before, count=1)  # drop the cut word
    after = source_text[end : end + CHOICE_CONTEXT_LENGTH]
    if end + CHOICE_CONTEXT_LENGTH < len(source_text) and not source_text[end + CHOICE_CONTEXT_LENGTH].isspace():
        after = re.sub(r"\s\S*$", "", after, count=1)
    return Occurrence(start, end, _collapsed(before), _collapsed(after))


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def _choose(source_text, matches, prefix, suffix, position, wanted, name) -> Match:
    """One of several equally good matches, picked by position, then by context; else ask."""
    if len(matches) > 1 and position is not None:
        nearest = min(abs(m.start - position) for m in matches)
        matches = [m for m in matches if abs(m.start - position) == nearest]
    if len(matches) > 1 and (prefix or suffix):
        scores = [_context_score(source_text, m, prefix or "", suffix or "") for m in matches]
        best = max(scores)
        if best > 0 and scores.count(best) == 1:
            matches = [matches[scores.index(best)]]
    if len(matches) == 1:
        return matches[0]
    raise QuoteAmbiguous(
        f"The passage “{_excerpt(_collapsed(wanted))}” occurs {len(matches)} times in {name}. "
        "Choose the one you mean.",
        [m.start for m in matches],
        [_occurrence(source_text, m.start, m.end) for m in matches],
    )


def _context_score(source_text: str, match: Match, prefix: str, suffix: str) -> int:
    """How many folded characters of `prefix` and `suffix` agree with the text around the match."""
    score = 0
    if prefix:
        wanted = _fold(prefix).text.rstrip(" ")
        around = _fold(source_text[max(0, match.start - 2 * len(prefix) - 8) : match.start]).text.rstrip(" ")
        score += len(_common_start(wanted[::-1], around[::-1]))
    if suffix:
        wanted = _fold(suffix).text.lstrip(" ")
        around = _fold(source_text[match.end : match.end + 2 * len(suffix) + 8]).text.lstrip(" ")
        score += len(_common_start(wanted, around))
    return score


def _common_start(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return a[:i]
    return a[: min(len(a), len(b))]


# Folding: the text with typography forgiven, and where each folded character came from.


class _Origins:
    """origin[i]: the offset in the original text of the character that gave folded character i.

    Kept as stretches, which is far quicker to build than a number per character: in a plain
    stretch folded character i comes from offset + (i - start); all characters of a folded piece
    (one space for a run of white space, "ss" for "ß") come from the piece's one offset."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.offsets: list[int] = []
        self.steps: list[int] = []

    def add(self, start: int, offset: int, step: int) -> None:
        self.starts.append(start)
        self.offsets.append(offset)
        self.steps.append(step)

    def __getitem__(self, i: int) -> int:
        k = bisect.bisect_right(self.starts, i) - 1
        return self.offsets[k] + (i - self.starts[k]) * self.steps[k]

    def between(self, start: int, stop: int) -> list[int]:
        """[self[i] for i in range(start, stop)], a stretch at a time."""
        found: list[int] = []
        k = bisect.bisect_right(self.starts, start) - 1
        while start < stop:
            end = min(stop, self.starts[k + 1]) if k + 1 < len(self.starts) else stop
            offset = self.offsets[k] + (start - self.starts[k]) * self.steps[k]
            found += range(offset, offset + end - start) if self.steps[k] else [offset] * (end - start)
            start, k = end, k + 1
        return found


@dataclass(frozen=True)
class _Folded:
    text: str
    origin: _Origins | list[int]


@functools.cache
def _irregular(decompose: bool) -> re.Pattern:
    """What does not fold one character to one character: runs of white space and invisible
    characters, lone special spaces, invisible characters, and letters whose fold has another
    length (all non-ASCII ones when canonical decomposition is needed)."""
    invisible = _ZERO_WIDTH
    if decompose:
        letters = r"[^\x00-\x7f]"
    else:
        expanding = [chr(c) for c in range(0x80, 0x10000) if len(chr(c).casefold()) != 1]
        letters = "[" + re.escape("".join(expanding) + "".join(_SPECIAL_FOLDS)) + "]"
    return re.compile(rf"[\s{invisible}]{{2,}}|[^\S ]|[{invisible}]|{letters}")


def _fold_letter(ch: str, decompose: bool) -> str:
    folded = _SPECIAL_FOLDS.get(ch) or ch.casefold()
    if decompose:
        folded = unicodedata.normalize("NFD", folded)
    return _fold_plain(folded)


def _fold_plain(text: str) -> str:
    """Casefold, and fold quotes and dashes, character for character (so lengths stay equal
    where no character's casefold is longer: `_irregular` takes those out)."""
    text = text.casefold()
    for ch, plain in _FOLDS:
        if ch in text:  # replace() is much faster than translate() on long texts
            text = text.replace(ch, plain)
    return text


def _fold(text: str, decompose: bool = False) -> _Folded:
    """Fold quotes, dashes and case, turn each run of white space into one space and drop
    invisible characters; with `decompose`, also split accented letters (NFD), so composed and
    decomposed forms agree. Plain stretches are folded in one go, which keeps this fast."""
    parts, origin, done, length = [], _Origins(), 0, 0
    for found in _irregular(decompose).finditer(text):
        start, piece = found.start(), found.group()
        if start > done:
            origin.add(length, done, 1)
            parts.append(_fold_plain(text[done:start]))
            length += start - done
        if any(ch.isspace() for ch in piece):
            folded = " "
        elif piece[0] in _ZERO_WIDTH:
            folded = ""
        else:
            folded = _fold_letter(piece, decompose)
        if folded:
            origin.add(length, start, 0)
            parts.append(folded)
            length += len(folded)
        done = found.end()
    if done < len(text):
        origin.add(length, done, 1)
        parts.append(_fold_plain(text[done:]))
    return _Folded("".join(parts), origin)


# Sources are long and quoted many times; their folded form is kept for the next search, and so is
# whether they are in composed form (NFC), which takes a scan of the whole text to tell.
_fold_cached = functools.lru_cache(maxsize=16)(_fold)
_composed_cached = functools.lru_cache(maxsize=16)(functools.partial(unicodedata.is_normalized, "NFC"))


def _fold_quote(quote: str, decompose: bool) -> _Folded:
    """The folded quote without edge spaces (left where invisible characters stood beside white space)."""
    folded = _fold(quote, decompose)
    text = folded.text.lstrip(" ")
    start = len(folded.text) - len(text)
    text = text.rstrip(" ")
    return _Folded(text, folded.origin.between(start, start + len(text)))


def _original_span(folded: _Folded, start: int, end: int) -> tuple[int, int]:
    return folded.origin[start], folded.origin[end - 1] + 1


def _typographic_matches(source_text: str, source: _Folded, quote: str, folded_quote: _Folded) -> list[Match]:
    wanted, matches = folded_quote.text, []
    at = source.text.find(wanted) if wanted else -1
    while at != -1:
        end = at + len(wanted)
        if _whole_characters(source, at, end):
            start_offset, end_offset = _original_span(source, at, end)
            notes = _typography_notes(source_text, source, at, quote, folded_quote, 0, len(wanted))
            matches.append(_match(source_text, start_offset, end_offset, "typography", notes[:MAX_DIFFERENCES]))
        at = source.text.find(wanted, at + 1)
    return matches


def _whole_characters(folded: _Folded, start: int, end: int) -> bool:
    """Whether folded[start:end] neither begins nor ends inside what one original character
    folded to (as "s" of "ß" would), nor leaves out a combining accent that follows."""
    origin, text = folded.origin, folded.text
    if start > 0 and origin[start - 1] == origin[start]:
        return False
    return end == len(text) or (origin[end] != origin[end - 1] and not unicodedata.combining(text[end]))


def _typography_notes(
    source_text: str, source: _Folded, source_at: int, quote: str, folded_quote: _Folded, quote_at: int, length: int
) -> list[str]:
    """Describe how two stretches that fold alike, source.text[source_at:] and
    folded_quote.text[quote_at:] (`length` folded characters), differ in the originals.

    Walks both in step and compares the original pieces between points where both sides start a
    new original character (so "ß" is compared with "SS", and a run of white space with a space)."""
    notes: list[str] = []
    seen: set[tuple[str, str]] = set()  # a pasted passage tends to repeat the same few differences
    s_origin, q_origin = source.origin, folded_quote.origin
    s_stop = s_origin[source_at + length - 1] + 1
    q_stop = q_origin[quote_at + length - 1] + 1
    if source_text[s_origin[source_at] : s_stop] == quote[q_origin[quote_at] : q_stop]:
        return notes  # typed as the source has it (the common case of a typo'd quote's words)
    piece_start = 0
    for i in range(1, length + 1):
        source_goes_on = i < length and s_origin[source_at + i] == s_origin[source_at + i - 1]
        quote_goes_on = i < length and q_origin[quote_at + i] == q_origin[quote_at + i - 1]
        if source_goes_on or quote_goes_on:
            continue
        in_source = source_text[s_origin[source_at + piece_start] : s_origin[source_at + i] if i < length else s_stop]
        in_quote = quote[q_origin[quote_at + piece_start] : q_origin[quote_at + i] if i < length else q_stop]
        if in_source != in_quote and (in_source, in_quote) not in seen:
            seen.add((in_source, in_quote))
            for note in _typography_difference(in_source, in_quote):
                if note not in notes:
                    notes.append(note)
        piece_start = i
    return notes


def _typography_difference(in_source: str, in_quote: str) -> list[str]:
    """Name the kind of difference between two pieces that fold alike."""
    notes = []
    source_plain, quote_plain = _without_invisible(in_source), _without_invisible(in_quote)
    if source_plain != in_source:
        notes.append("invisible characters (soft hyphens or zero-width spaces) in the source")
    if quote_plain != in_quote:
        notes.append("invisible characters in what you pasted")
    if source_plain == quote_plain:
        return notes
    if source_plain.isspace() and quote_plain.isspace():
        return notes + _space_difference(source_plain, quote_plain)
    if all(ch in _SINGLE_QUOTES + _DOUBLE_QUOTES for ch in source_plain + quote_plain):
        source_straight = all(ch in "'\"" for ch in source_plain)
        quote_straight = all(ch in "'\"" for ch in quote_plain)
        if quote_straight and all(ch in _ANGLE_QUOTES for ch in source_plain):
            return notes + ["angle quotes (« ») where you typed straight ones"]
        if quote_straight and not source_straight:
            return notes + ["curly quotes where you typed straight ones"]
        if source_straight and not quote_straight:
            return notes + ["straight quotes where you typed curly ones"]
        return notes + ["different quotation marks"]
    if all(ch in _DASHES for ch in source_plain + quote_plain):
        if quote_plain == "-":
            return notes + ["dashes where you typed hyphens"]
        if source_plain == "-":
            return notes + ["hyphens where you typed dashes"]
        return notes + ["different dashes"]
    if source_plain == "…" or quote_plain == "…":
        if source_plain == "…":
            return notes + ["an ellipsis character (…) where you typed three dots"]
        return notes + ["three dots where you typed an ellipsis character (…)"]
    if unicodedata.normalize("NFC", source_plain) == unicodedata.normalize("NFC", quote_plain):
        return notes + ["accented letters encoded differently"]
    return notes + ["letter case"]


_INVISIBLE_TABLE = dict.fromkeys(map(ord, _ZERO_WIDTH))


def _without_invisible(text: str) -> str:
    return text.translate(_INVISIBLE_TABLE)


def _space_difference(in_source: str, in_quote: str) -> list[str]:
    notes = []
    source_breaks = any(ch in _LINE_BREAKS for ch in in_source)
    quote_breaks = any(ch in _LINE_BREAKS for ch in in_quote)
    if source_breaks != quote_breaks:
        notes.append("line breaks where you typed spaces" if source_breaks else "spaces where you typed line breaks")
    source_special = any(not ch.isascii() for ch in in_source)
    quote_special = any(not ch.isascii() for ch in in_quote)
    if source_special != quote_special:
        notes.append(
            "non-breaking or other special spaces where you typed ordinary ones"
            if source_special
            else "ordinary spaces where you typed non-breaking or special ones"
        )
    return notes or ["a different number of spaces"]


# A few typos: approximate search on the folded texts.
#
# The search runs in edlib (Myers' bit-parallel algorithm in C++), which compares bytes: the folded
# source is kept as one byte per character beside its folded form. A source with more than 255
# different characters (Chinese or Japanese, say) cannot be written so; it is searched by
# `_edit_scores`, the same algorithm in Python, with the same results, only slower.


def _fuzzy_spans(source: _Folded, folded_quote: _Folded, max_error_rate: float) -> list[tuple[int, int, int]]:
    """The stretches of the folded source closest to the folded quote, if within the error rate:
    (start, end, edits) each, in folded characters, not overlapping."""
    length = len(folded_quote.text)
    max_errors = int(max_error_rate * length + 1e-9)
    if length < FUZZY_MIN_LENGTH or length > FUZZY_MAX_LENGTH or max_errors < 1:
        return []
    symbols = _symbols_cached(source.text)
    if symbols:
        coded = _Coded(symbols.text, symbols.encode(folded_quote.text))
    else:
        coded = _Coded(source.text, folded_quote.text)
    # A quote with few typos is found quickly with a tight limit (its pieces are long and rare);
    # the closest stretches found within any limit are the closest within the largest.
    limits = [n for n in (3, 10, 30, 100, 300) if n < max_errors] + [max_errors]
    for limit in limits:
        if symbols and limit > _LARGEST_FILTERED_LIMIT:
            regions = [(0, len(source.text))]
        else:
            regions = _candidate_regions(folded_quote.text, source.text, limit)
        if regions == [(0, len(source.text))]:
            limit = max_errors  # scanning everything anyway: look as far as allowed, once
        spans = _closest_spans(coded, source, regions, limit)
        if spans or limit == max_errors:
            break
    return spans


def _fuzzy_match(source_text: str, source: _Folded, span: tuple[int, int, int], length: int) -> Match:
    """The match for a span of the folded source, its differences not yet named (see `find`)."""
    start, end, edits = span
    return _match(source_text, *_original_span(source, start, end), "fuzzy", error_rate=edits / length)


@dataclass(frozen=True)
class _Coded:
    """The folded source and quote as the search compares them: bytes for edlib, or the folded
    strings themselves where the source has too many different characters for bytes."""

    text: bytes | str
    pattern: bytes | str


@dataclass(frozen=True)
class _Symbols:
    """A folded source as one byte per character.

    Each of its different characters (255 at most) has a code; every character of a quote that
    the source lacks gets the one spare code, which matches nothing in the source. Two of them
    sharing it changes nothing: a quote's characters are only ever compared with the source's."""

    text: bytes
    codes: dict[int, str]  # ord(character) -> its code, as str.translate takes it
    spare: str

    def encode(self, quote: str) -> bytes:
        table = {ord(ch): self.codes.get(ord(ch), self.spare) for ch in set(quote)}
        return quote.translate(table).encode("latin-1")


# Characters that no folded text has (folding turns white space into spaces and drops soft
# hyphens): the codes of the few characters beyond Latin-1 in a mostly Latin-1 source (ł, €, •).
_FOLDED_AWAY = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\xad"
_BEYOND_LATIN_1 = re.compile(r"[^\x00-\xff]")


def _symbols(text: str) -> _Symbols | None:
    """The folded source `text` as bytes, or None where it has more than 255 different characters."""
    beyond: set[str] = set()
    for found in _BEYOND_LATIN_1.finditer(text):
        beyond.add(found.group())
        if len(beyond) == len(_FOLDED_AWAY):
            break
    if len(beyond) < len(_FOLDED_AWAY):  # (almost) all Latin-1, as English is: most characters are their own code
        codes = dict(zip(sorted(beyond), _FOLDED_AWAY))
        if codes:
            text = _BEYOND_LATIN_1.sub(lambda found: codes[found.group()], text)
        table = {code: chr(code) for code in range(256)} | {ord(ch): code for ch, code in codes.items()}
        return _Symbols(text.encode("latin-1"), table, _FOLDED_AWAY[len(codes)])
    alphabet = sorted({ord(ch) for ch in set(text)})
    if len(alphabet) > 255:
        return None
    codes = {code: chr(i) for i, code in enumerate(alphabet)}
    return _Symbols(text.translate(codes).encode("latin-1"), codes, chr(len(alphabet)))


# Encoding a long source costs about as much as folding it, and like the folded form it is
# needed again by every later search in the same source.
_symbols_cached = functools.lru_cache(maxsize=16)(_symbols)


def _closest_spans(
    coded: _Coded, source: _Folded, regions: list[tuple[int, int]], limit: int
) -> list[tuple[int, int, int]]:
    """The stretches within `regions` of the folded source with the fewest edits from the quote,
    if at most `limit`: (start, end, edits) each, not overlapping."""
    length = len(coded.pattern)
    fewest, ends = limit, []  # the ends of the closest stretches found so far
    for low, high in regions:
        found = _best_ends(coded.pattern, coded.text[low:high], limit=fewest)
        if found:
            edits, at = found
            if edits < fewest or not ends:
                fewest, ends = edits, []
            ends += [low + i + 1 for i in at]
    spans: list[tuple[int, int, int]] = []
    for end in ends:
        span = _fuzzy_span(coded, source, end, limit)
        if span[2] > limit:
            continue
        if spans and span[0] < spans[-1][1]:  # the same occurrence, seen from another end
            if (span[2], abs(span[1] - span[0] - length)) < (spans[-1][2], abs(spans[-1][1] - spans[-1][0] - length)):
                spans[-1] = span
        else:
            spans.append(span)
        if len(spans) >= _MAX_FUZZY_CANDIDATES:
            break
    fewest = min((errors for _, _, errors in spans), default=0)
    return [span for span in spans if span[2] == fewest]


def _candidate_regions(wanted: str, text: str, max_errors: int) -> list[tuple[int, int]]:
    """Stretches of `text` that can hold a match with at most `max_errors` edits.

    Cut the quote into max_errors + 1 pieces: each edit spoils at most one piece, so a match
    contains at least one piece unchanged, and exact search for the pieces is fast."""
    length, pieces = len(wanted), max_errors + 1
    regions = []
    for i in range(pieces):
        offset = length * i // pieces
        piece = wanted[offset : length * (i + 1) // pieces]
        at = text.find(piece)
        while at != -1:
            regions.append((max(0, at - offset - max_errors), min(len(text), at - offset + length + max_errors)))
            if len(regions) > len(text) // 16:  # common pieces: scanning everything is quicker
                return [(0, len(text))]
            at = text.find(piece, at + 1)
    merged: list[tuple[int, int]] = []
    for low, high in sorted(regions):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    if sum(high - low for low, high in merged) > len(text) // 2:
        return [(0, len(text))]
    return merged


def _fuzzy_span(coded: _Coded, source: _Folded, end: int, max_errors: int) -> tuple[int, int, int]:
    """The stretch ending at `end` closest to the quote: (start, end, edits), trimmed of edge
    spaces and widened to whole original characters."""
    text, length = source.text, len(coded.pattern)
    window_start = max(0, end - length - max_errors)
    # The stretches text[end - t : end] with the fewest edits, found as prefixes of the text read
    # backwards; a stretch ending at `end` within `max_errors` edits is why we are here.
    reversed_window = coded.text[window_start:end][::-1]
    fewest, backwards = _best_ends(coded.pattern[::-1], reversed_window, anchored=True, limit=max_errors)
    taken = min((at + 1 for at in backwards), key=lambda t: (text[end - t] == " ", abs(t - length), -t))
    start = end - taken
    found = (start, end)
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    while start > 0 and source.origin[start - 1] == source.origin[start]:
        start -= 1
    while end < len(text) and (source.origin[end] == source.origin[end - 1] or unicodedata.combining(text[end])):
        end += 1
    if (start, end) == found:
        return start, end, fewest
    return start, end, _distance(coded.pattern, coded.text[start:end], max_errors)


def _best_ends(
    pattern: bytes | str, text: bytes | str, *, anchored: bool = False, limit: int | None = None
) -> tuple[int, list[int]] | None:
    """(edits, ends): the fewest edits between `pattern` and a stretch of `text` (any stretch, or
    with `anchored` one starting at 0), and every i where such a stretch ends (inclusive); None
    if that is more than `limit`. Bytes go to edlib, strings to `_edit_scores`."""
    if isinstance(text, bytes):
        mode = "SHW" if anchored else "HW"  # SHW: the stretch starts at 0; HW: anywhere
        found = edlib.align(pattern, text, mode=mode, task="distance", k=-1 if limit is None else limit)
        if found["editDistance"] < 0:
            return None
        # edlib also reports the empty stretch before the text (-1), which `_edit_scores` does not.
        return found["editDistance"], [end for _, end in found["locations"] if end >= 0]
    scores = _edit_scores(pattern, text, anchored=anchored, limit=limit)
    if not scores:
        return None
    fewest = min(edits for _, edits in scores)
    return fewest, [i for i, edits in scores if edits == fewest]


def _distance(pattern: bytes | str, text: bytes | str, limit: int) -> int:
    """The edit distance between `pattern` and the whole of `text`; limit + 1 if it is more than `limit`."""
    if isinstance(text, bytes):
        edits = edlib.align(pattern, text, mode="NW", task="distance", k=limit)["editDistance"]
        return limit + 1 if edits < 0 else edits
    return min(limit + 1, _edit_scores(pattern, text, anchored=True)[-1][1])


def _edit_scores(pattern: str, text: str, *, anchored: bool = False, limit: int | None = None) -> list[tuple[int, int]]:
    """(i, edits) for each i where the edit distance between `pattern` and a stretch of `text`
    ending at i (inclusive) is at most `limit`: any stretch, or with `anchored` the one starting
    at 0.

    Myers' bit-parallel algorithm (J. ACM 1999, as Hyyrö formulates it): each bit of the
    integers is one row of the dynamic-programming table, so a column costs a few integer
    operations instead of len(pattern) steps."""
    length = len(pattern)
    mask, top = (1 << length) - 1, 1 << (length - 1)
    equal: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        equal[ch] = equal.get(ch, 0) | 1 << i
    carry = 1 if anchored else 0  # anchored: each character of text before the stretch costs an edit
    limit = length + len(text) if limit is None else limit
    plus, minus, score = mask, 0, length
    scores = []
    for i, ch in enumerate(text):
        eq = equal.get(ch, 0)
        vertical = eq | minus
        horizontal = (((eq & plus) + plus) ^ plus) | eq
        h_plus = minus | ((horizontal | plus) ^ mask)
        h_minus = plus & horizontal
        if h_plus & top:
            score += 1
        elif h_minus & top:
            score -= 1
        if score <= limit:
            scores.append((i, score))
        h_plus = ((h_plus << 1) | carry) & mask
        plus = ((h_minus << 1) & mask) | ((vertical | h_plus) ^ mask)
        minus = h_plus & vertical
    return scores


def _fuzzy_notes(
    source_text: str, source: _Folded, start: int, end: int, quote: str, folded_quote: _Folded
) -> list[str]:
    """Word by word, what the quote has that the source does not, then typographic differences."""
    wanted = folded_quote.text
    quote_words = [(w.start(), w.end()) for w in re.finditer(r"[^ ]+", wanted)]
    source_words = [(start + w.start(), start + w.end()) for w in re.finditer(r"[^ ]+", source.text[start:end])]
    matcher = difflib.SequenceMatcher(
        None, [wanted[a:b] for a, b in quote_words], [source.text[a:b] for a, b in source_words], autojunk=False
    )
    notes, typographic = [], []
    for tag, q1, q2, s1, s2 in matcher.get_opcodes():
        if tag == "equal":
            q_at, s_at = quote_words[q1][0], source_words[s1][0]
            for note in _typography_notes(
                source_text, source, s_at, quote, folded_quote, q_at, quote_words[q2 - 1][1] - q_at
            ):
                if note not in typographic:
                    typographic.append(note)
            continue
        typed = _shown(quote, folded_quote, quote_words[q1:q2])
        says = _shown(source_text, source, source_words[s1:s2])
        if tag == "replace":
            notes.append(f"you typed “{typed}” where the source says “{says}”")
        elif tag == "delete":
            notes.append(f"you typed “{typed}”, which the source does not have")
        else:
            notes.append(f"the source has “{says}”, which you left out")
    notes += typographic
    if len(notes) > MAX_DIFFERENCES:
        notes = notes[: MAX_DIFFERENCES - 1] + [f"and {len(notes) - MAX_DIFFERENCES + 1} more differences"]
    return notes


def _shown(original: str, folded: _Folded, words: list[tuple[int, int]]) -> str:
    if not words:
        return ""
    start, end = folded.origin[words[0][0]], folded.origin[words[-1][1] - 1] + 1
    return _excerpt(_collapsed(original[start:end]), 40)
