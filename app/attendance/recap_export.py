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
    """The header of a recap printed now: the organisation's name (config ``ORGANISATION_NAME``, else
    the ``school_name`` setting, else "Hadir"), the month in the current language, ``scope``."""
    from flask import current_app

    from ..admin.filters import month_name
    from ..system.settings import get_setting
    from .recap import month_range

    organisation = current_app.config.get("ORGANISATION_NAME") or get_setting("school_name") or "Hadir"
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
    for r, row in enumerate(recap.rows, start=top + 1):
        for c, (_label, _width, fn) in enumerate(cols):
            value = fn(row)
            fmt = cell if c < FIRST_NUMBER else (decimal if isinstance(value, float) else number)
            sheet.write(r, c, value, fmt)
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
        grid.write(r, 0, cols[0][2](row), cell)
        grid.write(r, 1, row.user.name, cell)
        for d, day in enumerate(row.days, start=2):
            grid.write(r, d, letters.get(day.status, ""), centred)
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
    return ((0, 20, None), (1, 46, None), (2, 28, None), (3, 28, None), (5, 12, _("Work days")),
            (6, 10, letters["present"]), (7, 10, letters["late"]), (8, 13, _("Late (min)")),
            (9, 13, _("Early leave (days)")), (10, 13, _("Early leave (min)")), (11, 9, letters["absent"]),
            (12, 9, letters["izin"]), (13, 9, letters["sakit"]), (14, 9, letters["cuti"]),
            (15, 9, letters["dinas_luar"]), (16, 9, letters["off"]), (17, 14, _("Worked (hours)")),
            (18, 14, _("Overtime (hours)")))


def to_pdf(recap: Recap, heading: Heading, *, approver_title: str | None = None) -> bytes:
    """The recap as an A4 landscape PDF with the approval block (*Disetujui oleh*); returns its bytes."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

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
    widths = [w for _i, w, _h in chosen]
    aligns = ["LEFT" if i < FIRST_NUMBER else "RIGHT" for i, _w, _h in chosen]
    pdf.set_font(family, "", 6.5)
    pdf.set_draw_color(180, 180, 180)
    heading_style = FontFace(emphasis="BOLD", fill_color=(234, 236, 240))
    with pdf.table(col_widths=widths, text_align=aligns, line_height=3.4, headings_style=heading_style,
                   repeat_headings=1, padding=0.8) as table:
        table.row([text(str(h or cols[i][0])) for i, _w, h in chosen])
        for row in recap.rows:
            table.row([text(_pdf_value(cols[i][2](row))) for i, _w, _h in chosen])
        totals = _totals_row(recap)
        pdf.set_font(family, "B", 6.5)
        table.row([text(_pdf_value(totals[i])) for i, _w, _h in chosen])
        pdf.set_font(family, "", 6.5)

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


def _pdf_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return "" if value is None else str(value)


def _legend():
    from ..admin.filters import DAY_LABELS

    letters = _letters()
    return [(letters[code], str(DAY_LABELS[code])) for code in
            ("present", "late", "izin", "sakit", "cuti", "dinas_luar", "absent", "off")]
