"""Cells for CSV files that people open in a spreadsheet (the CSV export, the exercise results).

Formula injection: a text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would run
as a formula, so it gets a leading apostrophe and a spreadsheet shows it as text ("+ more troops"
reads "'+ more troops"). Numbers stay numbers.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """`value` as a cell a spreadsheet shows as written: None is empty, a number is left as it is,
    anything else is text, with an apostrophe first if it starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
