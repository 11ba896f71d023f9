"""Adding evidence: a claim in the student's own words that supports or opposes a node, anchored
to a passage of one of the map's sources.

The passage comes either from a selection in the reader (offsets and the selected text) or from
text the student pasted or typed, which `anchoring.find` looks up. Either way the stored quote is
the source's own characters at the offsets found, never what was typed.

Under moderation (`moderated=True`, see argmap.editing) the new claim is saved pending, and a
quote added to a claim sends it back to pending.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from argmap import anchoring
from argmap.editing import new_status, send_back_for_approval
from argmap.history import record
from argmap.models import Action, Map, MapSource, Node, NodeKind, Quote, Relation, Source, Stance, untitled_name

CLAIM_MAX_LENGTH = 2000
QUOTE_MAX_LENGTH = 5000
# A selection may be off by some white space or a stray character; a match that does not overlap
# the selected stretch (widened by this much) is another passage.
SELECTION_SLACK = 8
# A claim that repeats this much of its quote word for word is a copy, not the student's own words.
COPIED_SHARE = 0.8


class EvidenceError(ValidationError):
    """The evidence cannot be added as given; the message says why and what to do."""


@dataclass(frozen=True)
class Located:
    """Where a quote stands in its source and how it was found (see anchoring.Match)."""

    start: int
    end: int
    exact: str
    method: str = "exact"
    differences: tuple[str, ...] = ()

    @property
    def was_adjusted(self) -> bool:
        return self.method != "exact"


@dataclass(frozen=True)
class Evidence:
    node: Node
    relation: Relation
    quote: Quote
    located: Located


def clean_claim(text: str) -> str:
    """The claim as stored: required, at most CLAIM_MAX_LENGTH characters, storable."""
    text = (text or "").strip()
    if not text:
        raise EvidenceError("Write your claim: what this passage shows, in your own words.")
    if len(text) > CLAIM_MAX_LENGTH:
        raise EvidenceError(
            f"The claim has {len(text):,} characters; keep it to {CLAIM_MAX_LENGTH:,} (the passage says the rest)."
        )
    _check_storable(text, "claim")
    if "\ufffd" in text:
        # What a browser or proxy leaves of bytes that were not valid UTF-8.
        raise EvidenceError("The claim contains invalid characters (�): type it again.")
    return text


def clean_quote_text(text: str) -> str:
    text = text or ""
    if not text.strip():
        raise EvidenceError("Select a passage in the text, or paste the passage you want to quote.")
    if len(text) > QUOTE_MAX_LENGTH:
        raise EvidenceError(
            f"The quote has {len(text):,} characters; quote at most {QUOTE_MAX_LENGTH:,}: "
            "choose the sentences that make your point."
        )
    _check_storable(text, "quote")
    return text


def _check_storable(text: str, what: str) -> None:
    try:
        anchoring.check_storable_text(text)
    except ValidationError as error:
        raise EvidenceError(error.messages[0].replace("The text", f"The {what}")) from None


def _comparable(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def refuse_copied_claim(claim: str, *quotes: str) -> None:
    """Refuse a claim that is its quote copied (ignoring case, spaces and punctuation), or most of it."""
    mine = _comparable(claim)
    for quote in quotes:
        theirs = _comparable(quote)
        if mine and theirs and (mine == theirs or (mine in theirs and len(mine) >= COPIED_SHARE * len(theirs))):
            raise EvidenceError(
                "Your claim repeats the quote. Say in your own words what the passage shows: "
                "the quote is stored beside it anyway."
            )


def locate(
    source: Source,
    quote_text: str,
    *,
    start: int | None = None,
    end: int | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    position: int | None = None,
    name: str = "the source",
) -> Located:
    """Where `quote_text` stands in the source (`name`: what messages call it, the map's title of it).

    With `start` and `end` (a selection), the text there must be the quote; a selection off by a
    little (white space, a character) is found again near `start`. Without them, `anchoring.find`
    looks for the quote (forgiving typography and a few typos), `position` picking among repeats.
    Raises anchoring.QuoteNotFound / QuoteMismatch / QuoteAmbiguous with a message for the user.
    """
    text = source.text
    if start is not None or end is not None:
        if start is None or end is None or not 0 <= start < end <= len(text):
            raise anchoring.QuoteMismatch(
                f"The selection ({start}–{end}) is not a passage of “{name}”, which has {len(text):,} "
                "characters: select the passage again."
            )
        if text[start:end] == quote_text:
            return Located(start, end, quote_text)
        position = start
    try:
        match = anchoring.find(text, quote_text, prefix=prefix, suffix=suffix, position=position, source_name=name)
    except anchoring.QuoteNotFound:
        if start is None:
            raise
        match = None
    if start is not None and (
        match is None or match.end <= start - SELECTION_SLACK or match.start >= end + SELECTION_SLACK
    ):
        raise anchoring.QuoteMismatch(
            f"The selected text does not match “{name}” at the selected place: select the passage again."
        )
    return Located(match.start, match.end, match.exact, match.method, tuple(match.differences))


def _check_source(map_: Map, source: Source) -> str:
    """The source's name on this map (what its messages call it); refuses a source the map lacks."""
    title = MapSource.objects.filter(map=map_, source=source).values_list("title", flat=True).first()
    if title is None:
        raise EvidenceError("That source is not one of this map's sources.")
    return title or untitled_name(source.text)


def add_evidence(
    map: Map,
    user,
    source: Source,
    parent: Node,
    stance: str,
    claim_text: str,
    quote_text: str,
    start: int | None = None,
    end: int | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    position: int | None = None,
    *,
    moderated: bool = False,
) -> Evidence:
    """Add a claim (by `user`) that supports or opposes `parent`, quoting a passage of `source`.

    All or nothing: the node, its relation, its quote and their history are saved in one
    transaction. Raises a ValidationError (EvidenceError, or one of anchoring's) with a message
    for the student when anything is wrong.
    """
    claim = clean_claim(claim_text)
    quote_text = clean_quote_text(quote_text)
    if stance not in Stance.values:
        raise EvidenceError("Say whether the passage supports or opposes the node.")
    if parent.map_id != map.pk or parent.is_deleted:
        raise EvidenceError("Choose the node your evidence bears on from this map.")
    name = _check_source(map, source)
    located = locate(source, quote_text, start=start, end=end, prefix=prefix, suffix=suffix, position=position,
                     name=name)
    refuse_copied_claim(claim, quote_text, located.exact)
    with transaction.atomic():
        Map.objects.lock(map.pk)
        if not Node.objects.live().filter(pk=parent.pk).exists():
            raise EvidenceError("The node you chose was deleted meanwhile: choose another one.")
        node = Node.objects.create(map=map, kind=NodeKind.CLAIM, text=claim, author=user,
                                   status=new_status(moderated))
        relation = Relation.objects.link(node, parent, stance, author=user)
        quote = Quote(node=node, source=source, start=located.start, end=located.end, exact=located.exact, author=user)
        quote.save()
        for obj in (node, relation, quote):
            record(map, user, Action.CREATE, obj)
    return Evidence(node, relation, quote, located)


def add_quote(
    node: Node,
    user,
    source: Source,
    quote_text: str,
    start: int | None = None,
    end: int | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    position: int | None = None,
    *,
    moderated: bool = False,
) -> tuple[Quote, Located]:
    """Add one more quote to an existing claim (evidence may rest on several passages)."""
    quote_text = clean_quote_text(quote_text)
    if node.is_thesis:
        raise EvidenceError("A thesis is what the map argues about, not evidence: quote under a claim instead.")
    if node.is_deleted:
        raise EvidenceError("This node was deleted.")
    name = _check_source(node.map, source)
    located = locate(source, quote_text, start=start, end=end, prefix=prefix, suffix=suffix, position=position,
                     name=name)
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        if Quote.objects.live().filter(node=node, source=source, start=located.start, end=located.end).exists():
            raise EvidenceError("This node already quotes that passage.")
        quote = Quote(node=node, source=source, start=located.start, end=located.end, exact=located.exact, author=user)
        quote.save()
        record(node.map_id, user, Action.CREATE, quote)
        send_back_for_approval(node, moderated)
    return quote, located
