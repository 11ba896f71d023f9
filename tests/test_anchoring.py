import pytest

from argmap import anchoring

TEXT = "Alpha beta. Gamma “delta”.\nAlpha beta. 🙂 Epsilon."


def test_it_finds_a_passage_that_occurs_once():
    position = anchoring.locate(TEXT, "Gamma “delta”.")
    assert TEXT[position.start : position.end] == "Gamma “delta”."


def test_it_counts_offsets_in_code_points_not_utf16_units():
    # The emoji is one code point (two UTF-16 units): "Epsilon" starts right after it and a space.
    position = anchoring.locate(TEXT, "Epsilon")
    assert position.start == TEXT.index("🙂") + 2


def test_it_refuses_a_passage_that_is_not_in_the_text():
    with pytest.raises(anchoring.QuoteNotFound, match="is not in the article"):
        anchoring.locate(TEXT, "Zeta", source_name="the article")


def test_it_asks_which_occurrence_when_a_passage_repeats():
    with pytest.raises(anchoring.QuoteAmbiguous) as error:
        anchoring.locate(TEXT, "Alpha beta.")
    assert error.value.starts == [0, TEXT.index("\nAlpha") + 1]
    assert "occurs 2 times" in error.value.messages[0]


def test_it_uses_the_start_to_pick_an_occurrence():
    second = TEXT.index("\nAlpha") + 1
    assert anchoring.locate(TEXT, "Alpha beta.", start=second).start == second


def test_it_uses_prefix_or_suffix_to_pick_an_occurrence():
    assert anchoring.locate(TEXT, "Alpha beta.", prefix=".\n").start == TEXT.index("\nAlpha") + 1
    assert anchoring.locate(TEXT, "Alpha beta.", suffix=" Gamma").start == 0


def test_it_refuses_a_start_where_the_text_differs():
    with pytest.raises(anchoring.QuoteMismatch, match="does not match the source at 1–12"):
        anchoring.locate(TEXT, "Alpha beta.", start=1)


@pytest.mark.parametrize("start,end", [(-1, 3), (40, 400), (5, 5), (6, 2)])
def test_it_refuses_positions_outside_the_text(start, end):
    with pytest.raises(anchoring.QuoteMismatch):
        anchoring.verify(TEXT, start, end, "x")


def test_it_keeps_prefix_and_suffix_of_bounded_length():
    text = "x" * 100 + "QUOTE" + "y" * 100
    prefix, suffix = anchoring.context_of(text, 100, 105)
    assert prefix == "x" * anchoring.CONTEXT_LENGTH and suffix == "y" * anchoring.CONTEXT_LENGTH
    assert anchoring.context_of("QUOTE", 0, 5) == ("", "")


@pytest.mark.parametrize("bad", ["nul\x00byte", "lone \ud800 surrogate"])
def test_it_refuses_text_that_cannot_be_stored(bad):
    with pytest.raises(anchoring.ValidationError):
        anchoring.check_storable_text(bad)
