"""Checking an Argmap JSON document (docs/json-format.md, version 1) before anything is saved.

`check(document)` reads the whole document without touching the database and returns a Plan of
clean values (references still by key), or raises MapImportError listing every problem, each
naming the item it concerns ("quote q12: the text at 100–140 of source s2 is not its exact").
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from argmap import anchoring
from argmap.comments import MAX_LENGTH as COMMENT_MAX_LENGTH
from argmap.editing import MAX_TEXT_LENGTH
from argmap.exports.argmap_json import FORMAT_NAME, REFERENCE_FIELDS
from argmap.imports.outcome import MapImportError
from argmap.models import Action, NodeKind, NodeStatus, Role, Stance, text_hash

SUPPORTED_VERSIONS = (1,)
KEY_MAX_LENGTH = 100
NAME_MAX_LENGTH = 150  # a username's length
MAX_PEOPLE = 1000  # names per file: each unknown one becomes a placeholder account
# Times in a file: from the Unix epoch to far ahead. Beyond, shown in another zone, they would leave
# the calendar (0001-01-01 and 9999-12-31 do); no map was made then.
FIRST_YEAR, LAST_YEAR = 1970, 2999
TARGET_TYPES = ("node", "relation", "quote", "comment", "clutter", "source", "membership", "map")
LISTS = ("users", "sources", "clutter", "nodes", "relations", "quotes", "comments", "memberships", "history")


@dataclass
class Plan:
    """A checked document: clean values, references still by key."""

    map: dict
    full_backup: bool
    users: dict[str, dict]  # name -> first_name/last_name
    origin: str | None  # the exported map's code, for the record of the import
    people: set[str] = field(default_factory=set)  # every name used anywhere
    sources: list[dict] = field(default_factory=list)
    clutter: list[dict] = field(default_factory=list)
    nodes: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)


class _Reader:
    """Reads fields of the document's items, noting a problem for each wrong one."""

    def __init__(self, now: datetime.datetime):
        self.problems: list[str] = []
        self.now = now
        self.people: set[str] = set()
        self.keys: dict[str, dict[str, int]] = {}  # kind -> key -> position in its list

    def problem(self, label: str, message: str) -> None:
        self.problems.append(f"{label}: {message}")

    def items(self, document: dict, name: str, required: bool = False) -> list[tuple[str, dict]]:
        """The list's entries that are objects, each with a label naming it in reports."""
        if name not in document and not required:
            return []
        value = document.get(name)
        if not isinstance(value, list):
            self.problem(name, "must be a list" + ("" if name in document else ", and it is missing"))
            return []
        kind = _KIND_OF_LIST.get(name, name)
        result = []
        for i, entry in enumerate(value, start=1):
            key = entry.get("key") if isinstance(entry, dict) else None
            label = f"{kind} {key}" if isinstance(key, str) and key else f"{kind} #{i}"
            if isinstance(entry, dict):
                result.append((label, entry))
            else:
                self.problem(label, f"must be an object, not {_json_type(entry)}")
        return result

    def keyed(self, kind: str, items: list[tuple[str, dict]], required: bool) -> None:
        keys = self.keys.setdefault(kind, {})
        for i, (label, item) in enumerate(items):
            key = item.get("key")
            if key is None and not required:
                continue
            if not isinstance(key, str) or not key or len(key) > KEY_MAX_LENGTH:
                self.problem(label, f"needs a key: a string of 1 to {KEY_MAX_LENGTH} characters")
            elif key in keys:
                self.problem(label, f"the key {key!r} is used twice")
            else:
                keys[key] = i

    def string(self, item: dict, name: str, label: str, *, required: bool = False, default: str = "",
               max_length: int | None = None, non_empty: bool = False) -> str:
        if name not in item or (item[name] is None and not required):
            if required:
                self.problem(label, f"{name} is missing")
            return default
        value = item[name]
        if not isinstance(value, str):
            self.problem(label, f"{name} must be a string, not {_json_type(value)}")
            return default
        if bad := _bad_text(value):
            self.problem(label, f"{name} {bad}")
            return default
        if non_empty and not value.strip():
            self.problem(label, f"{name} is empty")
        if max_length is not None and len(value) > max_length:
            self.problem(label, f"{name} has {len(value):,} characters; at most {max_length:,} are allowed")
        return value

    def choice(self, item: dict, name: str, label: str, choices, default: str | None = None) -> str | None:
        if name not in item and default is not None:
            return default
        value = item.get(name)
        if value not in choices:
            shown = "missing" if name not in item else repr(value)
            self.problem(label, f"{name} is {shown}; it must be one of {', '.join(choices)}")
            return default
        return value

    def boolean(self, item: dict, name: str, label: str, default: bool) -> bool:
        value = item.get(name, default)
        if not isinstance(value, bool):
            self.problem(label, f"{name} must be true or false, not {_json_type(value)}")
            return default
        return value

    def integer(self, item: dict, name: str, label: str, *, minimum: int = 0, default: int | None = None) -> int | None:
        if name not in item and default is not None:
            return default
        value = item.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(label, f"{name} must be a whole number" + ("" if name in item else ", and it is missing"))
            return None
        if value < minimum or value > 2**62:
            self.problem(label, f"{name} is {value}, out of range")
            return None
        return value

    def time(self, item: dict, name: str, label: str, *, default=None):
        value = item.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                try:
                    in_utc = parsed.astimezone(datetime.UTC)
                except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
                    in_utc = None
                if in_utc is not None and FIRST_YEAR <= in_utc.year <= LAST_YEAR:
                    return in_utc
                self.problem(label, f"{name} must be a time between the years {FIRST_YEAR} and {LAST_YEAR}, "
                                    f"not {_shown(value)}")
                return default
        self.problem(label, f"{name} must be an ISO 8601 time with a time zone, like 2026-03-01T09:15:00Z, "
                            f"not {_shown(value)}")
        return default

    def date(self, item: dict, name: str, label: str):
        value = item.get(name)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problem(label, f"{name} must be a date like 2026-03-01, not {_shown(value)}")
            return None

    def person(self, item: dict, name: str, label: str, *, required: bool = False) -> str | None:
        value = item.get(name)
        if value is None:
            if required:
                self.problem(label, f"{name} is missing: name a person")
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > NAME_MAX_LENGTH or _bad_text(value):
            self.problem(label, f"{name} must be a person's name (1 to {NAME_MAX_LENGTH} characters), not {_shown(value)}")
            return None
        self.people.add(value)
        return value

    def ref(self, item: dict, name: str, label: str, kind: str, *, required: bool = True) -> str | None:
        value = item.get(name)
        if value is None:
            if required:
                self.problem(label, f"{name} is missing: name a {kind} by its key")
            return None
        if not isinstance(value, str) or value not in self.keys.get(kind, {}):
            self.problem(label, f"{name} names {_shown(value)}, which is not a {kind} key of this file")
            return None
        return value

    def deletion(self, item: dict, label: str) -> dict:
        deleted_at = self.time(item, "deleted_at", label)
        deleted = item.get("deleted", deleted_at is not None)
        if not isinstance(deleted, bool):
            self.problem(label, f"deleted must be true or false, not {_json_type(deleted)}")
        elif deleted and deleted_at is None:
            deleted_at = self.now
        elif not deleted and deleted_at is not None:
            self.problem(label, "deleted is false but deleted_at gives a time")
        return {"deleted_at": deleted_at, "deleted_by": self.person(item, "deleted_by", label)}


_KIND_OF_LIST = {
    "users": "user", "sources": "source", "nodes": "node", "relations": "relation", "quotes": "quote",
    "comments": "comment", "memberships": "membership", "history": "history entry",
}


def check(document) -> Plan:
    """The document's content, clean, or MapImportError listing every problem found."""
    _check_header(document)
    reader = _Reader(timezone.now())
    info = document.get("map")
    if not isinstance(info, dict):
        reader.problem("map", "must be an object with the map's title" + ("" if "map" in document else ", and it is missing"))
        info = {}
    full_backup = reader.boolean(document, "full_backup", "file", False)
    plan = Plan(
        map={
            "title": reader.string(info, "title", "map", required=True, max_length=200, non_empty=True),
            "question": reader.string(info, "question", "map"),
            "viewers_can_comment": reader.boolean(info, "viewers_can_comment", "map", True),
        },
        full_backup=full_backup,
        users={},
        origin=reader.string(info, "code", "map", max_length=100) or None,
    )
    for name in ("votes", "source_ratings"):
        if document.get(name) not in (None, []):
            reader.problem(name, "this version of Argmap has no votes or source ratings, so it cannot import them")
    lists = {name: reader.items(document, name, required=(name == "nodes")) for name in LISTS}
    for kind, name, required in (("source", "sources", True), ("clutter", "clutter", False),
                                 ("node", "nodes", True), ("relation", "relations", False),
                                 ("quote", "quotes", False), ("comment", "comments", False),
                                 ("membership", "memberships", False), ("history", "history", False)):
        reader.keyed(kind, lists[name], required)

    for label, item in lists["users"]:
        username = reader.person(item, "username", label, required=True)
        if username:
            plan.users[username] = {
                "first_name": reader.string(item, "first_name", label, max_length=150),
                "last_name": reader.string(item, "last_name", label, max_length=150),
            }
    texts = {}
    for label, item in lists["sources"]:
        source = _check_source(reader, label, item)
        plan.sources.append(source)
        texts[source["key"]] = source["text"]
    plan.nodes = [_check_node(reader, label, item) for label, item in lists["nodes"]]
    kinds = {n["key"]: n["kind"] for n in plan.nodes}
    plan.clutter = [_check_clutter(reader, label, item, texts) for label, item in lists["clutter"]]
    plan.relations = [_check_relation(reader, label, item, kinds) for label, item in lists["relations"]]
    _check_shape(reader, plan.relations)
    plan.quotes = [_check_quote(reader, label, item, kinds, texts) for label, item in lists["quotes"]]
    plan.comments = _check_comments(reader, lists["comments"])
    plan.memberships = _check_memberships(reader, lists["memberships"])
    plan.history = [_check_change(reader, label, item) for label, item in lists["history"]]
    if len(reader.people) > MAX_PEOPLE:
        reader.problem("file", f"it names {len(reader.people):,} people; an import takes at most {MAX_PEOPLE:,} "
                               "(each unknown one becomes an account)")
    if reader.problems:
        raise MapImportError(reader.problems)
    plan.people = reader.people
    return plan


def _check_header(document) -> None:
    if not isinstance(document, dict):
        raise MapImportError(f"This is not an Argmap map: the file holds {_json_type(document)}, not an object.")
    if document.get("format") != FORMAT_NAME:
        raise MapImportError(
            f"This is not an Argmap JSON file: its format is {_shown(document.get('format'))}, not \"argmap\"."
        )
    version = document.get("version")
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        known = ", ".join(map(str, SUPPORTED_VERSIONS))
        raise MapImportError(
            f"The file is version {_shown(version)} of the Argmap format; this Argmap reads version {known}."
        )


_URL = URLValidator(schemes=["http", "https"])


def _check_source(reader: _Reader, label: str, item: dict) -> dict:
    text = reader.string(item, "text", label, required=True, non_empty=True)
    claimed = item.get("content_hash")
    if claimed is not None and text and claimed != text_hash(text):
        reader.problem(label, "content_hash is not the SHA-256 of its text: the text was changed or cut")
    url = reader.string(item, "url", label, max_length=500)
    if url:
        try:
            _URL(url)
        except ValidationError:
            reader.problem(label, f"url {_shown(url)} is not an http(s) address")
    return {
        "key": item.get("key"), "text": text, "hash": text_hash(text), "url": url,
        "title": reader.string(item, "title", label, max_length=300),
        "author": reader.string(item, "author", label, max_length=200),
        "publisher": reader.string(item, "publisher", label, max_length=200),
        "published_on": reader.date(item, "published_on", label),
        "notes": reader.string(item, "notes", label),
        "rights": reader.string(item, "rights", label, max_length=300),
        "is_public": reader.boolean(item, "public", label, False),
        "added_by": reader.person(item, "added_by", label),
    }


def _check_node(reader: _Reader, label: str, item: dict) -> dict:
    if "quotes" in item:  # the old seed map form: ignoring them would lose the evidence
        reader.problem(label, "quotes inside a node are not read: list them under the top-level quotes")
    return {
        "key": item.get("key"),
        "kind": reader.choice(item, "kind", label, NodeKind.values, default=NodeKind.CLAIM),
        "text": reader.string(item, "text", label, required=True, max_length=MAX_TEXT_LENGTH, non_empty=True),
        "status": reader.choice(item, "status", label, NodeStatus.values, default=NodeStatus.APPROVED),
        "version": reader.integer(item, "version", label, minimum=1, default=1),
        "author": reader.person(item, "author", label),
        "updated_by": reader.person(item, "updated_by", label),
        "created_at": reader.time(item, "created_at", label, default=reader.now),
        "updated_at": reader.time(item, "updated_at", label, default=reader.now),
        **reader.deletion(item, label),
    }


def _check_span(reader: _Reader, label: str, start, end, text: str | None, source_key: str) -> bool:
    if start is None or end is None:
        return False
    if start >= end:
        reader.problem(label, f"start {start} is not before end {end}")
        return False
    if text is not None and end > len(text):
        reader.problem(label, f"{start}–{end} is outside source {source_key}, which has {len(text):,} characters")
        return False
    return True


def _check_clutter(reader: _Reader, label: str, item: dict, texts: dict) -> dict:
    source = reader.ref(item, "source", label, "source")
    start, end = reader.integer(item, "start", label), reader.integer(item, "end", label)
    if source is not None:
        _check_span(reader, label, start, end, texts.get(source), source)
    return {
        "key": item.get("key"), "source": source, "start": start, "end": end,
        "label": reader.string(item, "label", label, max_length=100),
        "created_by": reader.person(item, "created_by", label),
        "created_at": reader.time(item, "created_at", label, default=reader.now),
        **reader.deletion(item, label),
    }


def _check_relation(reader: _Reader, label: str, item: dict, kinds: dict) -> dict:
    child, parent = reader.ref(item, "child", label, "node"), reader.ref(item, "parent", label, "node")
    if child is not None and kinds.get(child) == NodeKind.THESIS:
        reader.problem(label, f"node {child} is a thesis, and a thesis cannot support or oppose another node")
    if child is not None and child == parent:
        reader.problem(label, f"node {child} cannot bear on itself")
    return {
        "key": item.get("key"), "label": label, "child": child, "parent": parent,
        "stance": reader.choice(item, "stance", label, Stance.values),
        "author": reader.person(item, "author", label),
        "created_at": reader.time(item, "created_at", label, default=reader.now),
        **reader.deletion(item, label),
    }


def _check_shape(reader: _Reader, relations: list[dict]) -> None:
    """Live relations: each child–parent pair once, and no cycle (checked on the file's own graph)."""
    live = [r for r in relations if r["deleted_at"] is None and r["child"] and r["parent"] and r["child"] != r["parent"]]
    seen: dict[tuple[str, str], str] = {}
    for relation in live:
        pair = (relation["child"], relation["parent"])
        if pair in seen:
            reader.problem(relation["label"], f"node {pair[0]} already bears on node {pair[1]} ({seen[pair]})")
        seen.setdefault(pair, relation["label"])
    parents: dict[str, list[str]] = {}
    for child, parent in seen:
        parents.setdefault(child, []).append(parent)
    for cycle in _cycles(parents):
        path = " → ".join([*cycle, cycle[0]])
        reader.problem("relations", f"the live relations go round in a circle: {path} (each bears on the next)")


def _cycles(parents: dict[str, list[str]]) -> list[list[str]]:
    """Cycles of the graph (child -> its parents), each as its list of nodes: wherever a depth-first
    walk meets a node still on its own path. A graph with a cycle always yields at least one."""
    done: set[str] = set()
    found = []
    for root in sorted(parents):
        if root in done:
            continue
        path, on_path = [root], {root}
        work = [iter(parents.get(root, ()))]
        while work:
            step = next(work[-1], None)
            if step is None:
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                work.pop()
                continue
            if step in on_path:
                found.append(path[path.index(step):])
            elif step not in done:
                path.append(step)
                on_path.add(step)
                work.append(iter(parents.get(step, ())))
    return found


def _check_quote(reader: _Reader, label: str, item: dict, kinds: dict, texts: dict) -> dict:
    node = reader.ref(item, "node", label, "node")
    source = reader.ref(item, "source", label, "source")
    if node is not None and kinds.get(node) == NodeKind.THESIS:
        reader.problem(label, f"node {node} is a thesis: only claims quote sources")
    position, quote = _selectors(reader, label, item.get("selector"))
    result = {
        "key": item.get("key"), "node": node, "source": source,
        "note": reader.string(item, "note", label, max_length=300),
        "author": reader.person(item, "author", label),
        "created_at": reader.time(item, "created_at", label, default=reader.now),
        **reader.deletion(item, label),
    }
    if quote is None or source is None or texts.get(source) is None:
        return result
    text, exact = texts[source], quote["exact"]
    if position is not None:
        start, end = position
        if not _check_span(reader, label, start, end, text, source):
            return result
        if text[start:end] != exact:
            reader.problem(label, f"the text at {start}–{end} of source {source} is not its exact: "
                                  f"it reads “{_excerpt(text[start:end])}”, the quote “{_excerpt(exact)}”")
            return result
    else:
        try:
            found = anchoring.locate(text, exact, prefix=quote["prefix"], suffix=quote["suffix"],
                                     source_name=f"source {source}")
        except ValidationError as error:
            reader.problem(label, " ".join(error.messages))
            return result
        start, end = found.start, found.end
    prefix_at = start - len(quote["prefix"])
    if prefix_at < 0 or not text.startswith(quote["prefix"], prefix_at) or not text.startswith(quote["suffix"], end):
        reader.problem(label, f"its prefix or suffix is not the text around {start}–{end} of source {source}")
    prefix, suffix = anchoring.context_of(text, start, end)
    return result | {"start": start, "end": end, "exact": exact, "prefix": prefix, "suffix": suffix}


def _selectors(reader: _Reader, label: str, selectors) -> tuple[tuple[int, int] | None, dict | None]:
    """(start, end) of the TextPositionSelector if there is one, and the TextQuoteSelector's fields."""
    if not isinstance(selectors, list):
        reader.problem(label, "selector must be a list holding a TextQuoteSelector (and a TextPositionSelector)")
        return None, None
    position = quote = None
    for selector in selectors:
        kind = selector.get("type") if isinstance(selector, dict) else None
        if kind == "TextPositionSelector" and position is None:
            start = reader.integer(selector, "start", f"{label} TextPositionSelector")
            end = reader.integer(selector, "end", f"{label} TextPositionSelector")
            position = (start, end) if start is not None and end is not None else ()
        elif kind == "TextQuoteSelector" and quote is None:
            where = f"{label} TextQuoteSelector"
            quote = {
                "exact": reader.string(selector, "exact", where, required=True),
                "prefix": reader.string(selector, "prefix", where),
                "suffix": reader.string(selector, "suffix", where),
            }
            if not quote["exact"]:
                reader.problem(where, "exact is empty")
                quote = ()
        else:
            reader.problem(label, f"the selector {_shown(selector)} is not one this format uses (or it is repeated)")
    if quote is None:
        reader.problem(label, "has no TextQuoteSelector giving the exact passage")
    return (position or None), (quote or None)


def _check_comments(reader: _Reader, items: list[tuple[str, dict]]) -> list[dict]:
    comments, node_of = [], {}
    for label, item in items:
        node = reader.ref(item, "node", label, "node")
        reply_to = item.get("reply_to")
        if reply_to is not None:
            if not isinstance(reply_to, str) or reply_to not in node_of:
                reader.problem(label, f"reply_to names {_shown(reply_to)}, which is not a comment earlier in the file")
                reply_to = None
            elif node is not None and node_of[reply_to] != node:
                reader.problem(label, f"it answers comment {reply_to}, which is on another node")
        comment = {
            "key": item.get("key"), "node": node, "reply_to": reply_to,
            "text": reader.string(item, "text", label, required=True, max_length=COMMENT_MAX_LENGTH, non_empty=True),
            "author": reader.person(item, "author", label),
            "created_at": reader.time(item, "created_at", label, default=reader.now),
            "updated_at": reader.time(item, "updated_at", label, default=reader.now),
            "edited_at": reader.time(item, "edited_at", label),
            "hidden_at": reader.time(item, "hidden_at", label),
            "hidden_by": reader.person(item, "hidden_by", label),
            **reader.deletion(item, label),
        }
        if isinstance(comment["key"], str):
            node_of.setdefault(comment["key"], node)
        comments.append(comment)
    return comments


def _check_memberships(reader: _Reader, items: list[tuple[str, dict]]) -> list[dict]:
    memberships, seen = [], set()
    for label, item in items:
        user = reader.person(item, "user", label, required=True)
        if user in seen:
            reader.problem(label, f"{user} has a role twice")
        seen.add(user)
        memberships.append({
            "key": item.get("key"), "user": user, "role": reader.choice(item, "role", label, Role.values),
            "added_by": reader.person(item, "added_by", label),
            "created_at": reader.time(item, "created_at", label, default=reader.now),
        })
    return memberships


def _check_change(reader: _Reader, label: str, item: dict) -> dict:
    target_type = reader.choice(item, "target_type", label, TARGET_TYPES)
    target = item.get("target")
    if target is not None and target_type is not None:
        if target_type == "map":
            if target != "map":
                reader.problem(label, f"target of a map change must be \"map\", not {_shown(target)}")
        else:
            target = reader.ref(item, "target", label, target_type)
    node = reader.ref(item, "node", label, "node", required=False)
    return {
        "key": item.get("key"), "actor": reader.person(item, "actor", label),
        "action": reader.choice(item, "action", label, Action.values),
        "target_type": target_type, "target": target, "node": node,
        "before": _check_state(reader, label, item, "before"),
        "after": _check_state(reader, label, item, "after"),
        "created_at": reader.time(item, "created_at", label, default=reader.now),
    }


def _check_state(reader: _Reader, label: str, item: dict, name: str):
    state = item.get(name)
    if state is None:
        return None
    if not isinstance(state, dict):
        reader.problem(label, f"{name} must be an object or null, not {_json_type(state)}")
        return None
    if bad := _bad_json_text(state):
        reader.problem(label, f"{name} {bad}")
        return None
    for field_name, kind in REFERENCE_FIELDS.items():
        value = state.get(field_name)
        values = value if isinstance(value, list) and field_name == "cascade" else [value]
        for each in values:
            if each is not None and (not isinstance(each, str) or each not in reader.keys.get(kind, {})):
                reader.problem(label, f"{name}.{field_name} names {_shown(each)}, which is not a {kind} key of this file")
    return state


# Small helpers for messages and text


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "true or false", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _excerpt(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _shown(value) -> str:
    if isinstance(value, str):
        return f"“{_excerpt(value)}”"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _json_type(value)


def _bad_text(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")  # fails on a lone surrogate, and fast
    except UnicodeEncodeError:
        return "contains invalid Unicode (a lone surrogate)"
    return None


def _bad_json_text(value) -> str | None:
    if isinstance(value, str):
        return _bad_text(value)
    if isinstance(value, dict):
        return next((bad for k, v in value.items() if (bad := _bad_text(k) or _bad_json_text(v))), None)
    if isinstance(value, list):
        return next((bad for v in value if (bad := _bad_json_text(v))), None)
    return None
