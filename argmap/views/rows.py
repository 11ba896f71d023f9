"""The map's tree rows as HTML, written by code: the map page, its `#trees` fragment and the branch
view draw every row here (a 1,000-row tree through template includes took seconds; see
bench/bench_render.py).

`TreePage` holds what the rows of one response share: the request, the map, the reader's Access,
the TreeState, and URL prefixes worked out once instead of a `reverse()` per link. `render_card`
and `render_row` take rows that already carry their nodes (browsing.attach_nodes) and votes
(votes.attach_row_votes). The HTML is the one the templates drew before: same ids, classes, links,
forms and texts.

A rendered card is kept in a small in-process cache whose key holds everything the card shows
(node content and status, quotes, counts, place, filter, expanded state) and everything about the
reader it depends on (may they change it, how they see its author's name, their vote widget), so
readers who would see the same card share it and any change yields a new key. What belongs to
one request only (the CSRF token, the page to come back to) is left out as a marker and filled in
on the way out: no token is ever shared through the cache. A row's show/hide button carries only
its own path: without JavaScript it submits the page's one `#tree-open` form (the open branches),
so no row repeats them.
"""

import re
import secrets
from functools import cached_property

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from argmap.browsing import TreeState, tree_url
from argmap.caching import KeptRecently
from argmap.models import NodeStatus
from argmap.tree import SUPPORT, Row
from argmap.votes import VoteBox

CARDS_KEPT = 8_000  # about 2 KB each: the cards of a few large maps per process
_cards: KeptRecently[tuple[str, ...]] = KeptRecently(CARDS_KEPT)

# Filled in per request (never cached): the CSRF field, the vote form's way back.
_CSRF, _BACK = "\x00csrf\x00", "\x00back\x00"
_MARKERS = re.compile(f"({_CSRF}|{_BACK})")

STANCE_LABELS = {"support": "Supports", "oppose": "Opposes"}
STATUS_BADGES = {
    NodeStatus.PENDING: '<span class="badge badge--pending">Pending approval</span>',
    NodeStatus.REJECTED: '<span class="badge badge--rejected">Rejected</span>',
}


def forget_rows() -> None:
    _cards.clear()


def esc(value) -> str:
    """Escaped like a template variable; NUL (which no browser shows) cannot forge a marker."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;").replace("\x00", "\ufffd"))


def plural(count: int) -> str:
    return "" if count == 1 else "s"


class _ById:
    """A URL with a node's (or relation's) id in it, from one reverse(): prefix + id + suffix."""

    def __init__(self, name: str, code: str):
        prefix, _, suffix = reverse(name, args=[code, 0]).rpartition("/0/")
        self.prefix, self.suffix = esc(prefix) + "/", "/" + esc(suffix)

    def __call__(self, pk: int) -> str:
        return f"{self.prefix}{pk}{self.suffix}"


class TreePage:
    """Everything the rows of one response share."""

    def __init__(self, request, map_, access, state: TreeState, *, back: str | None = None):
        """`back`: where a vote sent without JavaScript returns (this request's page by default)."""
        self.request, self.map, self.access, self.state = request, map_, access, state
        self._back = back
        code = map_.code
        self.map_url = esc(map_.get_absolute_url())
        self.branch_url = esc(reverse("map-branch", args=[code]))
        self.focus, self.thread = _ById("node-focus", code), _ById("comment-thread", code)
        self.reply, self.edit, self.delete = _ById("node-reply", code), _ById("node-edit", code), _ById("node-delete", code)
        self.attach, self.move = _ById("node-attach", code), _ById("node-move", code)
        self.stance, self.detach = _ById("node-stance", code), _ById("node-detach", code)
        self.cast, self.withdraw = _ById("vote-cast", code), _ById("vote-withdraw", code)
        self._readers: dict[str, str] = {}
        self.contributes = bool(access.can_contribute)
        self.moderated = bool(access.moderated)
        filter_name = state.filter
        self.filter_input = "" if filter_name == "all" else f'<input type="hidden" name="filter" value="{esc(filter_name)}">'
        self.filter_query = "" if filter_name == "all" else f"&amp;filter={esc(filter_name)}"
        # What every card on this page shares in its cache key.
        self.key = (map_.pk, self.map_url, filter_name, self.contributes, self.moderated)

    def reader_url(self, source_code: str) -> str:
        if source_code not in self._readers:
            self._readers[source_code] = esc(reverse("source-reader", args=[self.map.code, source_code]))
        return self._readers[source_code]

    def may_change(self, node) -> bool:
        return self.contributes and self.access.can_change(node)

    def focus_url(self, row: Row) -> str:
        url = self.focus(row.node_id)
        return f"{url}?path={row.key}" if len(row.path) > 1 else url

    def fill(self, marker: str) -> str:
        return self.csrf_input if marker == _CSRF else self.back

    def finish(self, html: str) -> str:
        """HTML with this request's own parts filled in."""
        if "\x00" not in html:
            return html
        if _CSRF in html:
            html = html.replace(_CSRF, self.csrf_input)
        if _BACK in html:
            html = html.replace(_BACK, self.back)
        return html

    @cached_property
    def back(self) -> str:
        return esc(self._back or self.request.get_full_path())

    @cached_property
    def csrf_input(self) -> str:
        # Asked for only when a card has a form: get_token marks the response as setting the cookie.
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(get_token(self.request))}">'


# Where the trees go in a rendered page; random, so no text on the page can forge it.
_TREES = f"<!--trees-{secrets.token_hex(16)}-->"


def page_with_trees(request, template_name: str, context: dict, theses: list[bytes]) -> HttpResponse:
    """`template_name` rendered with `theses` (render_thesis's sections) spliced in where the
    template writes `{{ thesis }}`: a thousand-row tree passed through the template would be copied
    again by each level of it (blocks, partials, loops), which cost more than drawing its rows."""
    context = {**context, "theses": [mark_safe(_TREES)] if theses else []}
    before, _, after = render_to_string(template_name, context, request).partition(_TREES)
    return HttpResponse(b"".join([before.encode(), *theses, after.encode()]))


def render_row(row: Row, page: TreePage) -> SafeString:
    """The row's `<li>`: its card and, when expanded, the `<ul>` of its child rows."""
    out: list[str] = []
    _row(row, page, out)
    return mark_safe("".join(out))


def _row(row: Row, page: TreePage, out: list[str]) -> None:
    # Appends to one list for the whole tree: joining at every level would copy each branch again.
    node = row.node
    classes = f"node node--{row.stance}"
    if node.live_quotes:
        classes += " node--evidence"
    if node.status != NodeStatus.APPROVED:
        classes += f" node--{node.status}"
    out.append(f'<li id="{row.dom_id}" data-path="{row.key}" class="{classes}">')
    for part in _card_parts(row, page):
        out.append(page.fill(part) if part[0] == "\x00" else part)
    if row.expanded:
        _children(row, page, out)
    out.append("</li>")


def render_card(row: Row, page: TreePage) -> SafeString:
    """The row's `<div class="node-card" id="{row.dom_id}-card">` without its children; a thesis's
    `<div class="thesis-card" id="{row.dom_id}">` (what live updates swap)."""
    if row.depth == 1:
        return mark_safe(page.finish(_thesis_card(row, page)))
    return mark_safe("".join(page.fill(part) if part[0] == "\x00" else part for part in _card_parts(row, page)))


def _card_parts(row: Row, page: TreePage) -> tuple[str, ...]:
    """The card, kept cut at its markers: filling them in is then a look at each part's first
    character, not a search through a page of a thousand cards (which cost more than drawing them)."""
    return _cards.get(_card_key(row, page), lambda: tuple(part for part in _MARKERS.split(_card(row, page)) if part))


def render_thesis(row: Row, page: TreePage) -> bytes:
    """A thesis's section: its card, then its tree (or a word on why there is none), encoded for
    `page_with_trees`. Encoded part by part: joined first, one curly quote in one card would make
    Python hold the whole tree at two bytes a character, to widen, copy and encode again."""
    node = row.node
    section_class = "thesis-tree" if node.status == NodeStatus.APPROVED else f"thesis-tree thesis-tree--{node.status}"
    parts = [
        f'<section data-path="{row.key}" class="{section_class}" aria-labelledby="{row.dom_id}-text">',
        page.finish(_thesis_card(row, page)),
    ]
    if row.children:
        _children(row, page, parts)
    else:
        what = "matches this filter" if page.state.filter != "all" else "bears on this thesis yet"
        parts.append(f'<p class="muted empty-tree">Nothing {what}.</p>')
    parts.append("</section>")
    return b"".join([part.encode() for part in parts])


def _thesis_card(row: Row, page: TreePage) -> str:
    node, dom_id = row.node, row.dom_id
    focus = page.focus_url(row)
    return "".join([
        f'<div class="thesis-card" id="{dom_id}">',
        f'<p class="kind-label">Thesis {STATUS_BADGES.get(node.status, "")}</p>',
        f'<h2 class="node-text" id="{dom_id}-text">{esc(node.text)}</h2>',
        _feedback(node),
        '<p class="node-meta">',
        f"<span>{row.descendant_count} node{plural(row.descendant_count)} below</span>",
        f'<a href="{focus}#comments">{node.comment_count} comment{plural(node.comment_count)}</a>',
        f'<a href="{focus}#comments" class="comments-toggle" data-comments-url="{page.thread(node.pk)}?panel={dom_id}-comments">Discuss here</a>',
        f'<a href="{focus}">Focus</a>',
        "</p>",
        _controls(row, page) if page.contributes else "",
        "</div>",
    ])


def _children(row: Row, page: TreePage, out: list[str]) -> None:
    out.append(f'<ul class="tree" id="{row.dom_id}-children">')
    for child in row.children:
        _row(child, page, out)
    if row.more_children:
        out.append(render_more(row, page))
    out.append("</ul>")


def render_more(parent: Row, page: TreePage) -> str:
    """The "Show N more" item that ends a long level of children."""
    # A thesis's level reloads the page; a deeper one swaps just its row.
    swap = f' hx-get="{page.branch_url}" hx-target="#{parent.dom_id}" hx-swap="outerHTML"' if parent.depth > 1 else ""
    return (
        f'<li class="more-children"><form method="get" action="{page.branch_url}"{swap}>'
        f'<input type="hidden" name="path" value="{parent.key}">'
        f'<input type="hidden" name="open" value="{parent.key}">'
        '<input type="hidden" name="children" value="all">'
        f'{page.filter_input}<button type="submit" class="secondary">Show {parent.more_children} more</button>'
        "</form></li>"
    )


def _card_key(row: Row, page: TreePage) -> tuple:
    """Everything `_card` reads, as values: equal keys, equal cards."""
    node = row.node
    review = getattr(node, "latest_review", None)
    return (
        page.key,
        row.path, row.stance, row.side, row.descendant_count, row.child_count, row.expanded,
        tuple((parent.pk, parent.text, stance, place) for parent, stance, place in row.other_places),
        node.shown(), review.feedback if review is not None else None,
        page.access.name_of(node.author) if node.author_id else None,
        page.may_change(node),
        _vote_key(getattr(row, "vote", None)),
    )


def _vote_key(box: VoteBox | None) -> tuple | None:
    # Plain values: compared as a tuple of ints, not dataclass by dataclass, for every row's lookup.
    if box is None:
        return None
    summary = box.summary
    return (box.relation_id, summary.count, summary.total, summary.mine, box.revealed, box.can_vote)


def _card(row: Row, page: TreePage) -> str:
    node, dom_id = row.node, row.dom_id
    focus = page.focus_url(row)
    parts = [
        f'<div class="node-card" id="{dom_id}-card">',
        '<p class="node-head">',
        f'<span class="stance stance--{row.stance}"><span class="stance-icon" aria-hidden="true">'
        # &minus;, not the character: one character beyond ASCII makes Python store the whole page
        # at two bytes a character, for every copy and for the encoding of the response.
        f'{"+" if row.stance == SUPPORT else "&minus;"}</span> {STANCE_LABELS.get(row.stance, "")}</span>',
    ]
    if node.live_quotes:
        parts.append('<span class="badge badge--evidence">Evidence</span>')
    if row.side == "contested":
        parts.append('<span class="badge badge--contested">Contested for this thesis</span>')
    parts += [STATUS_BADGES.get(node.status, ""), "</p>", f'<p class="node-text">{esc(node.text)}</p>', _feedback(node)]
    for quote in node.live_quotes:
        source = quote.source
        author = f", {esc(source.author)}" if source.author else ""
        parts.append(
            f'<figure class="quote"><blockquote>{esc(quote.exact)}</blockquote><figcaption>'
            f'<a href="{page.reader_url(source.code)}?quote={quote.pk}#quote-{quote.pk}">{esc(source.display_title)}</a>'
            f"{author}</figcaption></figure>"
        )
    parts += [
        '<p class="node-meta">',
        f"<span>{row.descendant_count} below</span>",
        f'<a href="{focus}#comments">{node.comment_count} comment{plural(node.comment_count)}</a>',
        # Opens the thread under the row (static/js/live.js); without JavaScript, the focus view's comments.
        f'<a href="{focus}#comments" class="comments-toggle" data-comments-url="{page.thread(node.pk)}?panel={dom_id}-comments">Discuss here</a>',
        f'<a href="{focus}">Focus</a>',
    ]
    if node.author_id:
        parts.append(f'<span class="muted">by {esc(page.access.name_of(node.author))}</span>')
    parts.append("</p>")
    vote = getattr(row, "vote", None)
    if vote:
        parts.append(vote_widget(vote, dom_id, page))
    if row.other_places:
        count = len(row.other_places)
        parts.append(f'<details class="other-places"><summary>Also in {count} other place{plural(count)}</summary><ul>')
        for parent, stance, place in row.other_places:
            url = esc(tree_url(page.map, place, page.state.filter))
            parts.append(f'<li>{STANCE_LABELS.get(stance, "")} <a href="{url}">{esc(parent.text)}</a></li>')
        parts.append("</ul></details>")
    if row.child_count:
        # Without JavaScript the button submits the page's #tree-open form (its open branches) with
        # this path as `toggle`, and the page comes back with the branch flipped; htmx asks for just
        # this row, opened or closed, and swaps it.
        expanded = row.expanded
        controls = f' aria-controls="{dom_id}-children"' if expanded else ""
        opens = "" if expanded else f"&amp;open={row.key}"
        parts.append(
            f'<div class="toggle"><button type="submit" form="tree-open" name="toggle" value="{row.key}"'
            f' formaction="{page.map_url}#{dom_id}" hx-get="{page.branch_url}?path={row.key}{opens}{page.filter_query}"'
            # hx-params: htmx would add the button's own `toggle`, flipping the row back.
            f' hx-target="#{dom_id}" hx-swap="outerHTML" hx-params="none"'
            f' id="{dom_id}-toggle" aria-expanded="{"true" if expanded else "false"}"{controls}>'
            f'{"Hide" if expanded else "Show"} {row.child_count} response{plural(row.child_count)}</button></div>'
        )
    if page.contributes:
        parts.append(_controls(row, page))
    parts.append("</div>")
    return "".join(parts)


def _feedback(node) -> str:
    review = getattr(node, "latest_review", None)
    if node.status != NodeStatus.REJECTED or review is None or not review.feedback:
        return ""
    text = esc(review.feedback.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")
    return ('<div class="review-feedback"><p class="review-feedback-label">The teacher\'s feedback</p>'
            f'<p class="review-feedback-text">{text}</p></div>')


def vote_widget(box: VoteBox, place: str, page: TreePage) -> str:
    """templates/maps/_vote.html for one row (tests/test_rows.py holds the two to the same HTML)."""
    summary, parts = box.summary, [f'<div class="vote" id="{place}-vote">']
    if box.can_vote:
        cast = page.cast(box.relation_id)
        parts.append(
            f'<form class="vote-form" method="post" action="{cast}" hx-post="{cast}" hx-target="#{place}-vote"'
            f' hx-swap="outerHTML">{_CSRF}<input type="hidden" name="place" value="{place}">'
            f'<input type="hidden" name="next" value="{_BACK}"><fieldset class="vote-scale"><legend>Impact if true</legend>'
        )
        for value, word in box.choices:
            checked = " checked" if summary.mine == value else ""
            parts.append(f'<label class="vote-choice"><input type="radio" name="impact" value="{value}"{checked}>'
                         f' {value} <span class="vote-word">{word}</span></label>')
        label = "Vote" if summary.mine is None else "Change vote"
        parts.append(f'</fieldset><button type="submit" class="secondary" id="{place}-vote-submit">{label}</button>')
        if summary.mine is not None:
            withdraw = page.withdraw(box.relation_id)
            parts.append(f'<button type="submit" class="link-button" formaction="{withdraw}" hx-post="{withdraw}">'
                         "Withdraw my vote</button>")
        parts.append("</form>")
    if box.revealed:
        said = (f"Impact {floatformat(summary.mean, 1)} of 4, from {summary.count} vote{plural(summary.count)}"
                if summary.count else "No impact votes yet")
        mine = f" &middot; yours: {summary.mine}" if summary.mine is not None else ""
        parts.append(f'<p class="vote-summary">{said}{mine}</p>')
    elif box.can_vote:
        parts.append("<p class=\"vote-summary muted\">Vote to see the others' votes.</p>")
    parts.append("</div>")
    return "".join(parts)


def _controls(row: Row, page: TreePage) -> str:
    """Changing the map: each link opens its form in the slot below (htmx) or on a page of its own."""
    key, node_id, deeper = row.key, row.node_id, row.depth > 1
    may_change = page.may_change(row.node)
    parts = [f'<div class="node-controls" hx-target="#{row.dom_id}-slot" hx-swap="innerHTML">']
    if row.expanded and deeper:
        parts.append(f'<input type="hidden" class="tree-state" name="open" value="{key}">')
    reply = page.reply(node_id)
    parts.append(f'<a href="{reply}?stance=support&amp;path={key}" hx-get="{reply}?stance=support&amp;path={key}">Reply for</a>')
    parts.append(f'<a href="{reply}?stance=oppose&amp;path={key}" hx-get="{reply}?stance=oppose&amp;path={key}">Reply against</a>')
    if may_change:
        parts.append(_link(page.edit(node_id), key, "Edit"))
    if may_change or (deeper and not page.moderated):
        parts.append('<details class="more-controls"><summary>More</summary><ul>')
        # Under moderation a student places only their own claims (views/relations.py says why).
        if deeper and (not page.moderated or may_change):
            parts.append(f"<li>{_link(page.attach(node_id), key, 'Also place under&hellip;')}</li>")
        if may_change:
            if deeper:
                parts.append(f"<li>{_link(page.move(node_id), key, 'Move&hellip;')}</li>")
                other = "oppose" if row.stance == SUPPORT else "support"
                parts.append(f"<li>{_post(page.stance(node_id), key, f'Make it {other}', other)}</li>")
                if row.other_places:
                    parts.append(f"<li>{_post(page.detach(node_id), key, 'Take it out from here')}</li>")
            parts.append(f"<li>{_link(page.delete(node_id), key, 'Delete&hellip;')}</li>")
        parts.append("</ul></details>")
    parts.append(f'</div><div id="{row.dom_id}-slot" class="edit-slot"></div>')
    return "".join(parts)


def _link(url: str, key: str, label: str) -> str:
    return f'<a href="{url}?path={key}" hx-get="{url}?path={key}">{label}</a>'


def _post(url: str, key: str, label: str, stance: str | None = None) -> str:
    """A one-button form that changes the tree and brings it back as it was (the `.tree-state` inputs)."""
    stance_input = f'<input type="hidden" name="stance" value="{stance}">' if stance else ""
    return (f'<form method="post" action="{url}" hx-post="{url}" hx-target="#trees" hx-swap="outerHTML"'
            f' hx-include="#trees .tree-state" hx-replace-url="true">{_CSRF}'
            f'<input type="hidden" name="path" value="{key}">{stance_input}'
            f'<button type="submit" class="link-button">{label}</button></form>')
