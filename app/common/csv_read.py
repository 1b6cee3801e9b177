"""Reading uploaded CSV files the way spreadsheets write them.

- Text is UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" adds one).
- Cells are separated by ``,`` or by ``;`` (Excel in an Indonesian locale writes
  ``;``): :func:`sniff_delimiter` picks the one the header line uses more.

Callers word their own errors (the admin import translates them, the JSON
dialects print their contract's language): these helpers only raise
:class:`CsvTextError` with an English message and a stable ``code``.
"""
from __future__ import annotations

import csv
import io

#: File name endings taken as CSV.
CSV_SUFFIXES = (".csv", ".txt")
#: Content types taken as CSV (browsers send ``application/vnd.ms-excel`` for .csv on Windows).
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


def is_csv_upload(filename: str | None, mimetype: str | None) -> bool:
    """True when an uploaded file is named like CSV (``.csv``/``.txt``) or sent with a CSV
    content type (:data:`CSV_TYPES`); the content is checked when it is read."""
    return (filename or "").lower().endswith(CSV_SUFFIXES) or (mimetype or "") in CSV_TYPES


class CsvTextError(ValueError):
    """The bytes are not CSV text; ``code`` is ``not_utf8``, ``empty`` or ``binary``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class ImportFileError(Exception):
    """An uploaded file cannot be imported as a whole (too big, not CSV, no known column...);
    ``message`` (text or a lazy translation, as the caller words it) says why.  Raised by
    the admin imports' readers; the pages show the message above the upload form."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def decode_utf8(data: bytes) -> str:
    """``data`` as text: UTF-8 with or without a BOM (the BOM is dropped).

    :raises CsvTextError: (``not_utf8``) bytes that are not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvTextError("not_utf8", "The file is not UTF-8 text.") from None


def sniff_delimiter(header_line: str) -> str:
    """``;`` when the header line has more semicolons than commas, else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_text(data: bytes) -> tuple[str, str]:
    """Decode an uploaded file and find its delimiter: ``(text, delimiter)``.

    :raises CsvTextError: not UTF-8 (``not_utf8``), blank (``empty``), or containing
        NUL characters, i.e. a binary file such as a spreadsheet (``binary``).
    """
    text = decode_utf8(data)
    if not text.strip():
        raise CsvTextError("empty", "The file is empty.")
    if "\x00" in text:
        raise CsvTextError("binary", "The file is not a CSV text file.")
    return text, sniff_delimiter(text.lstrip("\r\n").splitlines()[0])


def reader(text: str, delimiter: str):
    """A :func:`csv.reader` over ``text`` (quoted cells may span lines)."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
