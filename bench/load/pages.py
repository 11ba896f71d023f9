"""What a simulated student reads off Argmap's pages: the live poller, the CSRF token, the live
regions, and the links and forms they act on. Plain functions on HTML text (no Django), so the
locustfile stays about behaviour, and tests/test_load_pages.py checks them on real rendered pages.

Regular expressions, not an HTML parser: they look for the exact markup of our templates
(templates/maps/detail.html, focus.html, _live.html, _vote.html), cost little CPU in the load
generator that shares the machine with the server, and a template change that breaks them fails
that test.
"""

import html
import json
import re
from dataclasses import dataclass

POLLER = re.compile(r'<div id="live-poller"[^>]*\bhx-get="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
LIVE_REGION = re.compile(r'<(?:div|section)\b([^>]*\bdata-live-region\b[^>]*)>')
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
REPLY_LINK = re.compile(r'href="(/maps/[^"/]+/nodes/\d+/reply/\?stance=(?:support|oppose)&amp;path=[\d.]+)"')
COMMENTS_TOGGLE = re.compile(r'class="comments-toggle" data-comments-url="(/maps/[^"/]+/nodes/\d+/comments/)\?panel=([\w-]+)"')
VOTE_FORM = re.compile(r'<form class="vote-form" method="post" action="(/maps/[^"/]+/relations/(\d+)/vote/)".*?'
                       r'name="place" value="([\w-]+)"', re.S)
TOGGLE_BUTTON = re.compile(r'<div class="toggle"><button [^>]*hx-get="([^"]+)" hx-target="#([\w-]+)"[^>]*'
                           r'aria-expanded="(true|false)"')
BRANCH_PATH = re.compile(r"path=([\d.]+)")
FOCUS_LINK = re.compile(r'<a href="(/maps/[^"/]+/nodes/\d+/[^"#]*)">Focus</a>')
READER_LINK = re.compile(r'<a href="(/maps/[^"/]+/sources/[\w-]+/)">')
ROW_PATH = re.compile(r'<(?:li|section)\b[^>]*\bdata-path="([\d.]+)"')
LIVE_NODES = re.compile(r'\bdata-live-nodes="([\d ]*)"')
ROWS_URL = re.compile(r'\bdata-live-rows-url="([^"]+)"')


@dataclass
class Toggle:
    """A row's show/hide button: what htmx asks (`url`, which says whether the row comes back open)
    and swaps."""

    url: str
    target: str
    path: str  # the row's key: thesis id, child id, ... joined by dots
    opens: bool  # a "Show" button (the branch is closed)

    def request_url(self) -> str:
        return self.url


@dataclass
class LiveRegion:
    id: str
    url: str  # data-live-url, "" for the page's own address
    tree: bool


def poll_url(page: str) -> str | None:
    """The activity URL the page's poller asks (token and `since` in its query), or None."""
    found = POLLER.search(page)
    return html.unescape(found.group(1)) if found else None


def csrf_token(page: str) -> str | None:
    found = CSRF_HEADER.search(page)
    return found.group(1) if found else None


def live_regions(page: str) -> list[LiveRegion]:
    """The regions static/js/live.js refreshes. On a page with the tree, only the tree: the comment
    panels open in it are inside it (live.js keeps only the outermost regions)."""
    regions = []
    for found in LIVE_REGION.finditer(page):
        attributes = {name: html.unescape(value or "") for name, value in ATTRIBUTE.findall(found.group(1))}
        if attributes.get("id"):
            regions.append(LiveRegion(attributes["id"], attributes.get("data-live-url", ""), "data-live-tree" in attributes))
    trees = [region for region in regions if region.tree]
    return trees or regions


def reply_links(page: str) -> list[str]:
    return [html.unescape(url) for url in REPLY_LINK.findall(page)]


def comment_threads(page: str) -> list[tuple[str, str]]:
    """(thread URL, panel id) for each row's "Discuss here"."""
    return COMMENTS_TOGGLE.findall(page)


def vote_forms(page: str) -> list[tuple[str, int, str]]:
    """(cast URL, relation id, place) for each vote widget."""
    return [(url, int(relation), place) for url, relation, place in VOTE_FORM.findall(page)]


def toggles(page: str) -> list[Toggle]:
    """The show/hide button of each row with children, one per row: where a row appears twice (a
    branch fetched after the page and appended to it), the later one is how it is now."""
    found = {}
    for url, target, expanded in TOGGLE_BUTTON.findall(page):
        url = html.unescape(url)
        path = BRANCH_PATH.search(url).group(1)
        found[path] = Toggle(url, target, path, expanded == "false")
    return list(found.values())


def open_paths(page: str) -> list[str]:
    """The rows whose branch is open: what live.js sends as `open` when it fetches the tree again."""
    return [toggle.path for toggle in toggles(page) if not toggle.opens]


def focus_links(page: str) -> list[str]:
    return sorted({html.unescape(url) for url in FOCUS_LINK.findall(page)})


def reader_links(page: str) -> list[str]:
    return sorted(set(READER_LINK.findall(page)))


def row_paths(page: str) -> list[str]:
    """The paths of the tree rows the page shows (theses' sections and rows), as live.js finds them."""
    return ROW_PATH.findall(page)


def rows_url(page: str) -> str | None:
    """Where live.js asks for the rows that changed (the trees' `data-live-rows-url`), or None."""
    found = ROWS_URL.search(page)
    return html.unescape(found.group(1)) if found else None


def shows_any(page: str, node_ids: set[int]) -> bool:
    """Whether live.js would fetch this page's regions again for a change to these nodes: a region
    that names the nodes it shows (`data-live-nodes`) only if one of them changed, one that does not
    always."""
    regions = [found.group(1) for found in LIVE_REGION.finditer(page)]
    return any(
        not (named := LIVE_NODES.search(region)) or node_ids & {int(n) for n in named.group(1).split()}
        for region in regions
    )


def changed_detail(trigger: str) -> dict | None:
    """The `argmap-changed` event's detail in a changed poll's HX-Trigger header: which nodes changed
    (argmap/live.py); None when the header names the event alone (anything may have changed)."""
    try:
        detail = json.loads(trigger)
    except ValueError:
        return None
    return detail.get("argmap-changed") if isinstance(detail, dict) else None
