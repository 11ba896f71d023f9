"""Adding evidence and quotes (argmap/evidence.py): what is stored, what is refused."""

import pytest
from django.core.exceptions import ValidationError

from argmap import anchoring
from argmap.evidence import CLAIM_MAX_LENGTH, QUOTE_MAX_LENGTH, add_evidence, add_quote
from argmap.models import Change, Map, MapSource, Node, Quote, Relation, Source, Visibility

# The conftest article: "Minsk said one thing. Moscow heard another.\nThe relay stations stopped
# working. Minsk said one thing."


def counts() -> tuple[int, int, int, int]:
    return Node.objects.count(), Relation.objects.count(), Quote.objects.count(), Change.objects.count()


@pytest.fixture
def setting(build):
    b = build()
    thesis = b.thesis("Belarus hedges")
    return b, thesis


def test_it_adds_a_claim_its_relation_its_quote_and_their_history(setting, teacher):
    b, thesis = setting
    text = b.source.text
    start = text.index("The relay")
    end = start + len("The relay stations stopped working.")
    added = add_evidence(b.map, teacher, b.source, thesis, "oppose", "The network went down", text[start:end],
                         start=start, end=end)
    node = Node.objects.get(pk=added.node.pk)
    assert node.text == "The network went down" and node.author == teacher and node.map == b.map
    assert Relation.objects.get(child=node).parent == thesis and added.relation.stance == "oppose"
    quote = Quote.objects.get(node=node)
    assert (quote.start, quote.end, quote.exact, quote.source) == (start, end, text[start:end], b.source)
    assert quote.author == teacher
    changes = Change.objects.filter(map=b.map, action="create").values_list("target_type", flat=True)
    assert sorted(changes) == ["node", "quote", "relation"]


def test_it_bumps_the_map_revision_so_pages_show_the_new_node(setting, teacher):
    b, thesis = setting
    before = Map.objects.get(pk=b.map.pk).revision
    add_evidence(b.map, teacher, b.source, thesis, "support", "Moscow got the message", "Moscow heard another.")
    assert Map.objects.get(pk=b.map.pk).revision > before


def test_it_finds_a_pasted_quote_without_offsets(setting, teacher):
    b, thesis = setting
    added = add_evidence(b.map, teacher, b.source, thesis, "support", "Moscow got the message", "Moscow heard another.")
    assert added.quote.start == b.source.text.index("Moscow") and added.located.method == "exact"


def test_it_stores_the_sources_own_characters_for_a_typographic_match(build, teacher):
    source = Source.objects.create(text="He said “we will stay” — and left.\nNothing else.")
    b = build()
    MapSource.objects.create(map=b.map, source=source, title="Emoji")
    thesis = b.thesis()
    typed = 'he said "we will stay" - and left'
    added = add_evidence(b.map, teacher, source, thesis, "support", "He promised to stay", typed)
    assert added.quote.exact == "He said “we will stay” — and left"
    assert added.located.was_adjusted and added.located.differences


def test_it_accepts_a_selection_off_by_white_space(setting, teacher):
    b, thesis = setting
    text = b.source.text
    start = text.index("Moscow")
    # The selection's offsets take in the space before the passage; the text does not.
    added = add_evidence(b.map, teacher, b.source, thesis, "support", "Moscow understood otherwise",
                         "Moscow heard another.", start=start - 1, end=start + len("Moscow heard another."))
    assert (added.quote.start, added.quote.exact) == (start, "Moscow heard another.")


def test_it_picks_the_occurrence_nearest_the_chosen_position(setting, teacher):
    b, thesis = setting
    second = b.source.text.rindex("Minsk said one thing.")
    added = add_evidence(b.map, teacher, b.source, thesis, "support", "Minsk repeats itself",
                         "Minsk said one thing.", position=second)
    assert added.quote.start == second


def test_it_asks_which_occurrence_of_a_repeated_passage(setting, teacher):
    b, thesis = setting
    before = counts()
    with pytest.raises(anchoring.QuoteAmbiguous) as error:
        add_evidence(b.map, teacher, b.source, thesis, "support", "Minsk repeats itself", "Minsk said one thing.")
    assert len(error.value.occurrences) == 2
    assert counts() == before


def test_it_names_the_source_when_the_quote_is_not_there(setting, teacher):
    b, thesis = setting
    with pytest.raises(anchoring.QuoteNotFound, match="Test article"):
        add_evidence(b.map, teacher, b.source, thesis, "support", "Warsaw agrees", "Warsaw said nothing at all today.")


@pytest.mark.parametrize(
    "claim",
    ["Moscow heard another.", "  moscow HEARD   another  ", "“Moscow heard another”", "Moscow heard another"],
)
def test_it_refuses_a_claim_that_is_the_quote_copied(setting, teacher, claim):
    b, thesis = setting
    before = counts()
    with pytest.raises(ValidationError, match="own words"):
        add_evidence(b.map, teacher, b.source, thesis, "support", claim, "Moscow heard another.")
    assert counts() == before


def test_it_accepts_a_claim_that_shares_a_few_words_with_the_quote(setting, teacher):
    b, thesis = setting
    added = add_evidence(b.map, teacher, b.source, thesis, "support", "Moscow", "Moscow heard another.")
    assert added.node.text == "Moscow"


@pytest.mark.parametrize(
    "claim, quote, message",
    [
        ("", "Moscow heard another.", "Write your claim"),
        ("   ", "Moscow heard another.", "Write your claim"),
        ("x" * (CLAIM_MAX_LENGTH + 1), "Moscow heard another.", "2,000"),
        ("Nul\x00claim", "Moscow heard another.", "NUL"),
        ("Lone \ud800 surrogate", "Moscow heard another.", "surrogate"),
        ("Broken \ufffd bytes", "Moscow heard another.", "invalid characters"),
        ("A fine claim", "", "Select a passage"),
        ("A fine claim", "M" * (QUOTE_MAX_LENGTH + 1), "5,000"),
        ("A fine claim", "Moscow\x00heard", "NUL"),
        ("A fine claim", "Moscow \udc00", "surrogate"),
    ],
)
def test_it_refuses_bad_text_and_saves_nothing(setting, teacher, claim, quote, message):
    b, thesis = setting
    before = counts()
    with pytest.raises(ValidationError, match=message):
        add_evidence(b.map, teacher, b.source, thesis, "support", claim, quote)
    assert counts() == before


@pytest.mark.parametrize(
    "start, end",
    [(-1, 5), (0, 10_000), (10, 10), (12, 3), (None, 5), (5, None)],
)
def test_it_refuses_a_selection_outside_the_text(setting, teacher, start, end):
    b, thesis = setting
    before = counts()
    with pytest.raises(anchoring.QuoteMismatch, match="select the passage again"):
        add_evidence(b.map, teacher, b.source, thesis, "support", "A claim", "Minsk", start=start, end=end)
    assert counts() == before


def test_it_refuses_selected_text_that_is_not_at_the_selection(setting, teacher):
    b, thesis = setting
    text = b.source.text
    start = text.rindex("Minsk")
    before = counts()
    # "Moscow heard another." exists, but far from where the selection says it is.
    with pytest.raises(anchoring.QuoteMismatch, match="does not match"):
        add_evidence(b.map, teacher, b.source, thesis, "support", "A claim", "Moscow heard another.",
                     start=start, end=start + 21)
    relay = text.index("The relay")
    with pytest.raises(anchoring.QuoteMismatch, match="does not match"):
        add_evidence(b.map, teacher, b.source, thesis, "support", "A claim", "Nothing like this is there",
                     start=relay, end=relay + 26)
    assert counts() == before


def test_it_refuses_a_parent_from_another_map(setting, teacher, article):
    b, thesis = setting
    other = Map.objects.create(title="Other", owner=teacher, visibility=Visibility.PUBLIC)
    foreign = Node.objects.create(map=other, kind="thesis", text="Elsewhere")
    before = counts()
    with pytest.raises(ValidationError, match="from this map"):
        add_evidence(b.map, teacher, b.source, foreign, "support", "A claim", "Moscow heard another.")
    assert counts() == before


def test_it_refuses_a_deleted_parent_a_bad_stance_and_a_source_of_another_map(setting, teacher):
    b, thesis = setting
    stranger = Source.objects.create(text="Moscow heard another. Elsewhere.")
    before = counts()
    with pytest.raises(ValidationError, match="not one of this map's sources"):
        add_evidence(b.map, teacher, stranger, thesis, "support", "A claim", "Moscow heard another.")
    with pytest.raises(ValidationError, match="supports or opposes"):
        add_evidence(b.map, teacher, b.source, thesis, "neutral", "A claim", "Moscow heard another.")
    claim = b.claim("Gone soon", under=thesis)
    claim.soft_delete()
    after_claim = counts()
    with pytest.raises(ValidationError, match="from this map"):
        add_evidence(b.map, teacher, b.source, claim, "support", "A claim", "Moscow heard another.")
    assert counts()[2] == before[2] and counts() == after_claim


def test_it_adds_more_quotes_to_an_existing_claim(setting, teacher):
    b, thesis = setting
    added = add_evidence(b.map, teacher, b.source, thesis, "oppose", "Communications failed", "The relay stations")
    quote, located = add_quote(added.node, teacher, b.source, "stopped   working")
    assert quote.exact == "stopped working" and quote.node == added.node and located.method == "typography"
    assert added.node.quotes.count() == 2
    assert Change.objects.filter(target_type="quote", action="create").count() == 2


def test_it_refuses_the_same_passage_twice_and_quotes_on_theses(setting, teacher):
    b, thesis = setting
    added = add_evidence(b.map, teacher, b.source, thesis, "oppose", "Communications failed", "The relay stations")
    with pytest.raises(ValidationError, match="already quotes"):
        add_quote(added.node, teacher, b.source, "The relay stations")
    with pytest.raises(ValidationError, match="thesis"):
        add_quote(thesis, teacher, b.source, "The relay stations")
    assert Quote.objects.count() == 1


def test_offsets_count_code_points_beyond_an_emoji(build, teacher):
    source = Source.objects.create(text="Start 🙂 then the passage we want. End.")
    b = build()
    MapSource.objects.create(map=b.map, source=source, title="Emoji")
    thesis = b.thesis()
    start = source.text.index("the passage")
    added = add_evidence(b.map, teacher, source, thesis, "support", "It says so", "the passage we want",
                         start=start, end=start + len("the passage we want"))
    # Thirteen code points precede it (fourteen UTF-16 units: the emoji counts twice there).
    assert added.quote.start == 13 and added.quote.exact == "the passage we want"
