"""Importing a map from a file into a new map: Argmap JSON (docs/json-format.md) or a Kialo
discussion export (`kialo.py` turns it into an Argmap JSON document first).

`import_map(data, format=..., user=...)` is all or nothing: it checks the whole file first and, if
anything is wrong, raises MapImportError listing every problem, each naming its item, with nothing
saved; otherwise it creates the map in one transaction and returns an ImportResult.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError

from argmap.imports import argmap_json, kialo
from argmap.imports.outcome import ImportResult, MapImportError  # noqa: F401  (what callers catch and get)

FORMATS = {
    "json": "Argmap JSON (a map exported from Argmap)",
    "kialo": "Kialo discussion (plain-text export)",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PLACEHOLDERS = 50  # a class or two of people the uploader does not work with


def max_bytes() -> int:
    return getattr(settings, "ARGMAP_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def too_big(size: int) -> str | None:
    """The problem with a file of `size` bytes, if it is over the limit."""
    limit = max_bytes()
    if size > limit:
        return f"The file has {size:,} bytes; the limit is {limit:,} bytes ({limit / 1024 / 1024:.0f} MB)."
    return None


def max_placeholders() -> int:
    """Placeholder accounts one upload may make (the command line has no cap): a fresh account
    must not be able to fill the user table with names of its choosing."""
    return getattr(settings, "ARGMAP_IMPORT_MAX_PLACEHOLDERS", DEFAULT_MAX_PLACEHOLDERS)


def import_map(data: bytes, *, format: str, user, credit=None, max_placeholders=None) -> "ImportResult":
    """Create a new private map owned by `user` from the file's bytes, or raise MapImportError.

    `credit` narrows whose existing accounts the file's names may be matched to (the upload page
    passes argmap.permissions.creditable_usernames for the uploader); others become placeholders,
    at most `max_placeholders` of them (None: no cap), else the whole file is refused."""
    if format not in FORMATS:
        raise MapImportError(f"Unknown import format {format!r}: choose one of {', '.join(FORMATS)}.")
    if problem := too_big(len(data)):
        raise MapImportError(problem)
    text = _decoded(data)
    if format == "kialo":
        document = _from_kialo(text)
    else:
        document = _parsed(text)
    return argmap_json.import_document(document, user=user, credit=credit, max_placeholders=max_placeholders)


def _decoded(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")  # a byte order mark some editors write is no problem
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise MapImportError(
            f"The file is not UTF-8 text: the bytes at position {error.start:,} (line {line:,}) are not valid UTF-8."
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise MapImportError(f"The file contains a NUL character (line {line:,}): it is not a text file.")
    if not text.strip():
        raise MapImportError("The file is empty.")
    return text


def _parsed(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MapImportError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno:,}, column {error.colno:,}."
        ) from None
    except (RecursionError, ValueError) as error:  # nesting too deep, a number too long
        raise MapImportError(f"The file is not valid JSON: {error}.") from None


def _from_kialo(text: str) -> dict:
    try:
        return kialo.to_argmap_json(text)
    except MapImportError:
        raise
    except ValidationError as error:
        raise MapImportError(error.messages) from None
    except ValueError as error:
        raise MapImportError(f"The Kialo file cannot be read: {error}") from None
