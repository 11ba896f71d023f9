"""The browsing pages as a visitor sees them: status, text in the HTML, who may see what."""

import re

import pytest
from django.test import override_settings

from argmap.access import Access
from argmap.models import Comment, Node, Quote, Source, Visibility

from tests.helpers import HTMX, htmx


def page_url(map_):
    return map_.get_absolute_url()


def branch_url(map_, *path, **params):
    query = "&".join([f"path={'.'.join(map(str, path))}"] + [f"{k}={v}" for k, v in params.items()])
    return f"/maps/{map_.code}/branch/?{query}"


@pytest.fixture
def small(build):
    """A thesis with a supporting claim (which has evidence under it) and an opposing one."""
    b = build()
    thesis = b.thesis("Lukashenko is hedging")
    pro = b.claim("He keeps doors open", under=thesis)
    evidence = b.claim("Stations went quiet", under=pro, quote="The relay stations stopped working.")
    con = b.claim("He is a loyal ally", under=thesis, stance="oppose")
    evidence.bear_on(con, "oppose")
    return b.map, thesis, pro, evidence, con


# Map list


def test_it_lists_public_maps_but_not_unlisted_or_private_ones(client, build):
    public, unlisted, private = (build(v).map for v in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE))
    for m, title in [(public, "Open map"), (unlisted, "Link-only map"), (private, "Secret map")]:
        m.title = title
        m.save()
    html = client.get("/").content.decode()
    assert "Open map" in html and "Link-only map" not in html and "Secret map" not in html


def test_it_lists_a_users_own_private_maps_for_them(client, build, teacher):
    private = build(Visibility.PRIVATE).map
    client.force_login(teacher)
    assert private.title in client.get("/").content.decode()


def test_it_answers_405_to_a_post_on_browsing_pages(client, small, article):
    map_, thesis, *_ = small
    urls = ["/", page_url(map_), branch_url(map_, thesis.pk), f"/maps/{map_.code}/nodes/{thesis.pk}/",
            f"/maps/{map_.code}/sources/{article.code}/"]
    for url in urls:
        assert client.post(url).status_code == 405, url


# Map page


def test_it_shows_each_thesis_with_its_first_level_marked_by_side(client, small):
    map_, thesis, pro, evidence, con = small
    html = client.get(page_url(map_)).content.decode()
    assert "Lukashenko is hedging" in html
    assert "He keeps doors open" in html and "He is a loyal ally" in html
    assert "Stations went quiet" not in html  # second level starts closed
    assert 'class="stance stance--support"' in html and "Supports" in html
    assert 'class="stance stance--oppose"' in html and "Opposes" in html
    assert "3 nodes below" in html  # pro, evidence (once, though it is in two places), con


def test_it_redirects_the_short_url_and_a_stale_slug_to_the_canonical_one(client, small):
    map_ = small[0]
    assert client.get(f"/maps/{map_.code}/").url == page_url(map_)
    response = client.get(f"/maps/{map_.code}/old-title/?filter=support")
    assert response.status_code == 302 and response.url == page_url(map_) + "?filter=support"


@pytest.mark.parametrize("title", ["Settings", "Members", "Activity", "Deleted", "Branch"])
def test_a_map_titled_like_one_of_its_pages_still_opens_as_a_map(client, build, title):
    map_ = build().map
    map_.title = title
    map_.save()
    response = client.get(page_url(map_))
    assert response.status_code == 200 and f"<h1>{title}</h1>" in response.content.decode()


def test_every_one_word_page_of_a_map_is_a_reserved_slug():
    from django.urls import get_resolver

    from argmap.models import Map

    words = set()

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern, route)
            else:
                found = re.fullmatch(r"maps/<slug:code>/([a-z-]+)/", route)
                if found:
                    words.add(found.group(1))

    walk(get_resolver())
    assert words and words <= Map.RESERVED_SLUGS


def test_it_answers_404_for_an_unknown_map(client, db):
    assert client.get("/maps/nosuchmap1/").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_it_hides_a_private_map_from_anyone_without_a_role(client, build, outsider, who):
    b = build(Visibility.PRIVATE)
    thesis = b.thesis()
    if who == "outsider":
        client.force_login(outsider)
    m = b.map
    for url in [page_url(m), branch_url(m, thesis.pk), f"/maps/{m.code}/nodes/{thesis.pk}/",
                f"/maps/{m.code}/sources/{b.source.code}/"]:
        assert client.get(url).status_code == 404, url


def test_it_shows_a_private_map_to_its_owner(client, build, teacher):
    b = build(Visibility.PRIVATE)
    b.thesis("Only mine")
    client.force_login(teacher)
    assert "Only mine" in client.get(page_url(b.map)).content.decode()


def test_it_opens_an_unlisted_map_by_its_code_only(client, build):
    b = build(Visibility.UNLISTED)
    b.thesis("Shared by link")
    assert client.get(page_url(b.map)).status_code == 200
    assert len(b.map.code) >= 10 and re.fullmatch(r"[a-z0-9]+", b.map.code)
    assert b.map.title not in client.get("/").content.decode()


def test_it_opens_a_branch_without_javascript_and_offers_to_close_it(client, small):
    map_, thesis, pro, evidence, con = small
    html = client.get(page_url(map_), {"open": f"{thesis.pk}.{pro.pk}"}).content.decode()
    assert "Stations went quiet" in html
    toggle = re.search(rf'id="node-{thesis.pk}-{pro.pk}-toggle" aria-expanded="(\w+)"', html)
    assert toggle.group(1) == "true"
    # Without JavaScript its button sends the page's open branches with the row as `toggle`...
    form = html[html.index('<form id="tree-open"') :]
    form = form[: form.index("</form>")]
    assert f'name="open" value="{thesis.pk}.{pro.pk}"' in form
    assert f'form="tree-open" name="toggle" value="{thesis.pk}.{pro.pk}"' in html
    # ...and is sent on to the tree it asked for: the branch closed, or opened.
    closed = client.get(page_url(map_), {"open": f"{thesis.pk}.{pro.pk}", "toggle": f"{thesis.pk}.{pro.pk}"})
    assert closed.status_code == 302 and closed["Location"] == page_url(map_)
    opened = client.get(page_url(map_), {"toggle": f"{thesis.pk}.{pro.pk}", "filter": "support"})
    assert opened["Location"] == f"{page_url(map_)}?open={thesis.pk}.{pro.pk}&filter=support"
    assert "Stations went quiet" in client.get(opened["Location"]).content.decode()


def test_it_ignores_open_branches_that_are_not_paths_of_the_map(client, small):
    map_, thesis, pro, evidence, con = small
    response = client.get(page_url(map_), {"open": [f"{pro.pk}.{evidence.pk}", "junk", "1.2.3"]})
    assert response.status_code == 200 and "Stations went quiet" not in response.content.decode()


def test_it_returns_only_the_trees_to_htmx_when_the_filter_changes(client, small):
    map_ = small[0]
    response = client.get(page_url(map_), {"filter": "support"}, headers=htmx("trees"))
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.lstrip().startswith('<div id="trees"')
    assert "He keeps doors open" in html and "He is a loyal ally" not in html


@pytest.mark.parametrize(
    "name,shown,hidden",
    [("support", ["He keeps doors open", "Stations went quiet"], ["He is a loyal ally"]),
     ("oppose", ["He is a loyal ally", "Stations went quiet"], ["He keeps doors open"]),
     ("evidence", ["He keeps doors open", "He is a loyal ally", "Stations went quiet"], [])],
)
def test_it_filters_the_tree(client, small, name, shown, hidden):
    map_ = small[0]
    html = client.get(page_url(map_), {"filter": name, "expand": "all"}).content.decode()
    for text in shown:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


def test_it_filters_out_branches_without_evidence(client, small, build):
    map_, thesis, *_ = small
    Node.objects.create(map=map_, text="Bare opinion", author=None).bear_on(thesis, "support")
    assert "Bare opinion" in client.get(page_url(map_)).content.decode()
    assert "Bare opinion" not in client.get(page_url(map_), {"filter": "evidence"}).content.decode()


def test_it_treats_an_unknown_filter_as_everything(client, small):
    html = client.get(page_url(small[0]), {"filter": "<script>"}).content.decode()
    assert "He is a loyal ally" in html and "<script>" not in html


def test_it_expands_everything_on_a_small_map_and_refuses_on_a_large_one(client, small):
    map_ = small[0]
    html = client.get(page_url(map_), {"expand": "all"}).content.decode()
    assert html.count("Stations went quiet") == 2 and "Collapse all" in html
    with override_settings(ARGMAP_EXPAND_ALL_LIMIT=3):
        html = client.get(page_url(map_), {"expand": "all"}).content.decode()
    assert "Stations went quiet" not in html and "too large to expand all" in html


def test_it_says_where_else_a_shared_node_appears(client, small):
    map_, thesis, pro, evidence, con = small
    html = client.get(page_url(map_), {"open": f"{thesis.pk}.{pro.pk}"}).content.decode()
    assert "Also in 1 other place" in html
    assert f'?open={thesis.pk}.{con.pk}#node-{thesis.pk}-{con.pk}-{evidence.pk}"' in html


def test_it_shows_a_quote_with_a_link_to_its_highlighted_passage(client, small, article):
    map_, thesis, pro, evidence, con = small
    quote = evidence.quotes.get()
    html = client.get(page_url(map_), {"open": f"{thesis.pk}.{pro.pk}"}).content.decode()
    assert "<blockquote>The relay stations stopped working.</blockquote>" in html
    assert f'href="/maps/{map_.code}/sources/{article.code}/?quote={quote.pk}#quote-{quote.pk}"' in html
    assert "Test article" in html


def test_it_counts_only_descendants_the_viewer_can_see(client, small):
    map_, thesis, pro, evidence, con = small
    evidence.soft_delete()
    html = client.get(page_url(map_)).content.decode()
    assert "2 nodes below" in html


# The branch fragment


def test_it_returns_one_row_to_htmx(client, small):
    map_, thesis, pro, evidence, con = small
    response = client.get(branch_url(map_, thesis.pk, pro.pk, open=f"{thesis.pk}.{pro.pk}"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(f'<li id="node-{thesis.pk}-{pro.pk}"') and "Stations went quiet" in html
    closed = client.get(branch_url(map_, thesis.pk, pro.pk), headers=HTMX).content.decode()
    assert "Stations went quiet" not in closed and 'aria-expanded="false"' in closed


def test_it_sends_a_branch_request_without_htmx_to_the_page(client, small):
    map_, thesis, pro, *_ = small
    response = client.get(branch_url(map_, thesis.pk, pro.pk, open=f"{thesis.pk}.{pro.pk}"))
    assert response.status_code == 302
    assert response.url.startswith(page_url(map_)) and f"#node-{thesis.pk}-{pro.pk}" in response.url


def test_it_refuses_a_branch_that_is_not_in_the_map(client, small, build):
    map_, thesis, pro, evidence, con = small
    assert client.get(f"/maps/{map_.code}/branch/?path=x.y", headers=HTMX).status_code == 400
    assert client.get(f"/maps/{map_.code}/branch/", headers=HTMX).status_code == 400
    assert client.get(branch_url(map_, thesis.pk, evidence.pk), headers=HTMX).status_code == 404
    other = build().thesis("Elsewhere")
    assert client.get(branch_url(map_, other.pk), headers=HTMX).status_code == 404


# Focus view


def test_it_focuses_a_node_with_its_path_sides_children_and_places(client, small):
    map_, thesis, pro, evidence, con = small
    html = client.get(f"/maps/{map_.code}/nodes/{evidence.pk}/?path={thesis.pk}.{pro.pk}.{evidence.pk}").content.decode()
    crumbs = html[html.index('aria-label="Breadcrumb"') : html.index("</nav>", html.index('aria-label="Breadcrumb"'))]
    assert crumbs.index("Lukashenko is hedging") < crumbs.index("He keeps doors open")
    assert "<h1" in html and "Stations went quiet</h1>" in html
    assert "Where it appears" in html and html.count("show there in the tree") == 2
    assert "For: “Lukashenko is hedging”" in html
    pro_html = client.get(f"/maps/{map_.code}/nodes/{pro.pk}/").content.decode()
    supporting = pro_html[pro_html.index("Supporting (1)") : pro_html.index("Opposing (0)")]
    assert "Stations went quiet" in supporting


def test_it_names_every_thesis_a_focused_node_serves_through_other_claims(client, small):
    map_, thesis, pro, evidence, con = small
    second = Node.objects.create(map=map_, kind="thesis", text="Belarus is a loyal ally")
    middle = Node.objects.create(map=map_, text="A claim between")
    middle.bear_on(second, "oppose")
    deep = Node.objects.create(map=map_, text="Deep evidence")
    deep.bear_on(middle, "support")
    deep.bear_on(pro, "support")
    html = client.get(f"/maps/{map_.code}/nodes/{deep.pk}/").content.decode()
    assert "For: “Lukashenko is hedging”" in html and "Against: “Belarus is a loyal ally”" in html


def test_it_focuses_every_node_of_the_demo_map(client, demo_map):
    for node in demo_map.nodes.all():
        assert client.get(f"/maps/belarus/nodes/{node.pk}/").status_code == 200, node.text


def test_it_marks_a_node_contested_where_paths_disagree(client, small):
    map_, thesis, pro, evidence, con = small
    # evidence supports pro (for the thesis) and opposes con (an oppose of an oppose: also for it)
    assert "For: “Lukashenko is hedging”" in client.get(f"/maps/{map_.code}/nodes/{evidence.pk}/").content.decode()
    extra = Node.objects.create(map=map_, text="Undercuts both", author=None)
    extra.bear_on(pro, "support")
    extra.bear_on(con, "support")
    html = client.get(f"/maps/{map_.code}/nodes/{extra.pk}/").content.decode()
    assert "Contested for: “Lukashenko is hedging”" in html


def test_it_shows_threaded_comments_escaped_with_links(client, small, teacher, outsider):
    map_, thesis, pro, *_ = small
    first = Comment.objects.create(node=pro, author=teacher, text="Source? see https://example.org/a <b>bold</b>")
    Comment.objects.create(node=pro, author=outsider, reply_to=first, text="Reply here")
    Comment.objects.create(node=pro, author=outsider, text="Gone", deleted_at="2026-01-01T00:00Z")
    html = client.get(f"/maps/{map_.code}/nodes/{pro.pk}/").content.decode()
    assert '<a href="https://example.org/a" rel="nofollow">https://example.org/a</a>' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    reply_at = html.index("Reply here")
    assert html.rindex('class="comments replies"', 0, reply_at) > html.index("Source? see")
    assert "Gone" not in html and "Comments (2)" in html


def test_it_answers_404_for_a_deleted_node_or_one_of_another_map(client, small, build):
    map_, thesis, pro, evidence, con = small
    con.soft_delete()
    assert client.get(f"/maps/{map_.code}/nodes/{con.pk}/").status_code == 404
    other = build().thesis("Elsewhere")
    assert client.get(f"/maps/{map_.code}/nodes/{other.pk}/").status_code == 404


def test_it_escapes_node_text_everywhere(client, small, article):
    map_, thesis, pro, evidence, con = small
    pro.text = '<script>alert("x")</script>'
    pro.save()
    for url in [page_url(map_), f"/maps/{map_.code}/nodes/{pro.pk}/", f"/maps/{map_.code}/nodes/{evidence.pk}/",
                f"/maps/{map_.code}/sources/{article.code}/?at=0"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url


# Source reader


def test_it_shows_the_source_text_exactly_with_quotes_highlighted(client, small, article):
    map_, thesis, pro, evidence, con = small
    quote = evidence.quotes.get()
    html = client.get(f"/maps/{map_.code}/sources/{article.code}/").content.decode()
    body = html[html.index('id="source-text"') :]
    body = body[body.index(">") + 1 : body.index("</div>")]
    text = re.sub(r"<[^>]+>", "", body)
    assert text == article.text.replace("\n", "\n")
    assert f'<span class="quote-anchor" id="quote-{quote.pk}"></span>' in body
    assert '<a class="hl hl-support"' in body and ">The relay stations stopped working.</a>" in body


def test_it_marks_the_quote_a_link_points_at(client, small, article):
    map_, thesis, pro, evidence, con = small
    quote = evidence.quotes.get()
    html = client.get(f"/maps/{map_.code}/sources/{article.code}/", {"quote": quote.pk}).content.decode()
    assert 'class="hl hl-support is-target"' in html
    assert "This quote and those overlapping it (1)" in html


def test_it_lists_every_quote_over_a_point_of_the_text(client, small, article):
    map_, thesis, pro, evidence, con = small
    overlapping = Node.objects.create(map=map_, text="Overlaps", author=None)
    overlapping.bear_on(con, "support")
    Quote.anchor(overlapping, article, "stations stopped working. Minsk").save()
    at = article.text.index("stopped")
    html = client.get(f"/maps/{map_.code}/sources/{article.code}/", {"at": at}).content.decode()
    panel = html[html.index('id="passage-uses"') : html.index("</section>", html.index('id="passage-uses"'))]
    assert "Quoted here (2)" in panel and "Stations went quiet" in panel and "Overlaps" in panel
    assert "hl-overlap" in html


def test_it_returns_only_the_passage_panel_to_htmx(client, small, article):
    map_ = small[0]
    at = article.text.index("relay")
    response = client.get(f"/maps/{map_.code}/sources/{article.code}/", {"at": at},
                          headers=htmx("passage-uses"))
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<section id="passage-uses"')
    assert "Stations went quiet" in html


def test_it_colours_passages_by_the_chosen_thesis(client, small, article):
    map_, thesis, pro, evidence, con = small
    second = Node.objects.create(map=map_, kind="thesis", text="Second thesis")
    other_evidence = Node.objects.create(map=map_, text="For the second")
    other_evidence.bear_on(second, "oppose")
    Quote.anchor(other_evidence, article, "Moscow heard another.").save()
    first_view = client.get(f"/maps/{map_.code}/sources/{article.code}/").content.decode()
    assert ">Moscow heard another.</a>" in first_view and "hl hl-elsewhere" in first_view
    second_view = client.get(f"/maps/{map_.code}/sources/{article.code}/", {"thesis": second.pk}).content.decode()
    assert 'class="hl hl-oppose" href="?thesis=' in second_view


def test_it_answers_404_for_a_source_the_map_does_not_use(client, small, db):
    map_ = small[0]
    stranger = Source.objects.create(text="Not in this map.")
    assert client.get(f"/maps/{map_.code}/sources/{stranger.code}/").status_code == 404
    assert client.get(f"/maps/{map_.code}/sources/nosuchsource/").status_code == 404


def test_it_ignores_nonsense_reader_parameters(client, small, article):
    map_ = small[0]
    response = client.get(f"/maps/{map_.code}/sources/{article.code}/",
                          {"quote": "abc", "at": "-5", "thesis": "9" * 40})
    assert response.status_code == 200


# The demo map, end to end


def test_it_serves_the_demo_map_pages(client, demo_map):
    html = client.get(page_url(demo_map)).content.decode()
    assert "Lukashenko is hedging" in html and "Belarus is a loyal ally" in html
    for source in demo_map.sources.all():
        assert client.get(f"/maps/belarus/sources/{source.code}/").status_code == 200
    assert client.get(page_url(demo_map), {"expand": "all"}).content.decode().count('class="quote"') >= 39


def test_it_serves_every_branch_and_every_quote_of_the_demo_map(client, demo_map):
    from argmap.browsing import read_graph
    from argmap.tree import build_row, walk

    graph = read_graph(Access.for_site_operator(demo_map))
    rows = list(walk([build_row(graph, (t,), expand_all=True) for t in graph.theses]))
    assert len(rows) > len(graph)  # shared nodes are drawn in more than one place
    for row in rows[:: max(1, len(rows) // 60)] + rows[-5:]:
        key = ".".join(map(str, row.path))
        response = client.get(f"/maps/belarus/branch/?path={key}&open={key}", headers=HTMX)
        assert response.status_code == 200, key
    for quote in Quote.objects.of_map(demo_map):
        response = client.get(f"/maps/belarus/sources/{quote.source.code}/", {"quote": quote.pk})
        assert response.status_code == 200 and 'is-target"' in response.content.decode()
