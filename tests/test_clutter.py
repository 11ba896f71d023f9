"""Page clutter: owners mark ranges of a source on their map; the reader dims them, text unchanged."""

import html
import random
import re

import pytest

from argmap.highlights import Span, render
from argmap.models import Change, ClutterRange, Node, Quote, Source
from tests.conftest import MapBuilder
from tests.helpers import HTMX

# Clutter twice ("Subscribe now!"), markup-like and multi-line text, CRLF line breaks, astral characters.
TEXT = (
    "Home | World | Subscribe now!\r\n"
    "Minsk said one thing. Moscow heard <another> & more.\r\n"
    "The relay stations stopped working 🙂 at dawn.\n"
    "Subscribe now!\n"
    "© 2023 Eastern Review"
)


@pytest.fixture
def marked(teacher, client):
    """A public map of the teacher's quoting TEXT in overlapping places; the teacher signed in."""
    source = Source.objects.create(text=TEXT)
    b = MapBuilder(teacher, source)
    thesis = b.thesis()
    b.claim("Said", under=thesis, quote="Minsk said one thing. Moscow heard")
    b.claim("Heard", under=thesis, stance="oppose", quote="Moscow heard <another> & more.\r\nThe relay")
    b.claim("Stations", under=thesis, quote="stations stopped working 🙂")
    client.force_login(teacher)
    return b


def clutter_url(b, suffix=""):
    return f"/maps/{b.map.code}/sources/{b.source.code}/clutter/{suffix}"


def manage_url(b):
    return f"/maps/{b.map.code}/sources/{b.source.code}/manage/"


def reader_url(b):
    return f"/maps/{b.map.code}/sources/{b.source.code}/"


def source_text_html(page: str) -> str:
    """The inner HTML of the reader's #source-text element (it contains no <div>)."""
    body = page[page.index('id="source-text"') :]
    return body[body.index(">") + 1 : body.index("</div>")]


def visible_text(fragment: str) -> str:
    """What the browser puts in the DOM as the element's text: tags dropped, references decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def live_ranges(b):
    return list(ClutterRange.objects.live().filter(map=b.map, source=b.source).values_list("start", "end"))


# The reader


def test_it_keeps_the_readers_text_exactly_the_source_with_clutter_and_overlapping_quotes(client, marked):
    for start, end in [(0, 31), (TEXT.index("<another>"), TEXT.index("relay") + 3), (TEXT.index("©"), len(TEXT))]:
        ClutterRange.objects.create(map=marked.map, source=marked.source, start=start, end=end)
    page = client.get(reader_url(marked)).content.decode()
    fragment = source_text_html(page)
    assert visible_text(fragment) == TEXT
    assert "\r" not in fragment and "&#13;" in fragment  # a literal CR would reach the DOM as LF
    assert "&lt;another&gt; &amp; more." in fragment and "<another>" not in fragment
    assert '<span class="clutter">Home | World | Subscribe now!&#13;\n</span>' in fragment
    # Quoted clutter keeps its highlight, and overlapping quotes still show as such.
    at = TEXT.index("<another>")
    assert (f'<a class="hl hl-oppose clutter" href="?at={at}#passage-uses" draggable="false">'
            "&lt;another&gt; &amp; more.&#13;\nThe rel</a>"
            f'<a class="hl hl-oppose" href="?at={at + 26}#passage-uses" draggable="false">ay</a>') in fragment
    assert '<a class="hl hl-support hl-overlap" href="?at=' in fragment  # "Moscow heard", quoted twice
    assert "dimmed: page clutter" in page


def test_it_says_nothing_about_clutter_when_there_is_none(client, marked):
    page = client.get(reader_url(marked)).content.decode()
    assert 'class="clutter"' not in page and "dimmed: page clutter" not in page


def test_it_dims_only_live_clutter_of_this_map(client, marked, outsider):
    other = MapBuilder(outsider, marked.source)
    ClutterRange.objects.create(map=other.map, source=marked.source, start=0, end=10)
    removed = ClutterRange.objects.create(map=marked.map, source=marked.source, start=0, end=10)
    removed.soft_delete()
    assert "clutter" not in source_text_html(client.get(reader_url(marked)).content.decode())


def test_it_reads_clutter_in_one_query_whatever_their_number(client, marked, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.logout()
    client.get(reader_url(marked))  # the map's graph is cached from here on
    with CaptureQueriesContext(connection) as without:
        client.get(reader_url(marked))
    ClutterRange.objects.bulk_create(
        ClutterRange(map=marked.map, source=marked.source, start=i, end=i + 2) for i in range(0, 100, 3)
    )
    with django_assert_num_queries(len(without)):
        client.get(reader_url(marked))


def test_it_shows_clutter_to_every_reader_of_the_map(client, marked):
    ClutterRange.objects.create(map=marked.map, source=marked.source, start=0, end=4)
    client.logout()
    assert '<span class="clutter">Home</span>' in client.get(reader_url(marked)).content.decode()


# The highlighting on its own


def test_it_keeps_the_text_exactly_for_random_quotes_and_clutter():
    rng = random.Random(7)
    alphabet = "ab <>&\"'\r\n🙂é"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60)))
        spans = [Span(i, s, rng.randrange(s + 1, len(text) + 1), "hl-support")
                 for i, s in enumerate(rng.randrange(0, len(text)) for _ in range(rng.randrange(0, 6)))]
        clutter = [(s, rng.randrange(s + 1, len(text) + 1)) for s in (rng.randrange(0, len(text)) for _ in range(3))]
        rendered = render(text, spans, href=lambda segment: f"?at={segment.start}", clutter=clutter)
        assert visible_text(rendered) == text
        assert "\r" not in rendered


def test_it_dims_exactly_the_clutter_ranges():
    rendered = render("0123456789", [Span(1, 2, 6, "hl-support")], href=lambda s: f"?at={s.start}",
                      clutter=[(0, 3), (5, 8)])
    assert rendered == (
        '<span class="clutter">01</span><span class="quote-anchor" id="quote-1"></span>'
        '<a class="hl hl-support clutter" href="?at=2" draggable="false">2</a>'
        '<a class="hl hl-support" href="?at=3" draggable="false">34</a>'
        '<a class="hl hl-support clutter" href="?at=5" draggable="false">5</a>'
        '<span class="clutter">67</span>89'
    )


# Marking by text


def test_it_marks_a_passage_that_occurs_once_and_records_it(client, marked, teacher):
    response = client.post(clutter_url(marked), {"how": "text", "exact": "© 2023 Eastern Review", "label": "footer"})
    assert response.status_code == 302 and response["Location"].endswith("/manage/#clutter")
    clutter = ClutterRange.objects.get()
    assert (clutter.start, clutter.end, clutter.label, clutter.created_by) == (
        TEXT.index("©"), len(TEXT), "footer", teacher)
    change = Change.objects.get(target_type="clutter")
    assert change.action == "create" and change.after["start"] == clutter.start
    page = client.get(response["Location"]).content.decode()
    assert "Marked 1 passage as clutter." in page and "footer · characters" in page
    assert marked.source.text == TEXT and Source.objects.get().text == TEXT


def test_it_asks_which_occurrence_when_the_passage_occurs_more_than_once(client, marked):
    response = client.post(clutter_url(marked), {"how": "text", "exact": "Subscribe now!"})
    page = response.content.decode()
    assert response.status_code == 200 and not ClutterRange.objects.exists()
    first, second = TEXT.index("Subscribe now!"), TEXT.rindex("Subscribe now!")
    assert "This passage occurs 2 times: which one is clutter?" in page
    assert f'name="occurrence" value="{first}"' in page and f'name="occurrence" value="{second}"' in page
    assert 'name="occurrence" value="all"' in page

    client.post(clutter_url(marked), {"how": "text", "exact": "Subscribe now!", "occurrence": str(second)})
    assert live_ranges(marked) == [(second, second + 14)]
    client.post(clutter_url(marked), {"how": "text", "exact": "Subscribe now!", "occurrence": "all"})
    assert sorted(live_ranges(marked)) == [(first, first + 14), (second, second + 14)]
    assert Change.objects.filter(target_type="clutter", action="create").count() == 2


@pytest.mark.parametrize("occurrence", ["3", "-1", "x", "9" * 19])
def test_it_refuses_an_occurrence_that_is_not_one_of_them(client, marked, occurrence):
    response = client.post(clutter_url(marked), {"how": "text", "exact": "Subscribe now!", "occurrence": occurrence})
    assert response.status_code == 400 and "Choose one of the places listed" in response.content.decode()
    assert not ClutterRange.objects.exists()


def test_it_matches_pasted_line_breaks_to_the_texts_own(client, marked):
    # The browser sends CRLF; this text has LF here...
    client.post(clutter_url(marked), {"how": "text", "exact": "at dawn.\r\nSubscribe"})
    start = TEXT.index("at dawn.\nSubscribe")
    assert live_ranges(marked) == [(start, start + len("at dawn.\nSubscribe"))]
    # ...and CRLF there, as the uploaded file had it.
    client.post(clutter_url(marked), {"how": "text", "exact": "now!\r\nMinsk"})
    start = TEXT.index("now!\r\nMinsk")
    assert (start, start + len("now!\r\nMinsk")) in live_ranges(marked)


@pytest.mark.parametrize(
    "exact, message",
    [
        ("", "This field is required."),
        ("Not in the text", "That passage is not in the source"),
        ("minsk said", "That passage is not in the source"),  # exact match: case counts
        ("a\x00b", "Null characters are not allowed."),
        ("x" * 20_001, "at most 20000 characters"),
    ],
)
def test_it_refuses_a_passage_it_cannot_mark(client, marked, exact, message):
    response = client.post(clutter_url(marked), {"how": "text", "exact": exact})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ClutterRange.objects.exists() and not Change.objects.filter(target_type="clutter").exists()


def test_it_refuses_a_label_too_long(client, marked):
    response = client.post(clutter_url(marked), {"how": "text", "exact": "© 2023", "label": "l" * 101})
    assert response.status_code == 400 and not ClutterRange.objects.exists()


def test_it_refuses_to_mark_the_same_passage_twice(client, marked):
    client.post(clutter_url(marked), {"how": "text", "exact": "© 2023"})
    response = client.post(clutter_url(marked), {"how": "text", "exact": "© 2023"})
    assert response.status_code == 400 and "already marked as clutter" in response.content.decode()
    assert ClutterRange.objects.count() == 1


def test_it_refuses_to_mark_every_occurrence_of_a_very_common_passage(client, teacher):
    source = Source.objects.create(text="a" * 300)
    b = MapBuilder(teacher, source)
    client.force_login(teacher)
    response = client.post(clutter_url(b), {"how": "text", "exact": "a", "occurrence": "all"})
    assert response.status_code == 400 and "occurs 300 times" in response.content.decode()


def test_it_escapes_marked_passages_and_labels(client, marked):
    client.post(clutter_url(marked), {"how": "text", "exact": "<another>", "label": "<script>alert(1)</script>"})
    page = client.get(manage_url(marked)).content.decode()
    assert "&lt;another&gt;" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


# Marking by position


def test_it_marks_a_range_by_code_point_offsets(client, marked):
    start = TEXT.index("🙂")
    response = client.post(clutter_url(marked), {"how": "offsets", "start": start, "end": start + 1, "label": "emoji"})
    assert response.status_code == 302 and live_ranges(marked) == [(start, start + 1)]
    page = client.get(reader_url(marked)).content.decode()
    assert 'clutter" href="?at=' in page and ">🙂</a>" in page


@pytest.mark.parametrize(
    "start, end, message",
    [
        (5, 5, "The end must come after the start."),
        (9, 3, "The end must come after the start."),
        (0, len(TEXT) + 1, f"The text has only {len(TEXT)} characters."),
        (-1, 4, "Ensure this value is greater than or equal to 0."),
        ("one", 4, "Enter a whole number."),
        ("", 4, "This field is required."),
        (0, "9" * 30, "Ensure this value is less than or equal to"),
    ],
)
def test_it_refuses_offsets_outside_the_text(client, marked, start, end, message):
    response = client.post(clutter_url(marked), {"how": "offsets", "start": start, "end": end})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ClutterRange.objects.exists()


# Unmarking and marking again


def test_it_unmarks_and_marks_again_keeping_history(client, marked, teacher):
    clutter = ClutterRange.objects.create(map=marked.map, source=marked.source, start=0, end=4, created_by=teacher)
    response = client.post(clutter_url(marked, f"{clutter.pk}/remove/"))
    assert response.status_code == 302
    clutter.refresh_from_db()
    assert clutter.is_deleted and clutter.deleted_by == teacher
    assert 'class="clutter"' not in client.get(reader_url(marked)).content.decode()
    page = client.get(manage_url(marked)).content.decode()
    assert "Unmarked (1)" in page and "Mark again</button>" in page

    client.post(clutter_url(marked, f"{clutter.pk}/restore/"))
    clutter.refresh_from_db()
    assert not clutter.is_deleted
    assert '<span class="clutter">Home</span>' in client.get(reader_url(marked)).content.decode()
    assert list(Change.objects.filter(target_type="clutter").values_list("action", flat=True)) == ["delete", "restore"]


def test_it_records_nothing_when_asked_to_unmark_twice(client, marked):
    clutter = ClutterRange.objects.create(map=marked.map, source=marked.source, start=0, end=4)
    client.post(clutter_url(marked, f"{clutter.pk}/remove/"))
    client.post(clutter_url(marked, f"{clutter.pk}/remove/"))
    assert Change.objects.filter(target_type="clutter").count() == 1


def test_it_returns_only_the_lists_to_htmx(client, marked):
    clutter = ClutterRange.objects.create(map=marked.map, source=marked.source, start=0, end=4, label="menu")
    response = client.post(clutter_url(marked, f"{clutter.pk}/remove/"), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<div id="clutter-ranges"')
    assert "<html" not in page and "Marked as clutter (0)" in page and "Unmarked (1)" in page


def test_it_answers_404_for_clutter_of_another_map_or_source(client, marked, outsider, teacher):
    other_map = MapBuilder(outsider, marked.source)
    foreign = ClutterRange.objects.create(map=other_map.map, source=marked.source, start=0, end=4)
    second_source = Source.objects.create(text="Another text entirely.")
    from argmap.models import MapSource

    MapSource.objects.create(map=marked.map, source=second_source)
    other_source = ClutterRange.objects.create(map=marked.map, source=second_source, start=0, end=4)
    for clutter in (foreign, other_source):
        for action in ("remove", "restore"):
            assert client.post(clutter_url(marked, f"{clutter.pk}/{action}/")).status_code == 404
    assert client.post(clutter_url(marked, "999999/remove/")).status_code == 404
    assert not ClutterRange.objects.deleted().exists()


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_it_lets_only_owners_mark_clutter(client, marked, people, role):
    from tests.conftest import PASSWORD

    users = people(marked.map)
    client.login(username=users[role].username, password=PASSWORD)
    response = client.post(clutter_url(marked), {"how": "text", "exact": "© 2023"})
    assert response.status_code == 403 and not ClutterRange.objects.exists()


def test_it_leaves_quotes_and_nodes_alone(client, marked):
    before = list(Quote.objects.values_list("start", "end", "exact"))
    client.post(clutter_url(marked), {"how": "text", "exact": "Minsk said one thing."})
    assert list(Quote.objects.values_list("start", "end", "exact")) == before and Node.objects.count() == 4
