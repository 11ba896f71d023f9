"""Kialo's plain-text discussion export, turned into an Argmap JSON document (schema version 1).

What the export looks like:

    Discussion Title: Should Belarus leave the Union State?

    1. Belarus should leave the Union State.
    1.1. Pro: The treaty binds the budget to Moscow's needs [1].
    Sources:
    [1] https://example.org/treaty
    1.1.1. Con: -> See 1.2.
    1.2. Con: A claim may go on
    over several lines.

- The header names the discussion (`Discussion Title:`, in some files `Discussion Name:`); it becomes
  the map's title. Without it the first thesis names the map, as Kialo itself does.
- `1.` is the thesis. A multi-thesis discussion is written either as several top-level numbers
  (`1.`, `2.`, …) or as one top-level question `1.` whose children `1.1.`, `1.2.` carry no stance: they
  are the theses and the question becomes the map's question.
- Every other line starts with its number and `Pro:` or `Con:`; its parent is the number without its last
  part. Pro becomes a supporting relation, Con an opposing one.
- `-> See 1.4.` as a claim's whole text is Kialo's link: the claim numbered 1.4 is also placed here. It
  is not a new node but a second relation from node 1.4 to this line's parent, with this line's stance.
- Lines without a number continue the claim above (Kialo claims may hold line breaks).
- `[n]` in a claim is a footnote; its citation stands in a `Sources:` list, either under the claim or
  in one list at the end of the file (both are read: a claim's own list first, then the last list).
  `[text](url)` is a Markdown link, spelled out as "text (url)"; `\\[` and `\\]` are literal brackets.

Footnotes. Kialo's sources are citations and addresses, not article texts, so they cannot become Argmap
sources (those hold a full text that quotes point into). The `[n]` marker stays in the claim's text and
the cited lines are appended to the same text under a "Sources:" line. Not as comments, because a
node's text is what every view, every export and the handout show, and what exercise copies
(`copy_map`) carry, while comments sit behind a click, are left out of copies and can be hidden by a
moderator: the citation would drift away from the claim it backs.

Problems. Everything wrong is collected with its line number (malformed numbering, unknown stance
words, a parent or link target that does not exist, links that would make a cycle, empty text, no
thesis, footnotes without a citation, text too long for a node) and raised together as one
`MapImportError` of argmap.imports, so a teacher fixes the file in one go. Decoding the file's bytes
(UTF-8, a byte order mark accepted) is `import_map`'s job; any line ending (LF, CRLF, CR) is read here.
"""

import re
from dataclasses import dataclass, field

from argmap.imports.outcome import MapImportError

TITLE_MAX_LENGTH = 200  # map.title in docs/json-format.md
NODE_TEXT_MAX_LENGTH = 2000  # a node's text in docs/json-format.md
KEY_MAX_LENGTH = 100  # keys in docs/json-format.md

# "1.2.3. Pro: text": a number of dot-terminated parts, then the rest of the line.
NUMBERED = re.compile(r"(?P<number>\d+(?:\.\d+)*)\.(?:[ \t]+(?P<rest>.*))?$")
STANCE = re.compile(r"(?P<word>pro|con)[ \t]*:[ \t]*(?P<text>.*)$", re.IGNORECASE)
# A single word and a colon where Pro:/Con: belongs ("Neutral: …", "Contra: …").
STANCE_LIKE = re.compile(r"(?P<word>[^\W\d_][\w-]{0,19})[ \t]*:(?:[ \t]|$)")
# Something that wants to be a numbered Pro/Con line but whose number is broken ("1.2 Pro:", "1..2. Con:").
BROKEN_NUMBER = re.compile(r"[\d.,;:]*\d[\d.,;: \t]*(?:pro|con)[ \t]*:", re.IGNORECASE)
HEADER = re.compile(r"discussion (?:title|name)[ \t]*:[ \t]*(?P<title>.*)$", re.IGNORECASE)
SOURCES_HEADING = re.compile(r"sources[ \t]*:?$", re.IGNORECASE)
SOURCE_ENTRY = re.compile(r"\[(?P<n>\d+)\][ \t]*[:.]?[ \t]*(?P<text>.*)$")
LINK = re.compile(r"->[ \t]*see[ \t]+(?P<number>\d+(?:\.\d+)*)\.?$", re.IGNORECASE)
# "[label](url)", the url perhaps with one level of parentheses (as Wikipedia's addresses have).
MARKDOWN_LINK = re.compile(r"(?<!\\)\[(?P<label>[^\[\]]*)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))+)\)")
FOOTNOTE = re.compile(r"(?<!\\)\[(?P<n>\d+)\]")
ESCAPED = re.compile(r"\\([\[\]()])")

STANCES = {"pro": "support", "con": "oppose"}


@dataclass
class Entry:
    """One numbered line of the export with the lines that continue it."""

    number: str  # "1.2.3" (without the final dot)
    line: int
    stance_word: str | None  # "pro"/"con" as written, lower-cased; None for theses and questions
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    sources: dict[str, tuple[int, str]] | None = None  # its own "Sources:" list, [n] -> (line, text)
    sources_line: int = 0
    role: str = "claim"  # claim, thesis, question, link
    link_to: str | None = None

    @property
    def parent_number(self) -> str | None:
        return self.number.rpartition(".")[0] or None

    @property
    def depth(self) -> int:
        return self.number.count(".") + 1

    def text(self) -> str:
        return "\n".join(text for _, text in self.lines).strip("\n")


class Problems:
    def __init__(self):
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise MapImportError([f"line {line}: {message}" if line else message
                                  for line, message in sorted(self.items, key=lambda item: item[0])])


def to_argmap_json(text: str) -> dict:
    """The Argmap JSON document (schema version 1) for a Kialo text export; raises MapImportError
    listing every problem found, each with its line number."""
    text = text.removeprefix("\ufeff")
    problems = Problems()
    # Split on the three line ends only: str.splitlines() also breaks at form feeds and U+2028,
    # which would put line numbers out of step with the teacher's editor.
    lines = [line.rstrip() for line in re.split(r"\r\n|\r|\n", text)]
    _check_characters(lines, problems)
    title, entries = _read_lines(lines, problems)
    by_number = _index(entries, problems)
    _assign_roles(entries, by_number, problems)
    texts = _node_texts(entries, problems)
    nodes, relations = _graph(entries, by_number, texts, problems)
    problems.raise_if_any()

    theses = [entry for entry in entries if entry.role == "thesis"]
    question = "\n\n".join(texts[entry.number] for entry in entries if entry.role == "question")
    title = title or question or texts[theses[0].number]
    return _document(_shorten(" ".join(title.split()), TITLE_MAX_LENGTH), question, nodes, relations)


def _check_characters(lines: list[str], problems: Problems) -> None:
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            problems.add(number, "the line holds NUL characters: this is not a text file in UTF-8.")
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            problems.add(number, "the line holds characters that are not valid Unicode.")


def _read_lines(lines: list[str], problems: Problems) -> tuple[str, list[Entry]]:
    """The discussion title and the numbered entries, each with its continuation lines and Sources list."""
    title = ""
    entries: list[Entry] = []
    current: Entry | None = None
    in_sources = False
    last_source: str | None = None
    top_level = 0  # the last top-level number seen
    list_item = 0  # the last item of a numbered list inside the current claim's text

    for line_number, raw in enumerate(lines, start=1):
        line = raw.strip()
        numbered = NUMBERED.match(line)
        if numbered and "." not in numbered["number"] and current is not None:
            # "2014. was the year…" or a numbered list inside a claim is its text: only the next
            # top-level number starts a thesis, and not while it continues such a list.
            item = int(numbered["number"])
            if item != top_level + 1 or (list_item and item == list_item + 1):
                list_item = item
                numbered = None
        if numbered:
            list_item = 0
            number = numbered["number"]
            rest = (numbered["rest"] or "").strip()
            stance = STANCE.match(rest)
            if "." not in number:
                top_level = int(number)
            current = Entry(number=number, line=line_number, stance_word=stance["word"].lower() if stance else None)
            current.lines.append((line_number, stance["text"].strip() if stance else rest))
            entries.append(current)
            in_sources = False
            continue
        if BROKEN_NUMBER.match(line):
            problems.add(line_number, f"malformed numbering in “{_shorten(line, 40)}”: a claim line starts like "
                                      "“1.2. Pro: …” (numbers separated by dots, a dot after the last one).")
            continue
        if current is None:
            header = HEADER.match(line)
            if header and not title and not entries:
                title = header["title"].strip()
            elif line:
                problems.add(line_number, f"“{_shorten(line, 40)}” comes before the thesis; the export starts "
                                          "with “Discussion Title: …” and then the thesis line “1. …”.")
            continue
        if SOURCES_HEADING.match(line):
            if current.sources is not None:
                problems.add(line_number, f"a second “Sources:” list under {current.number}.")
            current.sources = current.sources or {}
            current.sources_line = current.sources_line or line_number
            in_sources = True
            last_source = None
            continue
        if in_sources:
            entry = SOURCE_ENTRY.match(line)
            if entry:
                n = entry["n"]
                if n in current.sources:
                    problems.add(line_number, f"source [{n}] is listed twice (also on line {current.sources[n][0]}).")
                current.sources[n] = (line_number, entry["text"].strip())
                last_source = n
            elif line and last_source is not None:
                # A long citation wrapped onto the next line.
                source_line, source_text = current.sources[last_source]
                current.sources[last_source] = (source_line, f"{source_text} {line}")
            elif line:
                problems.add(line_number, f"“{_shorten(line, 40)}” in a Sources list: each entry starts with its "
                                          "number in brackets, like “[1] https://…”.")
            continue
        current.lines.append((line_number, line))

    for entry in entries:
        if entry.sources == {}:
            problems.add(entry.sources_line, f"the “Sources:” list of {entry.number}. has no entries like “[1] …”.")
    if not entries:
        problems.add(0, "No thesis found: a Kialo export has a line “1. …” with the thesis.")
    return title, entries


def _index(entries: list[Entry], problems: Problems) -> dict[str, Entry]:
    by_number: dict[str, Entry] = {}
    for entry in entries:
        if entry.number in by_number:
            problems.add(entry.line, f"number {entry.number}. is used twice (first on line {by_number[entry.number].line}).")
            continue
        by_number[entry.number] = entry
    if entries and entries[0].depth != 1:
        problems.add(entries[0].line, f"the first numbered line is {entries[0].number}.; it must be the thesis “1. …”.")
    return by_number


def _assign_roles(entries: list[Entry], by_number: dict[str, Entry], problems: Problems) -> None:
    """Thesis, question (the top of a multi-thesis discussion), claim or link, with the stance checks."""
    children: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.parent_number:
            children.setdefault(entry.parent_number, []).append(entry)

    for entry in entries:
        if entry.depth == 1:
            if entry.stance_word:
                problems.add(entry.line, f"{entry.number}. is a top-level thesis and cannot be “{entry.stance_word.title()}:”; "
                                         "a claim's number has its parent's number in front (like 1.2.).")
            below = children.get(entry.number, [])
            # Kialo's multi-thesis discussions put stance-less theses under the question.
            entry.role = "question" if below and all(child.stance_word is None for child in below) else "thesis"

    for entry in entries:
        if entry.depth == 1:
            continue
        first_text = entry.lines[0][1]
        if entry.parent_number not in by_number:
            problems.add(entry.line, f"{entry.number}. has no parent: there is no claim numbered {entry.parent_number}.")
            entry.role = "orphan"
            continue
        parent = by_number[entry.parent_number]
        if entry.stance_word is None:
            if entry.depth == 2 and parent.role == "question":
                entry.role = "thesis"
                continue
            word = STANCE_LIKE.match(first_text)
            if word:
                problems.add(entry.line, f"unknown stance “{word['word']}:” in {entry.number}.; Kialo writes “Pro:” or “Con:”.")
            else:
                problems.add(entry.line, f"{entry.number}. has no stance: write “Pro:” or “Con:” after the number.")
            entry.role = "orphan"
            continue
        if parent.role == "question":
            problems.add(entry.line, f"{entry.number}. is a “{entry.stance_word.title()}:” under the question {parent.number}.; "
                                     "in a multi-thesis discussion only theses (without Pro/Con) stand there.")
            entry.role = "orphan"
            continue
        if link := LINK.match(entry.text()):
            entry.role = "link"
            entry.link_to = link["number"]


def _node_texts(entries: list[Entry], problems: Problems) -> dict[str, str]:
    """Each entry's text: Markdown links spelled out, escapes undone, footnotes with their citations."""
    last_list = next((entry.sources for entry in reversed(entries) if entry.sources), None)
    cited_elsewhere: set[tuple[int, str]] = set()  # (line, n) of list entries used by other claims
    citations: dict[str, list[tuple[str, str]]] = {}
    for entry in entries:
        if entry.role == "link":
            continue
        found: list[tuple[str, str]] = []
        for line_number, line in entry.lines:
            for marker in FOOTNOTE.finditer(MARKDOWN_LINK.sub("", line)):
                n = marker["n"]
                if any(n == seen for seen, _ in found):
                    continue
                if entry.sources and n in entry.sources:
                    found.append((n, entry.sources[n][1]))
                elif last_list and n in last_list:
                    found.append((n, last_list[n][1]))
                    if last_list is not entry.sources:
                        cited_elsewhere.add((last_list[n][0], n))
                else:
                    problems.add(line_number, f"footnote [{n}] in {entry.number}. has no entry in a “Sources:” list.")
        citations[entry.number] = found

    texts: dict[str, str] = {}
    for entry in entries:
        body = _plain(entry.text())
        cited = citations.get(entry.number, [])
        # A list's entries that nobody cites stay with the claim they are written under.
        for n, (line_number, source) in sorted((entry.sources or {}).items(), key=lambda item: int(item[0])):
            if (line_number, n) not in cited_elsewhere and all(n != seen for seen, _ in cited):
                cited.append((n, source))
        if not body and entry.role != "orphan":
            problems.add(entry.line, f"{entry.number}. has no text.")
        if cited and entry.role != "link":
            listing = "\n".join(f"[{n}] {_plain(source)}" for n, source in sorted(cited, key=lambda c: int(c[0])))
            body = f"{body}\n\nSources:\n{listing}"
        if len(body) > NODE_TEXT_MAX_LENGTH and entry.role in ("thesis", "claim"):
            problems.add(entry.line, f"{entry.number}. has {len(body):,} characters{' with its sources' if cited else ''}; "
                                     f"a node holds at most {NODE_TEXT_MAX_LENGTH:,}.")
        texts[entry.number] = body
    return texts


def _plain(text: str) -> str:
    def spelled_out(link: re.Match) -> str:
        label, url = link["label"].strip(), link["url"]
        return url if not label or label == url else f"{label} ({url})"

    return ESCAPED.sub(r"\1", MARKDOWN_LINK.sub(spelled_out, text))


def _graph(entries, by_number, texts, problems) -> tuple[list[dict], list[dict]]:
    """Nodes and relations in file order: the numbering gives each claim its parent, links add more."""

    def target(number: str) -> str | None:
        """The node a number stands for: a link line stands for the claim it links to."""
        seen = set()
        while number in by_number and by_number[number].role == "link":
            if number in seen:
                return None
            seen.add(number)
            number = by_number[number].link_to
        return number if number in by_number else None

    def key(number: str) -> str:
        # Kialo's numbers make good keys: the importer's messages name them ("node 1.2.3: …").
        return number if len(number) <= KEY_MAX_LENGTH else f"line {by_number[number].line}"

    nodes = [{"key": key(entry.number), "kind": entry.role, "text": texts[entry.number]}
             for entry in entries if entry.role in ("thesis", "claim") and by_number.get(entry.number) is entry]

    # (entry, child, parent): the tree's own relations first, as they cannot go round in a circle;
    # then, in file order, those that a link brings in (a link line, or a claim written under one).
    plain, linked = [], []
    for entry in entries:
        if entry.role not in ("claim", "link") or by_number.get(entry.number) is not entry:
            continue
        parent = target(entry.parent_number)
        if parent is None or by_number[parent].role not in ("thesis", "claim"):
            continue  # the parent's own problem is reported already
        if entry.role == "claim":
            (plain if parent == entry.parent_number else linked).append((entry, entry.number, parent))
            continue
        if entry.link_to not in by_number:
            problems.add(entry.line, f"{entry.number}. links to {entry.link_to}., which does not exist.")
            continue
        child = target(entry.link_to)
        if child is None:
            problems.add(entry.line, f"{entry.number}. links to {entry.link_to}., a link that leads round to itself.")
            continue
        role = by_number[child].role
        if role in ("thesis", "question"):
            problems.add(entry.line, f"{entry.number}. links to {child}., a {role}: a thesis cannot stand under a claim.")
        elif role == "claim":
            linked.append((entry, child, parent))

    parents_of: dict[str, set[str]] = {}

    def reaches(start: str, goal: str) -> bool:
        """True if `goal` is `start` or something `start` bears on, directly or not."""
        stack, seen = [start], {start}
        while stack:
            number = stack.pop()
            if number == goal:
                return True
            for parent in parents_of.get(number, ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return False

    kept = []
    for entry, child, parent in plain:
        parents_of.setdefault(child, set()).add(parent)
        kept.append((entry, child, parent))
    for entry, child, parent in linked:
        if parent in parents_of.get(child, ()):
            problems.add(entry.line, f"{entry.number}. places {child}. under {parent}., where it stands already.")
            continue
        if reaches(parent, child):
            problems.add(entry.line, _circle(entry, child, parent))
            continue
        parents_of.setdefault(child, set()).add(parent)
        kept.append((entry, child, parent))

    kept.sort(key=lambda relation: relation[0].line)
    relations = [{"child": key(child), "parent": key(parent), "stance": STANCES[entry.stance_word]}
                 for entry, child, parent in kept]
    return nodes, relations


def _circle(entry: Entry, child: str, parent: str) -> str:
    if entry.role == "claim":
        where = f"{entry.number}. stands under {entry.parent_number}., a link to {parent}., which stands under {child}."
    elif child == parent:
        where = f"{entry.number}. links to {child}. from under it, so {child}. would stand under itself"
    else:
        where = f"{entry.number}. links to {child}. from under {parent}., which stands under {child}. already"
    return f"{where}: the map would go round in a circle."


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _document(title: str, question: str, nodes: list[dict], relations: list[dict]) -> dict:
    return {
        "format": "argmap",
        "version": 1,
        "map": {"title": title, "question": question},
        "nodes": nodes,
        "relations": relations,
    }
