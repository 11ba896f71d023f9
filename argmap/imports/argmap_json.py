"""Importing an Argmap JSON document (docs/json-format.md, version 1) as a new map.

`import_document` checks the whole document first (checking.py: every problem reported, nothing
saved), then `create` writes it in one transaction with bulk inserts, so the number of queries
does not grow with the map (apart from one insert per 500 rows).
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils.text import slugify

from argmap.exports.argmap_json import REFERENCE_FIELDS
from argmap.history import record
from argmap.imports.checking import NAME_MAX_LENGTH, Plan, check
from argmap.imports.outcome import ImportResult, MapImportError
from argmap.models import (
    Action,
    Change,
    ClutterRange,
    Comment,
    Map,
    MapSource,
    Membership,
    Node,
    Quote,
    Relation,
    Source,
    SOURCE_DETAILS,
    Visibility,
)
from argmap.usernames import PLACEHOLDER_PREFIX

BATCH = 500  # rows per insert statement: keeps SQLite under its limit of variables per statement


def import_document(document, *, user, credit=None, max_placeholders=None) -> ImportResult:
    """`credit`: a function narrowing a set of usernames to those the import may attribute work to
    (see argmap.permissions.creditable_usernames); None: anyone (the command line).
    `max_placeholders`: refuse the file if it would make more placeholder accounts; None: no cap."""
    plan = check(document)
    with transaction.atomic():
        return create(plan, user, credit, max_placeholders)


def create(plan: Plan, user, credit=None, max_placeholders=None) -> ImportResult:
    """Write a checked plan as a new private map owned by `user` (call inside a transaction)."""
    people, placeholders = _people(plan, credit, max_placeholders)
    person = people.get
    map_ = Map.objects.create(owner=user, visibility=Visibility.PRIVATE, **plan.map)

    sources, reused = _sources(plan, person)
    # The file's details become this map's own, even where the text was stored already (another map's stay).
    links = {}
    for entry in plan.sources:
        source = sources[entry["key"]]
        links.setdefault(source.pk, MapSource(map=map_, source=source, **{f: entry[f] for f in SOURCE_DETAILS}))
    MapSource.objects.bulk_create(links.values())

    def deletion(item: dict) -> dict:
        return {"deleted_at": item["deleted_at"], "deleted_by": person(item["deleted_by"])}

    nodes = {
        n["key"]: Node(map=map_, kind=n["kind"], text=n["text"], status=n["status"], version=n["version"],
                       author=person(n["author"]), updated_by=person(n["updated_by"]), created_at=n["created_at"],
                       **deletion(n))
        for n in plan.nodes
    }
    Node.objects.bulk_create(nodes.values(), batch_size=BATCH)
    for entry, node in zip(plan.nodes, nodes.values()):
        node.updated_at = entry["updated_at"]
    _update(Node, nodes.values(), ["updated_at"])
    relations = [
        Relation(map=map_, child=nodes[r["child"]], parent=nodes[r["parent"]], stance=r["stance"],
                 author=person(r["author"]), created_at=r["created_at"], **deletion(r))
        for r in plan.relations
    ]
    Relation.objects.bulk_create(relations, batch_size=BATCH)
    quotes = [
        Quote(node=nodes[q["node"]], source=sources[q["source"]], start=q["start"], end=q["end"], exact=q["exact"],
              prefix=q["prefix"], suffix=q["suffix"], note=q["note"], author=person(q["author"]),
              created_at=q["created_at"], **deletion(q))
        for q in plan.quotes
    ]
    Quote.objects.bulk_create(quotes, batch_size=BATCH)
    clutter = [
        ClutterRange(map=map_, source=sources[c["source"]], start=c["start"], end=c["end"], label=c["label"],
                     created_by=person(c["created_by"]), created_at=c["created_at"], **deletion(c))
        for c in plan.clutter
    ]
    ClutterRange.objects.bulk_create(clutter, batch_size=BATCH)
    comments = _comments(plan, nodes, person, deletion)
    kept = [m for m in plan.memberships if person(m["user"]) != user]  # the importer owns the map already
    memberships = [
        Membership(map=map_, user=person(m["user"]), role=m["role"], added_by=person(m["added_by"]),
                   created_at=m["created_at"])
        for m in kept
    ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)

    ids = {
        "source": {key: s.pk for key, s in sources.items()},
        "node": {key: n.pk for key, n in nodes.items()},
        "relation": _ids(plan.relations, relations),
        "quote": _ids(plan.quotes, quotes),
        "clutter": _ids(plan.clutter, clutter),
        "comment": _ids(plan.comments, comments),
        "membership": _ids(kept, memberships),
    }
    history = _history(plan, map_, ids, person)
    # Last in the history: who imported the map, and from where (the file's names are its own claim).
    record(map_, user, Action.CREATE, map_, after={
        "imported_from": plan.origin, "title": map_.title, "full_backup": plan.full_backup,
    })
    Map.touch(map_.pk)  # bulk_create sends no signals
    map_.refresh_from_db()
    counts = {
        "nodes": len(nodes), "relations": len(relations), "quotes": len(quotes), "comments": len(comments),
        "sources": len(set(sources.values())), "history entries": history,
    }
    return ImportResult(map=map_, counts=counts, placeholders=placeholders, reused_sources=reused)


def _ids(entries: list[dict], objects: list) -> dict[str, int]:
    return {entry["key"]: obj.pk for entry, obj in zip(entries, objects) if entry.get("key")}


def _update(model, objects, field_names: list[str]) -> None:
    """Write these fields of rows just inserted, one statement run for all rows.

    Used where bulk_create cannot write the value: a time that `auto_now` overwrites on insert, a
    reference to a row of the same batch. (bulk_update would also do, but its CASE per row makes
    a 10,000-node import several times slower.)"""
    objects = list(objects)
    if not objects:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [[*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _people(plan: Plan, credit=None, max_placeholders=None) -> tuple[dict[str, object], list[str]]:
    """Every name of the file as an account: the existing one with that username (full backups
    only: other files name people by pseudonyms; and only those `credit` allows), else a new
    placeholder that cannot log in. MapImportError (nothing made) if that is more placeholders
    than `max_placeholders`."""
    User = get_user_model()
    found = {}
    if plan.full_backup and plan.people:
        names = set(plan.people) if credit is None else credit(set(plan.people))
        found = {u.get_username(): u for u in User.objects.filter(username__in=names)}
    unmatched = sorted(plan.people - set(found))
    if max_placeholders is not None and len(unmatched) > max_placeholders:
        raise MapImportError(
            f"The file names {len(unmatched):,} people who have no account here that you work with; "
            f"an import makes at most {max_placeholders:,} placeholder accounts for such people. "
            "Import a file naming fewer people, or ask whoever runs this site to import it."
        )
    # Always the reserved prefix, which sign-up refuses: a placeholder never takes (or looks like)
    # the name a real person has or will sign up with, so inviting by that name finds the person.
    wanted = {name: _placeholder_username(name) for name in unmatched}
    chosen = _free_usernames(User, wanted)
    placeholders = []
    for name, username in chosen.items():
        details = plan.users.get(name, {})
        account = User(username=username, first_name=details.get("first_name", ""),
                       last_name=details.get("last_name", ""), is_active=False)
        account.set_unusable_password()
        placeholders.append(account)
    User.objects.bulk_create(placeholders, batch_size=BATCH)
    found.update(zip(chosen, placeholders))
    return found, [p.get_username() for p in placeholders]


def _placeholder_username(name: str) -> str:
    slug = slugify(name, allow_unicode=True)[: NAME_MAX_LENGTH - len(PLACEHOLDER_PREFIX) - 8] or "someone"
    return PLACEHOLDER_PREFIX + slug


def _free_usernames(User, wanted: dict[str, str]) -> dict[str, str]:
    """name -> a username nobody has (the wanted one, or it with -2, -3... added)."""
    chosen: dict[str, str] = {}
    pending = dict(wanted)
    attempt = 1
    while pending:
        candidates = {name: base if attempt == 1 else f"{base}-{attempt}" for name, base in pending.items()}
        taken = set(User.objects.filter(username__in=candidates.values()).values_list("username", flat=True))
        taken |= set(chosen.values())
        for name, candidate in candidates.items():
            if candidate not in taken:
                chosen[name] = candidate
                taken.add(candidate)
                del pending[name]
        attempt += 1
    return chosen


def _sources(plan: Plan, person) -> tuple[dict[str, Source], int]:
    """key -> Source: the stored one with the same text where there is one, else a new one (the text only:
    the details are the map's, see create)."""
    stored = {s.content_hash: s for s in Source.objects.filter(content_hash__in={s["hash"] for s in plan.sources})}
    reused = len(stored)
    new = []
    for entry in plan.sources:
        if entry["hash"] in stored:
            continue
        source = Source(
            text=entry["text"], content_hash=entry["hash"], code=entry["hash"][:12], is_public=entry["is_public"],
            added_by=person(entry["added_by"]),
        )
        stored[entry["hash"]] = source
        new.append(source)
    Source.objects.bulk_create(new, batch_size=BATCH)
    return {entry["key"]: stored[entry["hash"]] for entry in plan.sources}, reused


def _comments(plan: Plan, nodes: dict, person, deletion) -> list[Comment]:
    made = [
        Comment(node=nodes[c["node"]], text=c["text"], author=person(c["author"]), created_at=c["created_at"],
                edited_at=c["edited_at"], hidden_at=c["hidden_at"], hidden_by=person(c["hidden_by"]), **deletion(c))
        for c in plan.comments
    ]
    Comment.objects.bulk_create(made, batch_size=BATCH)
    by_key = {c["key"]: obj for c, obj in zip(plan.comments, made) if c["key"]}
    for entry, comment in zip(plan.comments, made):
        comment.reply_to = by_key.get(entry["reply_to"])
        comment.updated_at = entry["updated_at"]
    _update(Comment, made, ["reply_to", "updated_at"])
    return made


def _history(plan: Plan, map_: Map, ids: dict[str, dict[str, int]], person) -> int:
    def target_id(entry: dict) -> int:
        if entry["target_type"] == "map":
            return map_.pk if entry["target"] == "map" else 0
        return ids.get(entry["target_type"], {}).get(entry["target"], 0)

    changes = [
        Change(map=map_, actor=person(c["actor"]), action=c["action"], target_type=c["target_type"],
               target_id=target_id(c), node_id=ids["node"].get(c["node"]), before=_state(c["before"], ids),
               after=_state(c["after"], ids), created_at=c["created_at"])
        for c in plan.history
    ]
    Change.objects.bulk_create(changes, batch_size=BATCH)
    # A change may name another one ("change" in a cascade's entries): only now are their ids known.
    ids["history"] = _ids(plan.history, changes)
    naming = [(entry, change) for entry, change in zip(plan.history, changes)
              if _names_a_change(entry["before"]) or _names_a_change(entry["after"])]
    for entry, change in naming:
        change.before, change.after = _state(entry["before"], ids), _state(entry["after"], ids)
    _update(Change, [c for _, c in naming], ["before", "after"])
    return len(changes)


def _names_a_change(state) -> bool:
    return isinstance(state, dict) and state.get("change") is not None


def _state(state, ids: dict[str, dict[str, int]]):
    """A before/after state with its keys turned into the new objects' ids."""
    if not isinstance(state, dict):
        return state
    result = {}
    for name, value in state.items():
        kind = REFERENCE_FIELDS.get(name)
        if kind is None or value is None:
            result[name] = value
        elif isinstance(value, list):
            result[name] = [ids.get(kind, {}).get(v) for v in value]
        else:
            result[name] = ids.get(kind, {}).get(value)
    return result
