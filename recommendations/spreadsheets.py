"""Text that is safe to open in a spreadsheet: CSV files we write never run as formulas.

A CSV cell that begins with = + - @, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula (CSV injection), so text people typed ("=HYPERLINK(...)", "-5 days",
"@home") could run when a downloaded file is opened. We write such text with one leading
apostrophe, which spreadsheets show as text. An import of our own CSV takes that apostrophe off
again, so exporting and importing a file changes nothing.

Text that already begins with apostrophes before one of those characters ("'=x") gets one more,
and the import takes exactly one off, so it too comes back as it was. XLSX files need none of
this: their cells are typed, and we write text cells as text.

Shared by the action plan export (recommendations.exchange) and open data (reports.open_data).
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _looks_like_formula(text):
    """Would a spreadsheet run this text, once any leading apostrophes we added are taken off?"""
    return text.lstrip(QUOTE).startswith(FORMULA_START)


def escape_formula(value):
    """The value as a CSV cell that cannot run as a formula; anything but text is left alone."""
    if isinstance(value, str) and _looks_like_formula(value):
        return QUOTE + value
    return value


def unescape_formula(value):
    """The text `escape_formula` was given: one leading apostrophe that precedes (after any further
    apostrophes) a formula's first character is taken off; every other value is left as it is."""
    if isinstance(value, str) and value.startswith(QUOTE) and _looks_like_formula(value):
        return value[1:]
    return value


def escape_row(values):
    """A row of CSV cells, each escaped."""
    return [escape_formula(value) for value in values]
