"""The monthly recap (:class:`~.recap.Recap`) as XLSX, PDF and CSV, for the admin page and the CLI.

- **XLSX** (XlsxWriter, write-only and fast: a thousand people in well under a second):
  sheet 1 the recap — a header block (organisation, period, filters, printed-at time in the
  organisation's zone), the column headings as a frozen row with an autofilter, one row per
  person, a totals row; sheet 2 the day grid (person × day codes H, T, I, S, C, DL, A, L).
- **PDF** (fpdf2, pure Python, already the project's PDF library for student cards): A4
  landscape, the same header, the recap table (repeated headings on each page), the totals
  row, and the approval block *Disetujui oleh* with room for a signature.
- **CSV**: one row per person, the totals, then one column per day (the codes).

Every label goes through Flask-Babel (the caller's language); numbers stay numbers in XLSX.
Worked and overtime time: hours with one decimal; late and early leave: whole minutes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date, gettext as _, lazy_gettext as _l

from ..common import clock
from .recap import Recap, RecapRow


#: The populations of :data:`app.attendance.recap.POPULATIONS` in words.
POPULATION_LABELS = {"staff": _l("Employees and clinic staff"), "students": _l("Students")}


@dataclass(frozen=True)
class Heading:
    """What the header block says: ``organisation``, ``period`` (e.g. "November 2026"),
    ``scope`` (the filters in words, e.g. "Karyawan · Kantor Pusat"), ``printed_at`` (UTC)."""

    organisation: str
    period: str
    scope: str
    printed_at: datetime


def heading_for(year: int, month: int, scope: str) -> Heading:
    """The header of a recap printed now: the organisation's name
    (:func:`app.system.settings.organisation_name`), the month in the current language, ``scope``."""
    from ..admin.filters import month_name
    from ..system.settings import organisation_name
    from .recap import month_range

    organisation = organisation_name()
    return Heading(organisation=organisation, period=month_name(month_range(year, month)[0]), scope=scope,
                   printed_at=clock.now())


def render(recap: Recap, heading: Heading, fmt: str) -> bytes:
    """The recap in ``fmt`` (``xlsx``, ``pdf`` or ``csv``, UTF-8 with a BOM) as bytes.

    :raises ValueError: an unknown format."""
    if fmt == "xlsx":
        return to_xlsx(recap, heading)
    if fmt == "pdf":
        return to_pdf(recap, heading)
    if fmt == "csv":
        from ..common.csv_export import to_csv

        data = to_csv(to_rows(recap))
        return data.encode("utf-8") if isinstance(data, str) else data
    raise ValueError(f"unknown format {fmt!r}")


def columns():
    """``[(label, width in characters, value(row) → cell)]`` of the recap's per-person columns."""
    def hours(minutes):
        """Minutes as hours with one decimal."""
        return round(minutes / 60, 1)

    return [
        (_("NPP / NIK / NISN"), 14, lambda r: r.user.npp or r.user.nisn_nip_nik or ""),
        (_("Name"), 26, lambda r: r.user.name),
        (_("Department"), 16, lambda r: r.user.department.name if r.user.department else ""),
        (_("Position"), 16, lambda r: r.user.position or ""),
        (_("Office"), 16, lambda r: r.user.office.name if r.user.office else ""),
        (_("Scheduled work days"), 9, lambda r: r.totals.scheduled_days),
        (_("Present"), 8, lambda r: r.totals.present),
        (_("Late (days)"), 8, lambda r: r.totals.late),
        (_("Late (min)"), 8, lambda r: r.totals.late_minutes),
        (_("Early leave (days)"), 8, lambda r: r.totals.early_leave),
        (_("Early leave (min)"), 8, lambda r: r.totals.early_leave_minutes),
        (_("Absent without reason"), 8, lambda r: r.totals.absent),
        (_("Permission"), 7, lambda r: r.totals.izin),
        (_("Sick leave"), 7, lambda r: r.totals.sakit),
        (_("Annual leave"), 7, lambda r: r.totals.cuti),
        (_("Off-site duty"), 7, lambda r: r.totals.dinas_luar),
        (_("Days off and holidays"), 8, lambda r: r.totals.off_days),
        (_("Worked (hours)"), 9, lambda r: hours(r.totals.worked_minutes)),
        (_("Approved overtime (hours)"), 9, lambda r: hours(r.totals.overtime_minutes)),
    ]


#: Index of the first numeric column of :func:`columns` (the totals row sums from here).
FIRST_NUMBER = 5


def _totals_row(recap: Recap) -> list:
    everyone = RecapRow(user=None, days=[], totals=recap.totals)
    values = [fn(everyone) for _, _, fn in columns()[FIRST_NUMBER:]]
    return [_("Total (%(n)d people)", n=len(recap.rows)), "", "", "", ""] + values


def _letters():
    from ..admin.filters import RECAP_LETTERS

    return {code: str(letter) for code, letter in RECAP_LETTERS.items()}


def _header_lines(heading: Heading) -> list[str]:
    printed = clock.to_local(heading.printed_at)
    return [heading.organisation, _("Attendance recap %(period)s", period=heading.period), heading.scope,
            _("Printed %(when)s", when=format_date(printed.date(), "d MMMM y") + printed.strftime(" %H.%M"))]


# --- XLSX -------------------------------------------------------------------------------

def to_xlsx(recap: Recap, heading: Heading) -> bytes:
    """The recap as an XLSX workbook (sheets "Rekap"/"Recap" and the day grid); returns its bytes."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": False})
    title = book.add_format({"bold": True, "font_size": 14})
    sub = book.add_format({"font_size": 10, "font_color": "#475467"})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EAECF0", "border": 1})
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "0"})
    decimal = book.add_format({"border": 1, "num_format": "0.0"})
    total = book.add_format({"bold": True, "top": 2, "border": 1})
    total_decimal = book.add_format({"bold": True, "top": 2, "border": 1, "num_format": "0.0"})
    letters = _letters()
    cols = columns()

    sheet = book.add_worksheet(_("Recap")[:31])
    lines = _header_lines(heading)
    sheet.write(0, 0, lines[0], title)
    for i, line in enumerate(lines[1:], start=1):
        sheet.write(i, 0, line, sub)
    top = len(lines) + 1
    for c, (label, width, _fn) in enumerate(cols):
        sheet.write(top, c, label, head)
        sheet.set_column(c, c, width)
    sheet.set_row(top, 45)
    # write_string / write_number / write_blank, not write(): no type sniffing per cell (URL and
    # formula patterns: a name starting with "=" stays text), as fast as XlsxWriter goes
    texts, numbers = cols[:FIRST_NUMBER], cols[FIRST_NUMBER:]
    for r, row in enumerate(recap.rows, start=top + 1):
        for c, (_label, _width, fn) in enumerate(texts):
            value = fn(row)
            if value:
                sheet.write_string(r, c, value, cell)
            else:
                sheet.write_blank(r, c, None, cell)
        for c, (_label, _width, fn) in enumerate(numbers, start=FIRST_NUMBER):
            value = fn(row)
            sheet.write_number(r, c, value, decimal if isinstance(value, float) else number)
    last = top + 1 + len(recap.rows)
    for c, value in enumerate(_totals_row(recap)):
        sheet.write(last, c, value, total_decimal if isinstance(value, float) else total)
    sheet.freeze_panes(top + 1, 2)
    sheet.autofilter(top, 0, last - 1 if recap.rows else top, len(cols) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top)

    grid = book.add_worksheet(_("Day grid")[:31])
    grid.write(0, 0, lines[0], title)
    grid.write(1, 0, lines[1], sub)
    top_grid = 3
    grid.write(top_grid, 0, cols[0][0], head)
    grid.write(top_grid, 1, cols[1][0], head)
    grid.set_column(0, 0, 14)
    grid.set_column(1, 1, 26)
    grid.set_column(2, 1 + len(recap.dates), 4)
    centred = book.add_format({"border": 1, "align": "center"})
    for d, day in enumerate(recap.dates, start=2):
        grid.write(top_grid, d, day.day, head)
    for r, row in enumerate(recap.rows, start=top_grid + 1):
        identifier = cols[0][2](row)
        if identifier:
            grid.write_string(r, 0, identifier, cell)
        else:
            grid.write_blank(r, 0, None, cell)
        grid.write_string(r, 1, row.user.name, cell)
        for d, day in enumerate(row.days, start=2):
            letter = letters.get(day.status)
            if letter:
                grid.write_string(r, d, letter, centred)
            else:
                grid.write_blank(r, d, None, centred)
    grid.freeze_panes(top_grid + 1, 2)
    grid.set_landscape()
    grid.set_paper(9)
    grid.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


# --- CSV --------------------------------------------------------------------------------

def to_rows(recap: Recap) -> list[list]:
    """The recap as CSV rows: headings, one row per person (totals then the day codes), the totals row."""
    cols = columns()
    letters = _letters()
    rows = [[label for label, _w, _f in cols] + [d.isoformat() for d in recap.dates]]
    for row in recap.rows:
        rows.append([fn(row) for _l, _w, fn in cols] + [letters.get(day.status, "") for day in row.days])
    rows.append(_totals_row(recap))
    return rows


# --- PDF --------------------------------------------------------------------------------

#: Columns of the PDF: (index into :func:`columns`, width in mm, short heading or None for the
#: column's own).  A4 landscape is 297 mm, less 2 × 10 mm margins.
def pdf_columns():
    """The PDF's columns, narrower headings than the XLSX (day codes where HR's sheets use them)."""
    letters = _letters()
    return ((0, 20, None), (1, 42, None), (2, 28, None), (3, 28, None), (5, 12, _("Work days")),
            (6, 10, letters["present"]), (7, 10, letters["late"]), (8, 17, _("Late (min)")),
            (9, 13, _("Early leave (days)")), (10, 13, _("Early leave (min)")), (11, 9, letters["absent"]),
            (12, 9, letters["izin"]), (13, 9, letters["sakit"]), (14, 9, letters["cuti"]),
            (15, 9, letters["dinas_luar"]), (16, 9, letters["off"]), (17, 14, _("Worked (hours)")),
            (18, 14, _("Overtime (hours)")))


def to_pdf(recap: Recap, heading: Heading, *, approver_title: str | None = None) -> bytes:
    """The recap as an A4 landscape PDF with the approval block (*Disetujui oleh*); returns its bytes."""
    from fpdf import FPDF

    from ..common.pdf_text import font_files, latin1_text

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=12)
    files = font_files()
    if files:
        pdf.add_font("RecapSans", "", files[0])
        pdf.add_font("RecapSans", "B", files[1])
        family, text = "RecapSans", (lambda s: s)
    else:  # pragma: no cover - a machine without DejaVu: Latin-1 only
        family, text = "Helvetica", latin1_text
    lines = _header_lines(heading)
    pdf.set_title(text(lines[1]))
    pdf.set_author(text(heading.organisation))
    pdf.set_creator("Hadir")
    page_label = _("Page")

    def footer():
        """Every page's footer: the title line and ``Page n/N``, right-aligned in grey."""
        pdf.set_y(-9)
        pdf.set_font(family, "", 7)
        pdf.set_text_color(100, 100, 100)
        pdf.cell(0, 4, text(f"{lines[1]} · {page_label} {pdf.page_no()}/{{nb}}"), align="R")
        pdf.set_text_color(0, 0, 0)

    pdf.footer = footer
    pdf.add_page()
    pdf.set_font(family, "B", 13)
    pdf.cell(0, 6, text(lines[0]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 11)
    pdf.cell(0, 6, text(lines[1]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(0, 4, text(lines[2]), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 4, text(lines[3]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)

    cols = columns()
    chosen = pdf_columns()
    headings = [text(str(h or cols[i][0])) for i, _w, h in chosen]
    body = [[text(_pdf_value(cols[i][2](row))) for i, _w, _h in chosen] for row in recap.rows]
    totals = _totals_row(recap)
    _pdf_table(pdf, family, headings, body, [text(_pdf_value(totals[i])) for i, _w, _h in chosen],
               widths=[w for _i, w, _h in chosen], right=[i >= FIRST_NUMBER for i, _w, _h in chosen])

    # the approval block: a place and date line, "Disetujui oleh", room to sign, name and title lines
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(8)
    x = pdf.w - 10 - 75
    pdf.set_font(family, "", 8.5)
    pdf.set_x(x)
    pdf.cell(75, 5, text(_("Approved by")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(x)
    pdf.cell(75, 5, text(approver_title or _("Head of HR")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_x(x)
    pdf.cell(75, 5, "(" + " " * 60 + ")", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(x + 10)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(x + 10, pdf.get_y() - 1, x + 65, pdf.get_y() - 1)
    pdf.set_x(10)
    pdf.set_y(pdf.get_y() - 28)
    pdf.set_font(family, "", 7.5)
    pdf.set_text_color(70, 70, 70)
    legend = " · ".join(f"{letter} {label}" for letter, label in _legend())
    pdf.multi_cell(x - 20, 3.8, text(legend))
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


#: The PDF table's look: font size (pt), line height and cell padding (mm), colours (RGB).
PDF_TABLE = {"size": 6.5, "line": 3.4, "padding": 0.8, "rule": (180, 180, 180), "heading_fill": (234, 236, 240)}


def _pdf_table(pdf, family: str, headings: list[str], rows: list[list[str]], totals: list[str], *,
               widths: list[float], right: list[bool]) -> None:
    """A ruled table from the current position: ``headings`` (bold, shaded, repeated at the top of
    each page), ``rows``, then ``totals`` (bold, its label spanning the empty text columns after it);
    column ``widths`` in mm (stretched to the page's width between the margins), ``right`` aligned
    columns; cells centred vertically.

    Drawn with ``text()`` and lines rather than fpdf2's ``table()``, which lays out every cell
    through its text-shaping machinery (about 7 s for a thousand people); a cell wider than its
    column wraps onto more lines (``multi_cell``'s line breaking, only for those cells).  Text
    widths are measured once per distinct string and style.
    """
    size, line, pad = PDF_TABLE["size"], PDF_TABLE["line"], PDF_TABLE["padding"]
    left = pdf.l_margin
    stretch = (pdf.w - pdf.l_margin - pdf.r_margin) / sum(widths)   # the widths are proportions of the page's
    widths = [w * stretch for w in widths]
    edges = [left]
    for w in widths:
        edges.append(edges[-1] + w)
    bottom = pdf.h - pdf.b_margin
    baseline = 0.5 * line + 0.3 * size / pdf.k   # where cell() puts a line's baseline
    measured: dict[tuple[str, str], float] = {}
    auto_break, cell_margin = pdf.auto_page_break, pdf.c_margin
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0   # multi_cell's own margin: the padding is ours
    pdf.set_draw_color(*PDF_TABLE["rule"])

    def lines_of(cells, col_widths, style):
        """Each cell of a row broken into the lines that fit its column (``[(text, width in mm)]`` per cell), widths
        measured once per text and style."""
        pdf.set_font(family, style, size)
        out = []
        for value, w in zip(cells, col_widths):
            key = (style, value)
            width = measured.get(key)
            if width is None:
                width = measured[key] = pdf.get_string_width(value)
            if width <= w - 2 * pad:
                out.append([(value, width)])
            else:
                wrapped = pdf.multi_cell(w - 2 * pad, line, value, dry_run=True, output="LINES")
                out.append([(part, pdf.get_string_width(part)) for part in wrapped])
        return out

    # the column rules are drawn per section: from the top of a page's table, or of a row whose
    # columns differ (the totals' label spans the text columns), down to where that layout ends
    section = {"edges": edges, "top": 0.0}

    def close_section():
        """Draw the column rules of the section that ends here, from its top to the current line."""
        for x in section["edges"]:
            pdf.line(x, section["top"], x, pdf.get_y())

    def draw(cells, style, fill=None, merged=1):
        """Draw one row (``merged``: the first columns joined into one), on a new page with the headings when it does
        not fit."""
        row_edges, row_widths, row_right = edges, widths, right
        if merged > 1:
            cells = [cells[0], *cells[merged:]]
            row_edges, row_widths = [edges[0], *edges[merged:]], [sum(widths[:merged]), *widths[merged:]]
            row_right = [right[0], *right[merged:]]
        lines = lines_of(cells, row_widths, style)
        height = max(len(parts) for parts in lines) * line + 2 * pad
        if pdf.get_y() + height > bottom:
            close_section()
            pdf.add_page()
            start_page()
        y = pdf.get_y()
        if row_edges != section["edges"]:
            close_section()
            section.update(edges=row_edges, top=y)
        if fill is not None:
            pdf.set_fill_color(*fill)
            pdf.rect(left, y, edges[-1] - left, height, style="F")
        pdf.set_font(family, style, size)
        for x, w, is_right, parts in zip(row_edges, row_widths, row_right, lines):
            top = y + (height - len(parts) * line) / 2 + baseline   # centred vertically, as table() does
            for n, (part, width) in enumerate(parts):
                if part:
                    pdf.text(x + w - pad - width if is_right else x + pad, top + n * line, part)
        pdf.line(left, y + height, edges[-1], y + height)
        pdf.set_y(y + height)

    def start_page():
        """Start the table on a page: its top rule and the headings row."""
        section.update(edges=edges, top=pdf.get_y())
        pdf.line(left, section["top"], edges[-1], section["top"])
        draw(headings, "B", PDF_TABLE["heading_fill"])

    start_page()
    for cells in rows:
        draw(cells, "")
    # the totals' label over the leading text columns (they are empty in that row)
    label_span = next((n for n, value in enumerate(totals[1:], start=1) if value or right[n]), len(totals))
    draw(totals, "B", merged=label_span)
    close_section()
    pdf.set_auto_page_break(auto_break, margin=pdf.b_margin)
    pdf.c_margin = cell_margin
    pdf.set_font(family, "", size)


def _pdf_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return "" if value is None else str(value)


def _legend():
    from ..admin.filters import DAY_LABELS

    letters = _letters()
    return [(letters[code], str(DAY_LABELS[code])) for code in
            ("present", "late", "izin", "sakit", "cuti", "dinas_luar", "absent", "off")]
