"""Argdown (https://argdown.org): theses and claims as statements, supports and opposes as
support and attack relations, the evidence's quotes and sources as statement metadata.

Each thesis is a top-level statement with its tree indented below it (`<+` supports, `<-`
attacks the statement above). A node is defined once, where it is first met; its other places
are references to its title, so one statement carries all of its relations. Titles come from
kind and id ("Thesis 12", "Claim 345"): stable across exports and unique in the map. After the
trees, each statement's metadata (kind, author, status if not approved, evidence) stands on a
reference to it; the map's title and question are the front matter's title and subTitle.

Text reaches Argdown's parser unchanged apart from line breaks, which become spaces: characters
Argdown would read as markup are escaped with a backslash (see `statement_text`). Metadata and the
front matter are YAML flow mappings written as JSON, with the characters that would end Argdown's
data or front-matter block early written as \\u escapes.
"""

import json
import re

from argmap.models import NodeKind, NodeStatus

STANCE_ARROWS = {"support": "<+", "oppose": "<-"}

# What Argdown's lexer (as of @argdown/cli 1.7) could read as markup inside a statement's text,
# each alternative escaped with a backslash (`\\x` reads as x, followed by any spaces):
_MARKUP = re.compile(
    r"[\\\[\]<>{}#@*_/\t]"  # titles, links, tags, mentions, emphasis, data, comments, escapes, tabs
    r"|[,;\-()](?=  )"  # markup takes one space after it: the rest would be skipped
    r"|\.(?=  |\S*?\.)|:(?=  |\S*?:)"  # the same, and `.name.` / `:name:` shortcodes
    r"|={3,}"  # front matter
    r"|^ "  # a space after the title is skipped
)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def statement_text(text: str) -> str:
    """Node text written so Argdown's parsed statement text is `text` with line breaks as spaces.

    Escaping is kept to where it is needed (see _MARKUP), so the file stays readable:
    `[ ] < > { } # @ * _ / \\` and tabs always; `,` `.` `:` `;` `-` `(` `)` before two spaces;
    `.` or `:` when another of the same follows before the next space; runs of three `=` or more;
    a leading space.
    """
    return _MARKUP.sub(_escaped, LINE_BREAK.sub(" ", text))


def _escaped(match: re.Match) -> str:
    return "".join("\\" + char for char in match.group())


# Characters a YAML flow value must not hold raw inside Argdown: braces would end the data block,
# `=` could close the front matter, the rest are line ends to Argdown or non-printable to YAML.
_YAML_UNSAFE = re.compile("[{}=\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def yaml_value(value) -> str:
    """A YAML flow value (JSON syntax) that Argdown's data and front-matter blocks keep whole."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_value(str(k))}: {yaml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    encoded = json.dumps(str(value), ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def title_of(node) -> str:
    return f"{'Thesis' if node.kind == NodeKind.THESIS else 'Claim'} {node.pk}"


def render(export) -> str:
    map_ = export.map
    lines = ["===", f"title: {yaml_value(map_.title)}"]
    if map_.question:
        lines.append(f"subTitle: {yaml_value(LINE_BREAK.sub(' ', map_.question))}")
    lines.append(f"argmap: {yaml_value(_map_data(export))}")
    lines.append("===")

    defined: list[int] = []
    seen: set[int] = set()
    for thesis in export.theses:
        if thesis.pk in seen:
            continue
        lines.append("")
        # Depth-first, iteratively: a big map can be deeper than Python's recursion limit.
        stack = [(thesis.pk, 0, None)]
        while stack:
            node_id, depth, stance = stack.pop()
            node = export.node_by_id[node_id]
            indent = "  " * depth + (STANCE_ARROWS[stance] + " " if stance else "")
            text = statement_text(node.text)
            if node_id in seen or not text:
                lines.append(f"{indent}[{title_of(node)}]")
            else:
                lines.append(f"{indent}[{title_of(node)}]: {text}")
            if node_id in seen:
                continue
            seen.add(node_id)
            defined.append(node_id)
            children = export.children_of(node_id)
            stack.extend((edge.child, depth + 1, edge.stance) for edge in reversed(children))

    # Metadata on a statement with relations below it would add a space to its text in Argdown's
    # parser, so each statement's metadata comes here, on a reference to it, in outline order.
    lines += ["", "// Who wrote each statement, and the quoted evidence with its source."]
    for node_id in defined:
        node = export.node_by_id[node_id]
        lines += ["", f"[{title_of(node)}] {yaml_value(_statement_data(export, node))}"]
    return "\n".join(lines) + "\n"


def _statement_data(export, node) -> dict:
    data = {"kind": node.kind, "author": export.name(node.author)}
    if node.status != NodeStatus.APPROVED:
        data["status"] = node.status
    quotes = export.quotes_of(node.pk)
    if quotes:
        data["evidence"] = [_quote_data(export, quote) for quote in quotes]
    return data


def _quote_data(export, quote) -> dict:
    source = export.source_by_id[quote.source_id]
    data = {"quote": quote.exact, "source": source.display_title, "start": quote.start, "end": quote.end}
    if source.author:
        data["author"] = source.author
    if source.published_on:
        data["published"] = source.published_on.isoformat()
    if source.url:
        data["url"] = source.url
    return data


def _map_data(export) -> dict:
    map_ = export.map
    data = {"code": map_.code}
    if map_.question:
        data["question"] = map_.question
    data["sources"] = [
        {key: value for key, value in (
            ("title", source.display_title), ("author", source.author), ("publisher", source.publisher),
            ("published", source.published_on.isoformat() if source.published_on else ""), ("url", source.url),
        ) if value}
        for source in export.sources
    ]
    return data
