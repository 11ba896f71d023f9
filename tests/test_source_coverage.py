"""Source coverage: how much of each source a map quotes (page clutter left out), which passages
serve which thesis and side, the paragraphs nobody has used yet, and which way each source leans.

Only approved evidence counts, for everyone: a student's pending claim is left out of the figures
for its author and the teacher too, so the whole class reads the same numbers.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from argmap import ratings
from argmap.browsing import forget_graphs
from argmap.models import ClutterRange, MapSource, Node, NodeStatus, Quote, Source, Visibility
from argmap.source_coverage import Lean, Tally, quoted_outside
from argmap.synthetic import Shape, build_map

LINES = [
    "MENU | HOME | WORLD | SUBSCRIBE TO OUR NEWSLETTER TODAY",  # 0..55, marked as clutter
    "Minsk said one thing and Moscow heard another thing entirely.",  # 56..117
    "The relay stations stopped working on the night of the raid.",  # 118..178
    "Officials denied everything, but the railway was cut in three places.",  # 179..248
    "By A. Writer",  # 249..261: too short to count as a paragraph
]
TEXT = "\n".join(LINES) + "\n"  # 262 characters


@pytest.fixture
def covered(lesson):
    """An exercise's map under moderation quoting TEXT (two theses, overlapping quotes, a quote in the
    clutter, a claim contested for the first thesis) and a student's pending claim quoting line 3.

    T1: a supports (56..76), b opposes (67..93), c opposes b so serves T1 (122..152),
        e supports both a and b: contested (22..31, inside the clutter).
    T2: d opposes (137..165).
    """
    l = lesson(moderation=True)
    source = Source.objects.create(text=TEXT)
    MapSource.objects.create(map=l.map, source=source, title="Relay report")
    b = l.builder
    b.source = source
    t1, t2 = b.thesis("Belarus is hedging"), b.thesis("Belarus is a loyal ally")
    a = b.claim("Minsk said one thing", under=t1, quote="Minsk said one thing")
    opposing = b.claim("Moscow heard otherwise", under=t1, stance="oppose", quote="one thing and Moscow heard")
    b.claim("The stations stopped", under=opposing, stance="oppose", quote="relay stations stopped working")
    b.claim("On the night", under=t2, stance="oppose", quote="stopped working on the night")
    both = b.claim("Both are true", under=a, quote="SUBSCRIBE")
    both.bear_on(opposing, "support")
    ClutterRange.objects.create(map=l.map, source=source, start=0, end=55, label="site menu")
    pending = Node.objects.create(map=l.map, text="Pending railway claim", author=l.students[0],
                                  status=NodeStatus.PENDING)
    pending.bear_on(t1, "support")
    Quote.anchor(pending, source, "railway was cut").save()
    l.source, l.t1, l.t2 = source, t1, t2
    return l


def coverage_url(map_, source=None):
    return f"/maps/{map_.code}/sources/{source.code}/coverage/" if source else f"/maps/{map_.code}/coverage/"


# Pure pieces


def test_overlaps_and_clutter_are_counted_once():
    # 10..30 overlapping 20..40 is 30 characters, 5 of them (35..40) in the clutter.
    assert quoted_outside([(10, 30), (20, 40)], [(35, 50)], 100) == 25


@pytest.mark.parametrize("support, oppose, contested, kind", [
    (0, 0, 0, "unused"),
    (0, 0, 2, "few"),
    (1, 0, 0, "few"),
    (2, 1, 0, "for"),
    (1, 2, 5, "against"),
    (3, 2, 0, "balanced"),
    (0, 2, 0, "against"),
])
def test_a_lean_needs_two_thirds_of_at_least_two_sided_quotes(support, oppose, contested, kind):
    lean = Lean(thesis=None, support=Tally(support), oppose=Tally(oppose), contested=contested)
    assert lean.kind == kind


# One source's page


def test_the_share_quoted_leaves_out_clutter_and_counts_overlaps_once(client, covered):
    client.force_login(covered.teacher)
    page = client.get(coverage_url(covered.map, covered.source)).text
    # Text 262, clutter 55: 207 countable. Quoted: 56..93 (37) and 122..165 (43) = 80; the quote in
    # the clutter adds nothing, the pending one does not count. 80 / 207 = 38.6%.
    assert "38.6% quoted" in page
    assert "80 of 207 characters (leaving out 55 characters of page clutter)" in page
    assert "by 5 quotes." in page


def test_passages_say_which_thesis_and_side_they_serve(client, covered):
    client.force_login(covered.teacher)
    page = client.get(coverage_url(covered.map, covered.source)).text
    assert "Quoted passages (3)" in page
    reader = f"/maps/{covered.map.code}/sources/{covered.source.code}/"
    first = page[page.index(f'{reader}?at=56#passage-uses'):page.index(f'{reader}?at=122#passage-uses')]
    assert "Minsk said one thing and Moscow heard</a>" in first and "2 quotes" in first
    assert "For “Belarus is hedging” (1)" in first and "Against “Belarus is hedging” (1)" in first
    assert "loyal ally" not in first
    second = page[page.index(f'{reader}?at=122#passage-uses'):page.index("Paragraphs nobody")]
    assert "relay stations stopped working on the night</a>" in second
    assert "For “Belarus is hedging” (1)" in second and "Against “Belarus is a loyal ally” (1)" in second
    clutter = page[page.index(f'{reader}?at=22#passage-uses'):page.index(f'{reader}?at=56#passage-uses')]
    assert "Contested for “Belarus is hedging”" in clutter


def test_it_lists_the_paragraphs_nobody_has_used(client, covered):
    client.force_login(covered.teacher)
    page = client.get(coverage_url(covered.map, covered.source)).text
    reader = f"/maps/{covered.map.code}/sources/{covered.source.code}/"
    unused = page[page.index("Paragraphs nobody has used yet"):]
    # Lines 1 to 3 are paragraphs (the menu is clutter, the byline too short); only line 3 is unused:
    # the claim quoting it awaits approval.
    assert "Paragraphs nobody has used yet (1 of 3)" in unused
    assert "Officials denied everything, but the railway was cut in three places." in unused
    assert f'href="{reader}?at=179#passage-uses"' in unused
    assert "MENU" not in unused and "By A. Writer" not in unused and "Minsk said" not in unused


def test_it_shows_the_lean_for_each_thesis(client, covered):
    client.force_login(covered.teacher)
    page = client.get(coverage_url(covered.map, covered.source)).text
    lean = page[page.index("Which way it leans"):page.index("Quoted passages")]
    # T1: a and c for (20 + 30 characters), b against (26), e contested: 2 of 3 sided quotes is a lean.
    row = lean[lean.index("Belarus is hedging"):lean.index("Belarus is a loyal ally")]
    assert "<td>2 <span class=\"muted\">(50 characters)</span></td>" in row
    assert "<td>1 <span class=\"muted\">(26 characters)</span></td>" in row
    assert "<td>1</td>" in row and "leans for" in row
    assert "too few quotes to tell" in lean[lean.index("Belarus is a loyal ally"):]


@pytest.mark.parametrize("who", ["teacher", "author", "other student"])
def test_pending_evidence_counts_for_nobody(client, covered, who):
    reader = {"teacher": covered.teacher, "author": covered.students[0], "other student": covered.students[1]}[who]
    client.force_login(reader)
    page = client.get(coverage_url(covered.map, covered.source)).text
    assert "38.6% quoted" in page and "by 5 quotes." in page and "(1 of 3)" in page
    assert "railway was cut</a>" not in page  # never a quoted passage


def test_it_links_from_the_reader_and_shows_the_rating(client, covered):
    ratings.set_rating(covered.map, covered.source, 1, "Partisan", False, covered.teacher)
    client.force_login(covered.students[1])
    reader = client.get(f"/maps/{covered.map.code}/sources/{covered.source.code}/").text
    assert f'href="{coverage_url(covered.map, covered.source)}"' in reader
    page = client.get(coverage_url(covered.map, covered.source)).text
    assert "Reliability 1 of 4, not used for strengths" in page


def test_an_unquoted_source_lists_every_paragraph(client, build, article):
    b = build()
    b.thesis()
    page = client.get(coverage_url(b.map, article)).text
    assert "0% quoted" in page and "Nothing in this map quotes this source yet." in page
    # The article's two lines are both long enough to quote.
    assert "Paragraphs nobody has used yet (2 of 2)" in page


# The map's page


def test_the_map_page_says_which_way_each_source_leans(client, covered):
    quiet = Source.objects.create(text="Nobody quotes this text at all, which is a pity really.")
    MapSource.objects.create(map=covered.map, source=quiet, title="Quiet source")
    client.force_login(covered.students[1])
    page = client.get(coverage_url(covered.map)).text
    report = page[page.index(f'id="coverage-{covered.source.code}"'):page.index("Quiet source")]
    assert "38.6% quoted" in report and "Leans for “Belarus is hedging”" in report
    assert f'href="{coverage_url(covered.map, covered.source)}"' in report
    assert "Not quoted yet." in page[page.index("Quiet source"):] and "0% quoted" in page[page.index("Quiet source"):]


def test_a_source_that_is_all_clutter_has_no_share(client, build, teacher, article):
    b = build()
    ClutterRange.objects.create(map=b.map, source=article, start=0, end=len(article.text))
    page = client.get(coverage_url(b.map)).text
    assert "The whole text is marked as page clutter." in page


def test_the_map_page_links_to_its_coverage(client, build):
    b = build()
    page = client.get(b.map.get_absolute_url()).text
    assert f'href="{coverage_url(b.map)}"' in page


def test_a_private_map_hides_its_coverage(client, build, outsider):
    b = build(Visibility.PRIVATE)
    client.force_login(outsider)
    assert client.get(coverage_url(b.map)).status_code == 404
    assert client.get(coverage_url(b.map, b.source)).status_code == 404


def test_a_source_of_another_map_is_not_found(client, build):
    b = build()
    other = Source.objects.create(text="Not attached to this map.")
    assert client.get(coverage_url(b.map, other)).status_code == 404


def test_coverage_pages_only_answer_reads(client, build, teacher):
    b = build()
    client.force_login(teacher)
    assert client.post(coverage_url(b.map)).status_code == 405
    assert client.post(coverage_url(b.map, b.source)).status_code == 405


def test_a_map_titled_coverage_keeps_its_slug_apart(build):
    b = build()
    b.map.title = "Coverage"
    assert b.map.slug == "coverage-map"


# Queries


def sized_map(nodes, sources, clutter_per_source):
    shape = Shape(nodes=nodes, top_branching=min(nodes, 12), evidence_share=0.8, comment_share=0, seed=nodes)
    map_ = build_map(f"Coverage {nodes}", sources, shape)
    for source in sources:
        ClutterRange.objects.bulk_create(
            ClutterRange(map=map_, source=source, start=i * 50, end=i * 50 + 10) for i in range(clutter_per_source)
        )
        ratings.set_rating(map_, source, 2, "Fair", True, None)
    map_.refresh_from_db()
    return map_


def count(client, url) -> int:
    forget_graphs()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_coverage_pages_take_the_same_few_queries_for_10_and_2000_nodes(client, demo_map):
    sources = list(demo_map.sources.all())
    small, large = sized_map(10, sources[:2], 1), sized_map(2000, sources, 30)
    for label, page in (("map", None), ("source", sources[0])):
        small_count, large_count = count(client, coverage_url(small, page)), count(client, coverage_url(large, page))
        # map, sources (or the source), graph (2), theses, quotes, clutter
        assert small_count == large_count <= 7, (label, small_count, large_count)
