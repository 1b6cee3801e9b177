"""The printable sheet of student QR cards: one layout for the HTML print page and the PDF.

Geometry (all lengths in millimetres, origin top-left):

- a card is ISO/IEC 7810 ID-1 ("credit-card size"): :data:`CARD_W` x
  :data:`CARD_H` = 85.6 x 54 mm;
- an A4 page (ISO 216, 210 x 297 mm) holds :data:`COLUMNS` x :data:`ROWS`
  = 2 x 5 cards, edge to edge (one cut separates two neighbours), centred,
  which leaves :data:`MARGIN_X` = 19.4 mm left and right and
  :data:`MARGIN_Y` = 13.5 mm top and bottom (inside every office printer's
  unprintable border);
- dashed cut lines run along every card edge;
- inside a card (:data:`BOX`): a coloured band with the school name, the
  student's name (shrunk and wrapped to fit, see :func:`fit_text`), NISN,
  class and academic year on the left, and the QR code (error correction Q,
  4-module quiet zone, :data:`QR_SIZE` = 36 mm square, the symbol itself
  about 26 mm) on the right, and the card code in small print.

:func:`card_faces` computes what each card shows (text already fitted with
the PDF's font metrics, so the HTML page and the PDF break names the same
way); ``templates/school/cards_print.html`` places it with CSS in mm and
:func:`build_pdf` draws it with fpdf2 (QR as vector rectangles).

Fonts: the PDF embeds DejaVu Sans when its TTF files exist
(:data:`FONT_FILES`; ``scripts/install-system-deps.sh`` installs
``fonts-dejavu-core``), which covers Latin, Greek and Cyrillic.  Without
them it falls back to the PDF core font Helvetica, which only has Latin-1:
other characters are transliterated (``ł`` → ``l``) or replaced with ``?``
(:func:`latin1_text`), never an error.
"""
from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

from fpdf import FPDF

from ..common import pdf_text
from ..common.pdf_text import covered_text, latin1_text  # noqa: F401 (names of this module)

from ..qr.images import qr_modules, qr_svg

# --- geometry (mm) ------------------------------------------------------------------

#: A4 portrait, ISO 216.
PAGE_W, PAGE_H = 210.0, 297.0
#: ISO/IEC 7810 ID-1 card.
CARD_W, CARD_H = 85.6, 54.0
#: Cards per row and rows per page.
COLUMNS, ROWS = 2, 5
#: Cards per page.
PER_PAGE = COLUMNS * ROWS
#: Page margins that centre the grid (19.4 and 13.5 mm).
MARGIN_X = round((PAGE_W - COLUMNS * CARD_W) / 2, 2)
MARGIN_Y = round((PAGE_H - ROWS * CARD_H) / 2, 2)

#: Boxes inside a card as (x, y, width, height) in mm from the card's top-left corner.
BOX = {
    "band": (0.0, 0.0, CARD_W, 11.0),
    "school": (4.0, 1.0, CARD_W - 8.0, 9.0),
    "label": (4.0, 13.0, 42.0, 3.0),
    "name": (4.0, 16.5, 42.0, 13.5),
    "nisn_label": (4.0, 31.0, 42.0, 2.5),
    "nisn": (4.0, 33.5, 42.0, 4.0),
    "class_label": (4.0, 38.5, 42.0, 2.5),
    "class": (4.0, 41.0, 42.0, 4.0),
    "code": (4.0, 48.5, 42.0, 3.0),
    "qr": (CARD_W - 36.0 - 2.0, 13.5, 36.0, 36.0),
}
#: Side of the QR square (quiet zone included), mm.
QR_SIZE = BOX["qr"][2]
#: Error-correction level of card QR codes (25 % of the symbol may be damaged).
QR_ERROR = "q"

#: Font sizes (pt): the name from the first size down to the last, the school name, the rest.
NAME_SIZES = (11.0, 10.0, 9.0, 8.0, 7.0, 6.5)
SCHOOL_SIZES = (9.0, 8.0, 7.0, 6.5)
CLASS_SIZES = (8.5, 7.5, 6.5)
NISN_SIZE = 9.0
SMALL_SIZE = 5.5
#: Line height as a multiple of the font size.
LINE_HEIGHT = 1.2
#: Brand colour of the band (``--brand-700`` of hadir.css), RGB.
BAND_RGB = (12, 111, 93)
#: Cut-line grey, RGB, and dash/gap lengths (mm).
CUT_RGB = (150, 150, 150)
CUT_DASH = (1.5, 1.0)

PT = 25.4 / 72  # millimetres per point

def card_position(index: int) -> tuple[int, float, float]:
    """Where card number ``index`` (0-based) goes: ``(page, x, y)``, page 0-based, x/y of its top-left corner in mm."""
    page, slot = divmod(index, PER_PAGE)
    row, column = divmod(slot, COLUMNS)
    return page, round(MARGIN_X + column * CARD_W, 3), round(MARGIN_Y + row * CARD_H, 3)


def page_count(cards: int) -> int:
    """Number of A4 pages for ``cards`` cards (0 for none)."""
    return math.ceil(cards / PER_PAGE)


# --- text --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FittedText:
    """A text broken into ``lines`` that fit a box at font ``size`` (pt); ``cut`` when it had to be shortened."""

    lines: tuple[str, ...]
    size: float
    cut: bool = False


Measure = Callable[[str, float, bool], float]


def _wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap; a word longer than the line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while measure(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def fit_text(text: str, width: float, height: float, sizes: Iterable[float], measure: Measure, *,
             bold: bool = False, max_lines: int = 3) -> FittedText:
    """Break ``text`` into lines inside a ``width`` x ``height`` mm box, at the largest size that fits.

    Tries each size of ``sizes`` (pt, largest first); a size fits when the
    wrapped lines (at most ``max_lines``, each :data:`LINE_HEIGHT` x size
    tall) fit the box.  When even the last size does not fit, the text is cut
    after the lines that fit, the last one ending with an ellipsis.

    :param measure: ``measure(text, size_pt, bold) -> width in mm``.
    """
    text = " ".join((text or "").split())
    sizes = list(sizes)
    for size in sizes:
        lines_allowed = min(max_lines, int(height // (size * PT * LINE_HEIGHT)) or 1)
        lines = _wrap(text, width, lambda s, size=size: measure(s, size, bold))
        if len(lines) <= lines_allowed:
            return FittedText(tuple(lines), size)
    size = sizes[-1]
    lines_allowed = min(max_lines, int(height // (size * PT * LINE_HEIGHT)) or 1)
    lines = _wrap(text, width, lambda s: measure(s, size, bold))[:lines_allowed]
    last = lines[-1] if lines else ""
    while last and measure(last + "…", size, bold) > width:
        last = last[:-1].rstrip()
    lines[-1:] = [last + "…"]
    return FittedText(tuple(lines), size, cut=True)


# --- fonts -----------------------------------------------------------------------------------

#: Candidate TTF files (regular, bold) of the cards (:data:`app.common.pdf_text.FONT_FILES`).
FONT_FILES = pdf_text.FONT_FILES


def font_files() -> tuple[str, str] | None:
    """The first pair of :data:`FONT_FILES` that exists, else None."""
    return pdf_text.font_files(FONT_FILES)


def _new_pdf() -> tuple[FPDF, str, bool]:
    """An A4 mm FPDF with the card font set up: ``(pdf, family, unicode)``."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    files = font_files()
    if files:
        pdf.add_font("CardSans", "", files[0])
        pdf.add_font("CardSans", "B", files[1])
        return pdf, "CardSans", True
    return pdf, "Helvetica", False


class _Measurer:
    """Text widths with the PDF's font, for fitting names on the HTML page (one shared FPDF, locked)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._state = None

    def __call__(self, text: str, size: float, bold: bool) -> float:
        with self._lock:
            files = font_files()
            if self._state is None or self._state[0] != files:
                pdf, family, unicode = _new_pdf()
                self._state = (files, pdf, family, unicode)
            _files, pdf, family, unicode = self._state
            pdf.set_font(family, "B" if bold else "", size)
            return pdf.get_string_width(text if unicode else latin1_text(text))


_measure = _Measurer()


# --- cards -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CardFace:
    """What one printed card shows.

    ``school``, ``name`` and ``class_line`` are fitted to their boxes
    (:class:`FittedText`); ``code`` is what the QR encodes (the card's
    ``qr_code``); ``student_id``/``card_id`` identify the rows.
    """

    student_id: int
    card_id: int
    code: str
    nisn: str
    school: FittedText
    name: FittedText
    class_line: FittedText

    def qr_svg(self):
        """The inline SVG of this card's QR (error correction :data:`QR_ERROR`, 4-module quiet zone)."""
        return qr_svg(self.code, error=QR_ERROR, css_class="card-qr", title=self.code)


def card_face(*, student_id: int, card_id: int, code: str, name: str, nisn: str | None, school: str,
              class_line: str, measure: Measure | None = None) -> CardFace:
    """Fit one card's texts to their boxes (:data:`BOX`) with the PDF font's metrics."""
    measure = measure or _measure
    _x, _y, w, h = BOX["school"]
    school_fit = fit_text(school, w, h, SCHOOL_SIZES, measure, bold=True, max_lines=2)
    _x, _y, w, h = BOX["name"]
    name_fit = fit_text(name, w, h, NAME_SIZES, measure, bold=True, max_lines=3)
    _x, _y, w, h = BOX["class"]
    class_fit = fit_text(class_line, w, h, CLASS_SIZES, measure, bold=True, max_lines=1)
    return CardFace(student_id=student_id, card_id=card_id, code=code, nisn=nisn or "—",
                    school=school_fit, name=name_fit, class_line=class_fit)


def pages_of(faces: list[CardFace]) -> list[list[CardFace]]:
    """``faces`` in groups of :data:`PER_PAGE` (one group per A4 page)."""
    return [faces[i:i + PER_PAGE] for i in range(0, len(faces), PER_PAGE)]


def safe_filename(class_name: str, prefix: str = "kartu") -> str:
    """``kartu-<class>.pdf`` with only ``a-z0-9-`` (``"X IPA 1"`` → ``kartu-x-ipa-1.pdf``)."""
    ascii_name = unicodedata.normalize("NFKD", class_name or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"{prefix}-{slug or 'kelas'}.pdf"


def _cut_segments(count: int) -> list[tuple[float, float, float, float]]:
    """The dashed cut lines of one page with ``count`` cards: card edges, each drawn once."""
    seen = set()
    segments = []
    for index in range(count):
        _page, x, y = card_position(index)
        x2, y2 = round(x + CARD_W, 3), round(y + CARD_H, 3)
        for seg in ((x, y, x2, y), (x, y2, x2, y2), (x, y, x, y2), (x2, y, x2, y2)):
            if seg not in seen:
                seen.add(seg)
                segments.append(seg)
    return segments


def build_pdf(faces: list[CardFace], *, title: str, labels: dict[str, str]) -> bytes:
    """The PDF of ``faces`` on A4 pages, laid out exactly as the HTML sheet (see module doc).

    :param title: the document title (PDF metadata).
    :param labels: translated small captions: ``card`` ("Student card"),
        ``nisn``, ``class``.
    :returns: the PDF bytes (``%PDF-1.x``), :func:`page_count` pages; at
        least one page, empty when ``faces`` is empty.
    """
    pdf, family, unicode = _new_pdf()
    if unicode:
        pdf.set_font(family, "B", 10)
        glyphs = set(pdf.current_font.cmap) & set(pdf.fonts[f"{family.lower()}"].cmap)

        def text(value: str) -> str:
            """``value`` with characters the embedded font lacks replaced (see :func:`covered_text`)."""
            return covered_text(value, lambda ch: ch == " " or ord(ch) in glyphs)
    else:
        text = latin1_text
    pdf.set_title(text(title))
    pdf.set_creator("Hadir")
    pdf.set_author("Hadir")

    def put(lines, box, size, *, bold=False, rgb=(20, 23, 32), align="L", valign_middle=False):
        """Write ``lines`` at ``size`` pt from the top of ``box`` (x, y, w, h in mm), or centred vertically."""
        x, y, w, h = box
        pdf.set_font(family, "B" if bold else "", size)
        pdf.set_text_color(*rgb)
        line_h = size * PT * LINE_HEIGHT
        top = y + (h - line_h * len(lines)) / 2 if valign_middle else y
        for n, line in enumerate(lines):
            pdf.set_xy(x, top + n * line_h)
            pdf.cell(w, line_h, text(line), align=align)

    if not faces:
        pdf.add_page()
    for page_faces in pages_of(faces):
        pdf.add_page()
        for index, face in enumerate(page_faces):
            _page, cx, cy = card_position(index)

            def box(key, cx=cx, cy=cy):
                """:data:`BOX` ``key`` on the page: (x, y, w, h) in mm."""
                bx, by, bw, bh = BOX[key]
                return cx + bx, cy + by, bw, bh

            bx, by, bw, bh = box("band")
            pdf.set_fill_color(*BAND_RGB)
            pdf.rect(bx, by, bw, bh, style="F")
            put(face.school.lines, box("school"), face.school.size, bold=True, rgb=(255, 255, 255),
                valign_middle=True)
            put([labels["card"].upper()], box("label"), SMALL_SIZE, bold=True, rgb=(105, 115, 134))
            put(face.name.lines, box("name"), face.name.size, bold=True)
            put([labels["nisn"].upper()], box("nisn_label"), SMALL_SIZE, bold=True, rgb=(105, 115, 134))
            put([face.nisn], box("nisn"), NISN_SIZE)
            put([labels["class"].upper()], box("class_label"), SMALL_SIZE, bold=True, rgb=(105, 115, 134))
            put(face.class_line.lines, box("class"), face.class_line.size, bold=True)
            put([face.code], box("code"), SMALL_SIZE, rgb=(105, 115, 134))

            qx, qy, qw, _qh = box("qr")
            modules = qr_modules(face.code, error=QR_ERROR)
            unit = qw / modules.size
            pdf.set_fill_color(255, 255, 255)
            pdf.rect(qx, qy, qw, qw, style="F")
            pdf.set_fill_color(0, 0, 0)
            for mx, my, length in modules.runs:
                # 0.01 mm taller than a module: rows overlap, so viewers show no seams between them
                pdf.rect(qx + mx * unit, qy + my * unit, length * unit, unit + 0.01, style="F")

        pdf.set_draw_color(*CUT_RGB)
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern(dash=CUT_DASH[0], gap=CUT_DASH[1])
        for x1, y1, x2, y2 in _cut_segments(len(page_faces)):
            pdf.line(x1, y1, x2, y2)
        pdf.set_dash_pattern()
    return bytes(pdf.output())
