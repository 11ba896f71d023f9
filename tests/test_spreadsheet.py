"""Spreadsheet-safe CSV cells (argmap.spreadsheet), shared by the CSV export and the results export."""

from argmap.spreadsheet import safe_cell


def test_it_puts_an_apostrophe_before_text_that_starts_like_a_formula():
    assert [safe_cell(t) for t in ("=1+1", "+ more", "-5 degrees", "@SUM(A1)", "\tx", "\ry")] == \
        ["'=1+1", "'+ more", "'-5 degrees", "'@SUM(A1)", "'\tx", "'\ry"]


def test_it_leaves_plain_text_and_numbers_as_they_are_and_empties_none():
    assert safe_cell("Belarus hedges") == "Belarus hedges"
    assert safe_cell(-3) == -3 and safe_cell(0) == 0
    assert safe_cell(None) == ""
