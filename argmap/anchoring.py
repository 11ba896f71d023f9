"""Anchoring quotes in source texts.

Offsets are Unicode code points (Python string indices), end exclusive, as the W3C Web Annotation
TextPositionSelector defines them. Browsers count UTF-16 code units: the reader's JavaScript
converts before anything reaches the server.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

CONTEXT_LENGTH = 32  # characters of prefix and suffix kept beside each quote (TextQuoteSelector)


class QuoteMismatch(ValidationError):
    """The quoted text is not what the source says at the given place."""


class QuoteNotFound(ValidationError):
    pass


class QuoteAmbiguous(ValidationError):
    def __init__(self, message: str, starts: list[int]):
        super().__init__(message)
        self.starts = starts


@dataclass(frozen=True)
class Position:
    start: int
    end: int


def check_storable_text(text: str) -> None:
    """Refuse text that cannot be stored and quoted reliably."""
    if "\x00" in text:
        raise ValidationError("The text contains a NUL character, which cannot be stored.")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
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
        )
    return Position(starts[0], starts[0] + len(exact))
