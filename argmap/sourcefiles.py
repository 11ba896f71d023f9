"""Turning what an owner gives us (pasted text, an uploaded .txt, .md or .html file) into a source text.

The text is kept exactly as given: uploaded .txt and .md files byte for byte once decoded (a UTF-8
byte order mark is an encoding marker, not text, and is dropped), HTML as trafilatura extracts its
main text. Only pasted text is changed, see `pasted_text`. Every refusal is a `SourceFileError`
whose message tells the owner what to do.
"""

import datetime
from dataclasses import dataclass
from pathlib import PurePath

import lxml.etree
import lxml.html
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from argmap import anchoring

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = MAX_UPLOAD_BYTES  # any file within the size limit has at most this many characters
TEXT_EXTENSIONS = {".txt", ".md"}
HTML_EXTENSIONS = {".html", ".htm"}

# Openings of files people upload by mistake; a NUL byte catches most of the rest.
BINARY_SIGNATURES = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a Word document or another zipped file",
    b"\xd0\xcf\x11\xe0": "an old Word or Excel document",
    b"{\\rtf": "an RTF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class SourceFileError(ValueError):
    """What was given cannot become a source text; the message says why and what to do."""


@dataclass(frozen=True)
class Extracted:
    """A source text with the metadata found in the file (empty where none was found)."""

    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    url: str = ""


def pasted_text(text: str) -> str:
    """The text a person pasted, without the browser's line-break artefact.

    Browsers submit every line break of a textarea as CRLF, whatever the pasted text had, so CRLF
    is turned back into LF; nothing else changes (no trimming: the text stays verbatim).
    """
    return text.replace("\r\n", "\n")


def check_text(text: str) -> None:
    """Refuse an empty, oversized or unstorable text."""
    if not text.strip():
        raise SourceFileError("The text is empty.")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceFileError(
            f"The text has {len(text):,} characters; a source can have at most {MAX_TEXT_CHARS:,}."
        )
    try:
        anchoring.check_storable_text(text)
    except ValidationError as error:
        raise SourceFileError(" ".join(error.messages)) from error


def read_upload(name: str, data: bytes) -> Extracted:
    """The source text in an uploaded file called `name` with contents `data`."""
    extension = PurePath(name).suffix.lower()
    if extension not in TEXT_EXTENSIONS | HTML_EXTENSIONS:
        raise SourceFileError(
            f"“{name}” is not a file we can read: upload a .txt, .md or .html file, or paste the text."
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise SourceFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB."
        )
    if not data.strip():
        raise SourceFileError("The file is empty.")
    refuse_binary(data)
    if extension in HTML_EXTENSIONS:
        extracted = extract_html(decode_html(data))
    else:
        extracted = Extracted(text=decode_utf8(data))
    check_text(extracted.text)
    return extracted


def refuse_binary(data: bytes) -> None:
    if data.startswith(UTF16_MARKS):
        raise SourceFileError("The file is UTF-16 text; save it as UTF-8 (“Unicode (UTF-8)”) and upload it again.")
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise SourceFileError(f"This is {kind}, not a text file: save it as plain text (.txt) or a web page (.html).")
    if b"\x00" in data[:65536]:
        raise SourceFileError("This is a binary file, not text: save it as plain text (.txt) or a web page (.html).")


def decode_utf8(data: bytes) -> str:
    """UTF-8 text, with or without a byte order mark (which is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceFileError(
            f"The file is not UTF-8 text (byte {error.start + 1} is not valid UTF-8). Text files must be "
            "encoded in UTF-8, with or without a byte order mark: save it as UTF-8 and upload it again."
        ) from error


def decode_html(data: bytes) -> str:
    """An HTML page's text: UTF-8, or the encoding its own <meta charset> declares."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            raise SourceFileError(
                f"The page says it is encoded in {declared}, but it is not. Save it as UTF-8 and upload it again."
            ) from None
    raise SourceFileError(
        "The page is not UTF-8 and does not declare its encoding in a <meta charset> tag: "
        "save it as UTF-8 and upload it again."
    )


def declared_charset(data: bytes) -> str | None:
    """The encoding named by the page's <meta charset> (or http-equiv) tag, as lxml reads it."""
    try:
        tree = lxml.html.document_fromstring(data[:65536])
    except (lxml.etree.LxmlError, ValueError):  # nothing parsable: then it declares nothing either
        return None
    for meta in tree.iter("meta"):
        charset = meta.get("charset")
        if charset:
            return charset.strip()
        if (meta.get("http-equiv") or "").lower() == "content-type":
            _, _, value = (meta.get("content") or "").lower().partition("charset=")
            if value.strip(" ;\"'"):
                return value.strip(" ;\"'")
    return None


def extract_html(html: str) -> Extracted:
    """The main text of a web page, without menus, footers and the like, and its metadata.

    trafilatura only parses the string it is given: it fetches nothing.
    """
    import trafilatura  # here, not at the top: it takes almost half a second to import


    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True)
    text = (document.text or "") if document else ""
    if not text.strip():
        raise SourceFileError(
            "We found no article text in this page (it may be only menus, or built by JavaScript): "
            "paste the text instead."
        )
    return Extracted(
        text=text,
        title=_field(document.title, 300),
        author=_field(document.author, 200),
        publisher=_field(document.sitename, 200),
        published_on=_date(document.date),
        url=_url(document.url),
    )


def _field(value: str | None, length: int) -> str:
    return (value or "").strip()[:length]


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _url(value: str | None) -> str:
    if not value or len(value) > 500:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return ""
    return value
