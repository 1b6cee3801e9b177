"""Text in generated PDFs (fpdf2): the Unicode font to embed, and text reduced to what a font can show.

Used by the student card sheet (:mod:`app.school.card_sheet`) and the monthly attendance recap
(:mod:`app.attendance.recap_export`).  The TTF files come from Debian's ``fonts-dejavu-core``
(Latin, Greek, Cyrillic); without them a PDF falls back to the core font Helvetica, which only
has Latin-1 (:func:`latin1_text`).
"""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Callable

#: Candidate TTF files (regular, bold) embedded in the PDF when present; first pair found wins.
FONT_FILES: list[tuple[str, str]] = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/local/share/fonts/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans-Bold.ttf"),
]

_PUNCTUATION = str.maketrans({"‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
                              "…": "...", "•": "-", " ": " ", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                              "ı": "i", "ß": "ss", "œ": "oe", "Œ": "OE"})


def covered_text(text: str, has_glyph: Callable[[str], bool]) -> str:
    """``text`` with only characters for which ``has_glyph(ch)`` is true.

    Typographic punctuation becomes ASCII first; a character without a glyph
    loses its accents when the bare letter has one (``ő`` → ``o``), else
    becomes ``?``.  Never raises.
    """
    out = []
    for ch in (text or "").translate(_PUNCTUATION):
        if has_glyph(ch):
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(has_glyph(c) for c in base) else "?")
    return "".join(out)


def latin1_text(text: str) -> str:
    """``text`` with only Latin-1 characters (all the PDF core fonts can show), see :func:`covered_text`."""
    return covered_text(text, lambda ch: ord(ch) < 256)


def font_files(candidates=None) -> tuple[str, str] | None:
    """The first pair of (regular, bold) TTF files of ``candidates`` (default :data:`FONT_FILES`)
    that exist, else None."""
    for regular, bold in FONT_FILES if candidates is None else candidates:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None
