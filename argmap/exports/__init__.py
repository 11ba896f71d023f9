"""Exports of a map in each format the product offers, and the registry the views and the
`export_map` command use. Every format reads a `MapExport` (loading.py), built with a fixed
number of queries, and returns text or bytes."""

from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    module: str  # argmap.exports.<module> has render(export) -> str | bytes
    media_type: str
    extension: str
    interchange: bool = False  # read by other argument tools (validated by their reference tool in tests)
    full_backup: bool = False  # carries everything, deleted and pending things included

    def render(self, export) -> str | bytes:
        return import_module(f"argmap.exports.{self.module}").render(export)


FORMATS = {
    f.name: f
    for f in (
        Format("json", "Argmap JSON (backup, re-importable)", "argmap_json", "application/json", "json",
               interchange=True, full_backup=True),
        Format("argdown", "Argdown", "argdown", "text/plain; charset=utf-8", "argdown", interchange=True),
        Format("aif", "AIF (AIFdb JSON)", "aif", "application/json", "aif.json", interchange=True),
        Format("sadface", "SADFace", "sadface", "application/json", "sadface.json", interchange=True),
        Format("w3c", "W3C Web Annotations", "w3c", "application/ld+json", "jsonld", interchange=True),
        Format("handout", "Printable handout", "handout", "text/html; charset=utf-8", "html"),
        Format("svg", "Picture (SVG)", "svg", "image/svg+xml", "svg"),
        Format("md", "Markdown outline", "markdown", "text/markdown; charset=utf-8", "md"),
        Format("csv", "CSV, one row per evidence", "csv_format", "text/csv; charset=utf-8", "csv"),
    )
}
