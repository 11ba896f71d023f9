"""Reading Argmap's own JSON map format (version 1) into the database.

The format is the one the seed demo map is written in; `docs/map-format.md` describes it. A load
is all or nothing: every quote is anchored by the same code that checks quotes on save, and any
problem aborts the whole load with a message naming the node.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from argmap import anchoring
from argmap.models import Comment, Map, MapSource, Node, NodeKind, Quote, Relation, Source, text_hash

FORMAT_NAME = "argmap"
SUPPORTED_VERSIONS = {1}


class MapFileError(ValueError):
    pass


@dataclass
class LoadReport:
    map: Map
    created: bool
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        what = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        verb = "Loaded" if self.created else "Already loaded, unchanged:"
        return f"{verb} map “{self.map.title}” ({self.map.code}): {what}."


def read_sources_metadata(path: Path) -> dict[str, dict]:
    return {entry["file"]: entry for entry in json.loads(path.read_text(encoding="utf-8"))}


def source_from_file(folder: Path, entry: dict) -> tuple[Source, bool]:
    """The shared Source for a seed article, created from its file if its text is new."""
    # Read bytes and decode without newline translation: the text must stay byte-for-byte.
    text = (folder / entry["file"]).read_bytes().decode("utf-8")
    return source_with_text(text, entry)


def source_with_text(text: str, metadata: dict) -> tuple[Source, bool]:
    """The shared Source with this text (sources are stored once), and whether it is new."""
    anchoring.check_storable_text(text)
    existing = Source.objects.filter(content_hash=text_hash(text)).first()
    if existing:
        return existing, False
    source = Source(text=text, is_public=bool(metadata.get("public", True)))
    source.save()
    return source, True


def details_from(metadata: dict) -> dict:
    """What a map file (or the seeds' metadata) says about a source, for the map's MapSource."""
    published = metadata.get("published_on") or None
    return {
        "title": metadata.get("title", ""),
        "author": metadata.get("author", ""),
        "publisher": metadata.get("publisher", ""),
        "published_on": datetime.date.fromisoformat(published) if published else None,
        "url": metadata.get("url", ""),
        "notes": metadata.get("notes", ""),
        "rights": metadata.get("rights", ""),
    }


def load_map(data: dict, seeds_folder: Path | None = None, sources_metadata: dict | None = None) -> LoadReport:
    """Create the map described by `data`, or leave it alone if a map with its code exists."""
    if data.get("format") != FORMAT_NAME or data.get("version") not in SUPPORTED_VERSIONS:
        raise MapFileError(
            f"Not an Argmap map file of a known version (format {data.get('format')!r}, version {data.get('version')!r})."
        )
    info = data["map"]
    code = info.get("code")
    if code and (existing := Map.objects.filter(code=code).first()):
        return LoadReport(existing, created=False, counts=_counts(existing))
    try:
        with transaction.atomic():
            return _create(data, seeds_folder, sources_metadata or {})
    except ValidationError as error:
        raise MapFileError("; ".join(error.messages)) from error
    except KeyError as error:
        raise MapFileError(f"The file refers to {error.args[0]!r}, which it does not define.") from error
    except (TypeError, ValueError, OSError) as error:
        raise MapFileError(f"The file is malformed: {error}") from error


def _create(data: dict, seeds_folder: Path | None, sources_metadata: dict) -> LoadReport:
    User = get_user_model()
    users = {}
    for entry in data.get("users", []):
        user, created = User.objects.get_or_create(
            username=entry["username"],
            defaults={"first_name": entry.get("first_name", ""), "last_name": entry.get("last_name", "")},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users[user.username] = user

    info = data["map"]
    map_kwargs = {"code": info["code"]} if info.get("code") else {}
    map_ = Map.objects.create(
        title=info["title"],
        question=info.get("question", ""),
        visibility=info.get("visibility", "private"),
        owner=users.get(info.get("owner")),
        **map_kwargs,
    )

    sources = {}
    for entry in data.get("sources", []):
        if "text" in entry:
            metadata = entry
            source, _ = source_with_text(entry["text"], entry)
        elif seeds_folder is not None:
            metadata = {**sources_metadata.get(entry["file"], {}), **entry}
            source, _ = source_from_file(seeds_folder, metadata)
        else:
            raise MapFileError(f"Source {entry.get('key')!r} has neither text nor a seed file.")
        MapSource.objects.create(map=map_, source=source, **details_from(metadata))
        sources[entry["key"]] = source

    nodes = {}
    for entry in data["nodes"]:
        node = Node.objects.create(
            map=map_,
            kind=entry.get("kind", NodeKind.CLAIM),
            text=entry["text"],
            author=users.get(entry.get("author")),
        )
        nodes[entry["key"]] = node
        for quote in entry.get("quotes", []):
            source = sources[quote["source"]]
            try:
                built = Quote.anchor(
                    node, source, quote["exact"], start=quote.get("start"), note=quote.get("note", ""), author=node.author
                )
            except ValidationError as error:
                raise MapFileError(f"Node {entry['key']!r}: {' '.join(error.messages)}") from error
            built.save()

    for entry in data.get("relations", []):
        try:
            nodes[entry["child"]].bear_on(nodes[entry["parent"]], entry["stance"], author=nodes[entry["child"]].author)
        except ValidationError as error:
            raise MapFileError(f"Relation {entry['child']} → {entry['parent']}: {' '.join(error.messages)}") from error

    comments = {}
    for entry in data.get("comments", []):
        comment = Comment(
            node=nodes[entry["node"]],
            reply_to=comments.get(entry.get("reply_to")),
            author=users.get(entry.get("author")),
            text=entry["text"],
        )
        comment.full_clean(exclude=["node", "reply_to", "author"])
        comment.save()
        comments[entry["key"]] = comment
    return LoadReport(map_, created=True, counts=_counts(map_))


def _counts(map_: Map) -> dict[str, int]:
    return {
        "sources": map_.sources.count(),
        "nodes": Node.objects.in_map(map_).live().count(),
        "relations": Relation.objects.filter(map=map_).live().count(),
        "quotes": Quote.objects.of_map(map_).live().count(),
        "comments": Comment.objects.filter(node__map=map_).live().count(),
    }
