"""CSV for spreadsheets and grading: one row per piece of evidence, that is per live quote of a
node the exporter sees, at each place of that node in the outline.

Columns: thesis (its text), path (the outline number as in the Markdown export, 1.2.3), relation
(how the node bears on the node above it there: supports or opposes; empty for a thesis), claim
(its text), quote (the exact passage), source (its title), author (the source's author), status
(approved or pending, as the exporter sees it), created (when the quote was added, ISO 8601 in
UTC), added by (who wrote the claim: a username, or a pseudonym where names are hidden).

A claim that stands in several places (under two parents, or under two theses) gets one row per
place and quote, each with its own path; so rows can repeat a quote with different paths. On a
map with very many paths to its nodes, places are listed up to a limit (markdown.places), past
which a node's evidence is listed at its first place only.

The file is UTF-8 with a byte order mark, so spreadsheet programs read non-Latin text right,
with every field quoted as needed by the csv module. Formula injection: a cell that begins with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows
it as text instead of running it as a formula (argmap.spreadsheet).
"""

import csv
import io
from datetime import UTC

from argmap.exports.markdown import places
from argmap.spreadsheet import safe_cell

HEADER = ["thesis", "path", "relation", "claim", "quote", "source", "author", "status", "created", "added by"]
RELATION_WORDS = {"support": "supports", "oppose": "opposes"}


def rows(export):
    """The CSV's rows after the header, as lists of strings (before formula protection)."""
    for place in places(export, every_place=True):
        quotes = export.quotes_of(place.node_id)
        if not quotes:
            continue
        node = export.node_by_id[place.node_id]
        thesis = export.node_by_id[place.thesis_id]
        for quote in quotes:
            source = export.source_by_id[quote.source_id]
            yield [
                thesis.text,
                place.label,
                RELATION_WORDS.get(place.stance, ""),
                node.text,
                quote.exact,
                source.display_title,
                source.author,
                node.status,
                quote.created_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                export.name(node.author) or "",
            ]


def render(export) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([safe_cell(value) for value in row] for row in rows(export))
    return buffer.getvalue()
