"""Cells of every CSV the archive writes, made safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and some strip a
leading tab or carriage return first): text written by someone else, a collection's note or a
cable's subject, must never run (OWASP "CSV injection"). Such a cell gets a leading `'`, which
spreadsheets show as text and do not run. Plain Python, no Django.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a CSV cell that no spreadsheet runs: text starting like a formula gets a
    leading apostrophe; numbers, booleans and None are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]
