"""Rendering tree rows one by one, outside the whole map page: the branch view and live updates.

Shared plumbing of the views (no URLs here). `TreePage` is what every row of one reader's page
shares; `render_card` and `render_row` give one row's HTML. Provisional: the partials of
templates/maps/detail.html through Django's template engine.
"""

from django.template.loader import render_to_string

from argmap.access import Access
from argmap.browsing import TreeState
from argmap.models import Map
from argmap.tree import Row


class TreePage:
    """One reader's view of a map's trees (their filter and open branches), as every row needs it."""

    def __init__(self, request, map_: Map, access: Access, state: TreeState):
        self.request = request
        self.map = map_
        self.access = access
        self.state = state
        # Without JavaScript a vote comes back to the map page, not to the fragment's address.
        self.vote_back = map_.get_absolute_url()

    def context(self, row: Row) -> dict:
        return {"map": self.map, "row": row, "state": self.state, "access": self.access, "vote_back": self.vote_back}


def render_card(row: Row, page: TreePage) -> str:
    """The row's own card without its children (`#{dom_id}-card`); a thesis's card (`#{dom_id}`)."""
    partial = "maps/detail.html#thesis_card" if row.depth == 1 else "maps/detail.html#card"
    return render_to_string(partial, page.context(row), request=page.request)


def render_row(row: Row, page: TreePage) -> str:
    """The row's `<li>` with its card and, if open, its children."""
    return render_to_string("maps/detail.html#row", page.context(row), request=page.request)
