"""CSV downloads that spreadsheets open safely.

- Cells that a spreadsheet would run as a formula — text starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return — get a leading apostrophe
  (OWASP, "CSV Injection"); numbers stay numbers.
- UTF-8 with a byte-order mark, so Excel shows names with accents correctly.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from flask import Response

#: First characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value) -> object:
    """``value`` as written to a CSV cell: None → ``""``; formula-like text → ``"'" + text``.

    ints and floats are returned as they are (a negative number is not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(rows: Iterable[Iterable]) -> str:
    """The CSV text (with a BOM, ``\\r\\n`` line ends) of ``rows``, every cell through :func:`safe_cell`."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def safe_filename(name: str, default: str = "export.csv") -> str:
    """``name`` reduced to ``[A-Za-z0-9._-]`` (runs of others become ``-``), or ``default`` if empty."""
    cleaned = _SAFE_FILENAME.sub("-", name).strip("-.")
    return cleaned or default


def csv_response(rows: Iterable[Iterable], filename: str) -> Response:
    """A download of ``rows`` as ``filename`` (``text/csv; charset=utf-8``, attachment, not cached)."""
    response = Response(to_csv(rows), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
