"""Argmap's own JSON format, version 1: the lossless backup that `argmap.imports` reads back.

docs/json-format.md describes every field. Nothing in the file is a database id: every object gets
an export-local key ("s1", "n1", "q1"...), numbered in the stable order MapExport loads them in, and
references inside the history's before/after states are turned into those keys too.

A full backup holds everything (deleted and pending things, memberships, history). An exporter who
sees less, or an anonymized export, gets only what that reader sees, with the names the reader
sees, marked `"full_backup": false`.
"""

import datetime
import json

from django.utils import timezone

from argmap.anchoring import CONTEXT_LENGTH

FORMAT_NAME = "argmap"
VERSION = 1
NOT_A_FULL_BACKUP = (
    "This file is not a full backup: it holds only what {reason} sees (no deleted items, no history, "
    "no memberships){names}, so importing it does not rebuild the whole map."
)

# Fields of the history's before/after states that name other objects, and the kind they name.
# The exporter turns their ids into keys; the importer turns the keys into the new ids.
REFERENCE_FIELDS = {
    "child": "node", "parent": "node", "node": "node", "with": "node", "cascade": "node",
    "relation": "relation", "replaces": "relation",
    "source": "source",
    "reply_to": "comment",
    "change": "history",
}
# Key letters per kind, and the Change.target_type values they answer.
KEY_PREFIXES = {
    "source": "s", "clutter": "k", "node": "n", "relation": "r", "quote": "q", "comment": "c",
    "membership": "m", "history": "h",
}


def render(export) -> str:
    return json.dumps(document(export), ensure_ascii=False, indent=1) + "\n"


def timestamp(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def document(export) -> dict:
    """The export as JSON-ready values (no queries: everything comes from `export`)."""
    full = export.full_backup
    if full:
        rows = {"source": export.sources, "clutter": export.clutter, "node": export.nodes,
                "relation": export.relations, "quote": export.quotes, "comment": export.comments,
                "membership": export.memberships, "history": export.changes}
    else:  # what the reader sees, nothing more
        relation_by_id = {r.pk: r for r in export.relations}
        rows = {"source": export.sources, "clutter": [c for c in export.clutter if not c.is_deleted],
                "node": export.live_nodes(),
                "relation": [relation_by_id[edge.relation_id] for edge in export.live_edges()],
                "quote": sorted(export.live_quotes(), key=lambda q: q.pk), "comment": export.live_comments(),
                "membership": [], "history": []}
    writer = _Writer(export, rows)
    result = {"format": FORMAT_NAME, "version": VERSION, "full_backup": full}
    if not full:
        result["notice"] = _notice(export)
    result |= {
        "generator": "Argmap",
        "exported_at": timestamp(timezone.now()),
        "map": writer.map(export.map),
        "users": [],  # filled in last, once every person has been named
        "sources": [writer.source(s) for s in rows["source"]],
        "clutter": [writer.clutter(c) for c in rows["clutter"]],
        "nodes": [writer.node(n) for n in rows["node"]],
        "relations": [writer.relation(r) for r in rows["relation"]],
        "quotes": [writer.quote(q) for q in rows["quote"]],
        "comments": [writer.comment(c) for c in rows["comment"]],
        "memberships": [writer.membership(m) for m in rows["membership"]],
        "history": [writer.change(c) for c in rows["history"]],
        # Reserved for votes on nodes and ratings of sources, once the product has them.
        "votes": [],
        "source_ratings": [],
    }
    result["users"] = [
        {"username": shown, "first_name": user.first_name, "last_name": user.last_name} if full
        else {"username": shown}
        for shown, user in sorted(writer.people.items())
    ]
    return result


class _Writer:
    """Turns rows into JSON objects: ids into export-local keys ("n1", "n2"... numbered in the
    order given), people into the names the export shows (remembering whom it named)."""

    def __init__(self, export, rows: dict[str, list]):
        self.export = export
        self.keys = {
            kind: {item.pk: f"{KEY_PREFIXES[kind]}{i}" for i, item in enumerate(items, start=1)}
            for kind, items in rows.items()
        }
        self.people: dict[str, object] = {}

    def key(self, kind: str, pk: int | None) -> str | None:
        """The key of an exported object; None for nothing or for an object not in the file."""
        return self.keys.get(kind, {}).get(pk)

    def person(self, user) -> str | None:
        shown = self.export.name(user)
        if shown is not None:
            self.people.setdefault(shown, user)
        return shown

    def deletion(self, item) -> dict:
        return {"deleted": item.is_deleted, "deleted_at": timestamp(item.deleted_at),
                "deleted_by": self.person(item.deleted_by)}

    def map(self, m) -> dict:
        return {
            "code": m.code, "title": m.title, "question": m.question, "visibility": m.visibility,
            "viewers_can_comment": m.viewers_can_comment, "owner": self.person(m.owner),
            "created_at": timestamp(m.created_at), "updated_at": timestamp(m.updated_at),
        }

    def source(self, s) -> dict:
        return {
            "key": self.key("source", s.pk), "title": s.title, "author": s.author, "publisher": s.publisher,
            "published_on": s.published_on.isoformat() if s.published_on else None, "url": s.url,
            "notes": s.notes, "rights": s.rights, "public": s.is_public, "added_by": self.person(s.added_by),
            "created_at": timestamp(s.created_at), "content_hash": s.content_hash, "text": s.text,
        }

    def clutter(self, c) -> dict:
        return {
            "key": self.key("clutter", c.pk), "source": self.key("source", c.source_id), "start": c.start,
            "end": c.end, "label": c.label, "created_by": self.person(c.created_by),
            "created_at": timestamp(c.created_at), **self.deletion(c),
        }

    def node(self, n) -> dict:
        return {
            "key": self.key("node", n.pk), "kind": n.kind, "text": n.text, "status": n.status,
            "version": n.version, "author": self.person(n.author), "updated_by": self.person(n.updated_by),
            "created_at": timestamp(n.created_at), "updated_at": timestamp(n.updated_at), **self.deletion(n),
        }

    def relation(self, r) -> dict:
        return {
            "key": self.key("relation", r.pk), "child": self.key("node", r.child_id),
            "parent": self.key("node", r.parent_id), "stance": r.stance, "author": self.person(r.author),
            "created_at": timestamp(r.created_at), **self.deletion(r),
        }

    def quote(self, q) -> dict:
        return {
            "key": self.key("quote", q.pk), "node": self.key("node", q.node_id),
            "source": self.key("source", q.source_id),
            "selector": _selectors(q, self.export.source_by_id.get(q.source_id)),
            "note": q.note, "author": self.person(q.author), "created_at": timestamp(q.created_at),
            **self.deletion(q),
        }

    def comment(self, c) -> dict:
        return {
            "key": self.key("comment", c.pk), "node": self.key("node", c.node_id),
            "reply_to": self.key("comment", c.reply_to_id), "text": c.text, "author": self.person(c.author),
            "created_at": timestamp(c.created_at), "updated_at": timestamp(c.updated_at),
            "edited_at": timestamp(c.edited_at), "hidden_at": timestamp(c.hidden_at),
            "hidden_by": self.person(c.hidden_by), **self.deletion(c),
        }

    def membership(self, m) -> dict:
        return {
            "key": self.key("membership", m.pk), "user": self.person(m.user), "role": m.role,
            "added_by": self.person(m.added_by), "created_at": timestamp(m.created_at),
        }

    def change(self, c) -> dict:
        if c.target_type == "map":
            target = "map" if c.target_id == self.export.map.pk else None
        else:
            target = self.key(c.target_type, c.target_id)
        return {
            "key": self.key("history", c.pk), "actor": self.person(c.actor), "action": c.action,
            "target_type": c.target_type, "target": target, "node": self.key("node", c.node_id),
            "before": self.state(c.before), "after": self.state(c.after), "created_at": timestamp(c.created_at),
        }

    def state(self, state):
        """A before/after state with its references to other objects turned into keys."""
        if not isinstance(state, dict):
            return state
        result = {}
        for field, value in state.items():
            kind = REFERENCE_FIELDS.get(field)
            if kind is None or isinstance(value, bool):
                result[field] = value
            elif isinstance(value, list):
                result[field] = [self.key(kind, v) if isinstance(v, int) else None for v in value]
            else:
                result[field] = self.key(kind, value) if isinstance(value, int) else None
        return result


def _selectors(quote, source) -> list[dict]:
    prefix, suffix = quote.prefix, quote.suffix
    if source is not None and not (prefix or suffix):  # rows written before prefix/suffix were stored
        text = source.text
        prefix, suffix = text[max(0, quote.start - CONTEXT_LENGTH):quote.start], text[quote.end:quote.end + CONTEXT_LENGTH]
    return [
        {"type": "TextPositionSelector", "start": quote.start, "end": quote.end},
        {"type": "TextQuoteSelector", "exact": quote.exact, "prefix": prefix, "suffix": suffix},
    ]


def _notice(export) -> str:
    access = export.access
    if not export.restricted:
        reason = "a reader of the map"
    elif access.user is not None and access.user.is_authenticated:
        reason = f"{export.name(access.user)} (the exporter)"
    else:
        reason = "a visitor"
    names = ", and people are named by pseudonyms" if export.anonymized else ""
    return NOT_A_FULL_BACKUP.format(reason=reason, names=names)
