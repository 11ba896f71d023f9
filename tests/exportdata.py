"""A map full of awkward text, for the export and import tests of every format.

`awkward_map(owner)` builds it through the same model methods the app uses (so the history is
recorded as the app records it): sources with curly quotes, line breaks, Cyrillic, emoji before
the quoted passages (code point offsets differ from UTF-16 ones there) and no-break spaces;
node text with markup-like characters (`[ ] < > # @ :`, leading `+`/`-`) and line breaks; quotes
spanning a line break and holding curly quotes; comments with a reply, an edited and a hidden one;
a pending node, a deleted node (with its quote and comment), a detached relation, a deleted
quote, a clutter range (and a removed one), members with roles.
"""

from django.contrib.auth import get_user_model

from argmap import comments, editing, evidence, history
from argmap.models import Action, ClutterRange, Map, MapSource, Membership, Role, Source, Visibility, text_hash

# The passages quoted below all sit after the emoji and the Cyrillic, so a renderer that counts
# UTF-16 units or bytes instead of code points gets every offset wrong.
FIRST_TEXT = (
    "Menu · Subscribe · Log in\n"
    "Мінск, 3 сакавіка 🙂 «Хроніка» reports:\n"
    "The minister said: “We will not be drawn\ninto anyone’s war.” Critics called it ‘a careful\u00a0hedge’.\n"
    "<b>Not markup</b> & [not a link](x) # not a heading\n"
    "- not a list item\n"
    "+ not a diff\n"
    "@everyone: the relay stations 🛰️ stopped working on Tuesday.\n"
    "Друг сказал: «Это только начало».\n"
)
SECOND_TEXT = (
    "Emoji first 👩‍🏫🇧🇾 then the point.\n"
    "“Loyal”, said the ambassador, “is not the word\u00a0I would use.”\n"
    "Line one\r\nstays a Windows line\n"
    "Tabs\tand  double  spaces stay too.\n"
)

THESIS_TEXT = "Lukashenko is hedging: [he] says <one> thing # and @does another"
CLAIMS = {
    "quoted": "+ The minister’s words: “not drawn in”\nmean distance from Moscow",
    "minus": "- Critics: it is ‘a careful hedge’ <b>not</b> a refusal",
    "relay": "The relay stations [1] stopped: #sabotage?",
    "cyrillic": "Хроніка: «это только начало» 🙂",
    "loyal": "Loyal is “not the word”:\nthe ambassador hedges too",
    "pending": "A student’s pending claim: > quoted? <",
    "deleted": "A deleted claim with [brackets]",
}


def _person(username: str):
    user, _ = get_user_model().objects.get_or_create(username=username)
    return user


def _source(text: str, is_public=False, added_by=None) -> Source:
    # Sources are shared by content: a second awkward map in one test reuses the first one's.
    existing = Source.objects.filter(content_hash=text_hash(text)).first()
    return existing or Source.objects.create(text=text, is_public=is_public, added_by=added_by)


def awkward_map(owner) -> Map:
    """A private map owned by `owner`, with contributors `awk-ales` and `awk-daria` (created if
    missing) and viewer `awk-tomas`. Every kind of row an export carries is there at least once."""
    ales, daria, tomas = _person("awk-ales"), _person("awk-daria"), _person("awk-tomas")
    map_ = Map.objects.create(
        title="Awkward: “quotes”, [brackets] & <tags> — Беларусь 🙂",
        question="Is Minsk\nhedging? # @ : + -",
        owner=owner,
        visibility=Visibility.PRIVATE,
    )
    first = _source(FIRST_TEXT, is_public=True, added_by=owner)
    second = _source(SECOND_TEXT, added_by=ales)
    MapSource.objects.create(
        map=map_, source=first, title="«Хроніка»: “not drawn in” 🙂", author="Ales’ <Writer>",
        publisher="Nasha Niva & Co", url="https://example.org/article?id=1&x=<y>",
        notes="Line one\nline two: # not a heading", rights="CC BY 4.0",
    )
    MapSource.objects.create(map=map_, source=second)
    for user, role in ((ales, Role.CONTRIBUTOR), (daria, Role.CONTRIBUTOR), (tomas, Role.VIEWER)):
        membership = Membership.objects.create(map=map_, user=user, role=role, added_by=owner)
        history.record(map_, owner, Action.CREATE, membership)

    thesis = editing.add_thesis(map_, owner, THESIS_TEXT)
    quoted = evidence.add_evidence(
        map_, ales, first, thesis, "support", CLAIMS["quoted"], "“We will not be drawn\ninto anyone’s war.”"
    ).node
    minus = evidence.add_evidence(
        map_, daria, first, thesis, "oppose", CLAIMS["minus"], "‘a careful\u00a0hedge’"
    ).node
    relay, _ = editing.add_claim(minus, ales, CLAIMS["relay"], "oppose")
    evidence.add_quote(relay, ales, first, "the relay stations 🛰️ stopped working")
    cyrillic = evidence.add_evidence(
        map_, daria, first, quoted, "support", CLAIMS["cyrillic"], "«Это только начало»"
    ).node
    loyal = evidence.add_evidence(
        map_, owner, second, thesis, "oppose", CLAIMS["loyal"], "“is not the word\u00a0I would use.”"
    ).node
    # A second place for one claim, then taken away again: a deleted relation in the history.
    editing.attach(cyrillic, loyal, "oppose", owner)
    editing.detach(cyrillic, loyal, owner)
    # A quote added and then deleted.
    extra, _ = evidence.add_quote(loyal, owner, second, "Line one\r\nstays")
    editing.delete_quote(extra, owner)
    # An edit (version 2) and a pending node under moderation.
    editing.edit_text(relay, CLAIMS["relay"] + "\n(edited: <still> [text])", 1, ales)
    editing.add_claim(thesis, daria, CLAIMS["pending"], "support", moderated=True)
    # A deleted claim that had a quote and a comment.
    gone = evidence.add_evidence(
        map_, ales, first, minus, "support", CLAIMS["deleted"], "<b>Not markup</b> & [not a link](x)"
    ).node
    comments.post(gone, daria, "Comment on a node that is then deleted")
    editing.delete_node(gone, owner)

    question = comments.post(quoted, tomas, "Where is “drawn in” in the text?\nLine two: <script>alert(1)</script>")
    reply = comments.post(quoted, ales, "Second line of the article 🙂 — «Хроніка»", reply_to=question)
    comments.edit(reply, ales, "Second line of the article 🙂 — «Хроніка» (edited)")
    rude = comments.post(minus, daria, "- a rude remark # @someone")
    comments.hide(rude, owner)
    mistaken = comments.post(thesis, ales, "Posted by mistake")
    comments.delete(mistaken, ales)

    menu_end = FIRST_TEXT.index("\n")
    clutter = ClutterRange.objects.create(map=map_, source=first, start=0, end=menu_end,
                                          label="Menu «bar» <nav>", created_by=owner)
    history.record(map_, owner, Action.CREATE, clutter)
    removed = ClutterRange.objects.create(map=map_, source=second, start=0, end=5, label="not clutter",
                                          created_by=owner)
    history.record(map_, owner, Action.CREATE, removed)
    before = history.snapshot(removed)
    removed.soft_delete(by=owner)
    history.record(map_, owner, Action.DELETE, removed, before=before)
    Map.touch(map_.pk)
    map_.refresh_from_db()
    return map_
