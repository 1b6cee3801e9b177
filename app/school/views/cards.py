"""Admin pages of student QR cards: list, generate, deactivate, print sheet, PDF.

Routes (blueprint ``school_admin``, under ``/admin/school``):

- ``GET  /cards`` (staff): students of an academic year with their active
  card, filtered by class, searchable by name/NISN, paginated; the action
  buttons are shown to admins only;
- ``POST /cards/students/<id>/generate`` (admin): a new card; the previous one
  stops working (:func:`app.school.services.generate_card`);
- ``POST /cards/<id>/deactivate`` and ``/cards/<id>/activate`` (admin);
- ``POST /cards/generate-missing`` (admin): a card for every active student of
  a class (that year) who has no active card;
- ``GET  /cards/print`` (staff): the A4 sheet for the browser's print dialog;
- ``GET  /cards.pdf`` (staff): the same sheet as a PDF download.

The row actions are htmx forms that swap their table row; without htmx
they redirect back to the list.  Bad parameters (an id that is not a number,
an unknown class, a year out of range, a user who is not a student or not in
the class) get a 400/404 page that says what is wrong; nothing changes.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ...accounts.models import User
from ...accounts.roles import STUDENT_ROLES
from ...accounts.services import get_user
from ...admin.access import admin_required, is_admin, staff_required
from ...admin.messages import translate_message
from ...admin.rendering import render, wants_fragment
from ...common import clock
from ...common.boundary import refuse
from ...common.errors import DomainError, NotFound
from ...extensions import db
from ...system.settings import get_setting
from .. import card_sheet, queries
from ..models import SchoolClass, StudentQrCard
from ..services import (MAX_YEAR, MIN_YEAR, academic_year_of, class_students, generate_card,
                        set_card_status)
from . import bp

#: Students per page of the card list.
PER_PAGE = 25


class BadParameter(Exception):
    """A query or form parameter that cannot be used; ``message`` is shown to the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    refuse()
    title = _("Not found") if exc.status == 404 else _("Bad request")
    return render_template("errors/error.html", error=exc, code=exc.status, title=title, text=exc.message), exc.status


def year_label(year: int) -> str:
    """``2025`` → ``"2025/2026"`` (an academic year as schools write it)."""
    return f"{year}/{year + 1}"


# --- parameters -----------------------------------------------------------------------

def _int_param(name: str, raw: str | None) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 9:
        raise BadParameter(_("“%(name)s” must be a whole number, not “%(value)s”.", name=name, value=raw[:40]))
    return int(raw)


def _school_class(required: bool) -> SchoolClass | None:
    class_id = _int_param("class_id", request.values.get("class_id"))
    if class_id is None:
        if required:
            raise BadParameter(_("Choose a class (the class_id parameter is missing)."))
        return None
    school_class = queries.find_class(class_id)
    if school_class is None:
        raise BadParameter(_("There is no class with id %(id)d.", id=class_id), 404)
    return school_class


def _academic_year() -> int:
    year = _int_param("academic_year", request.values.get("academic_year"))
    if year is None:
        return academic_year_of(clock.local_today())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadParameter(_("The academic year must be between %(min)d and %(max)d.", min=MIN_YEAR, max=MAX_YEAR))
    return year


def _student(student_id: int) -> User:
    try:
        student = get_user(student_id, include_deleted=True)
    except NotFound:
        raise BadParameter(_("There is no user with id %(id)d.", id=student_id), 404) from None
    if student.role not in STUDENT_ROLES:
        raise BadParameter(_("%(name)s is not a student.", name=student.name))
    return student


def _card(card_id: int) -> StudentQrCard:
    card = queries.find_card(card_id)
    if card is None:
        abort(404)
    return card


def _missing(school_class: SchoolClass | None, year: int) -> list[User]:
    """Active students of the class that year without an active card."""
    if school_class is None:
        return []
    students = [s for s in class_students(school_class, year) if s.is_active]
    return [row.student for row in queries.card_rows(students, year) if row.card is None]


def _year_choices(year: int) -> list[int]:
    return queries.enrolment_years(academic_year_of(clock.local_today()), year)


def _list(*, notice: str | None = None, notice_kind: str = "success"):
    school_class = _school_class(required=False)
    year = _academic_year()
    search = (request.values.get("q") or "").strip()[:100]
    page = db.paginate(queries.students_query(school_class, year, search),
                       page=request.args.get("page", 1, type=int) or 1, per_page=PER_PAGE, error_out=False)
    filters = {k: v for k, v in (("class_id", school_class.id if school_class else None),
                                 ("academic_year", year), ("q", search)) if v}
    return render("school/cards.html", "school/_partials/card_list.html",
                  page=page, rows=queries.card_rows(list(page.items), year), school_class=school_class, year=year,
                  search=search, filters=filters, classes=queries.list_classes(ignore_case=True),
                  years=_year_choices(year), missing=_missing(school_class, year),
                  can_manage=is_admin(current_user), notice=notice, notice_kind=notice_kind)


def _row_response(student: User, year: int, school_class: SchoolClass | None, message: str):
    """The student's row (htmx) or a redirect to the list with ``message`` flashed."""
    if wants_fragment():
        row = queries.card_rows([student], year)[0]
        return render_template("school/_partials/card_row.html", row=row, year=year, school_class=school_class,
                               can_manage=True, notice=message)
    flash(message, "success")
    return redirect(url_for(".cards", academic_year=year, class_id=school_class.id if school_class else None),
                    code=303)


def _refused(exc: DomainError) -> BadParameter:
    """A service's refusal as a page in the user's language (409: a concurrent change won)."""
    refuse()
    return BadParameter(translate_message(exc.message), 409)


# --- pages --------------------------------------------------------------------------------------

@bp.get("/cards")
@staff_required
def cards():
    """Students with their active QR card (or none), by class and academic year, searchable, paginated."""
    return _list()


@bp.post("/cards/students/<int:student_id>/generate")
@admin_required
def card_generate(student_id: int):
    """Generate (or regenerate) a student's card; the previous card stops working."""
    year = _academic_year()
    school_class = _school_class(required=False)
    student = _student(student_id)
    had_card = queries.has_active_card(student)
    try:
        card = generate_card(student, actor=current_user)
    except DomainError as exc:
        raise _refused(exc) from None
    message = (_("New card %(code)s for %(name)s; the old card no longer works.", code=card.qr_code, name=student.name)
               if had_card else _("Card %(code)s generated for %(name)s.", code=card.qr_code, name=student.name))
    return _row_response(student, year, school_class, message)


def _set_status(card_id: int, active: bool):
    year = _academic_year()
    school_class = _school_class(required=False)
    card = _card(card_id)
    student = card.student
    try:
        set_card_status(card, active, actor=current_user)
    except DomainError as exc:
        raise _refused(exc) from None
    message = (_("Card %(code)s of %(name)s works again; any other card of theirs was deactivated.",
                 code=card.qr_code, name=student.name) if active
               else _("Card %(code)s of %(name)s was deactivated.", code=card.qr_code, name=student.name))
    return _row_response(student, year, school_class, message)


@bp.post("/cards/<int:card_id>/deactivate")
@admin_required
def card_deactivate(card_id: int):
    """Deactivate a card: scanning it is refused from now on."""
    return _set_status(card_id, False)


@bp.post("/cards/<int:card_id>/activate")
@admin_required
def card_activate(card_id: int):
    """Reactivate a card (the student's other active card, if any, is deactivated)."""
    return _set_status(card_id, True)


@bp.post("/cards/generate-missing")
@admin_required
def cards_generate_missing():
    """Generate a card for every active student of the class (that academic year) who has none."""
    school_class = _school_class(required=True)
    year = _academic_year()
    try:
        made = [generate_card(student, actor=current_user) for student in _missing(school_class, year)]
    except DomainError as exc:
        raise _refused(exc) from None
    if made:
        message = ngettext("%(num)d new card for %(class)s.", "%(num)d new cards for %(class)s.", len(made),
                           **{"class": school_class.name})
    else:
        message = _("Every student of %(class)s already has a card.", **{"class": school_class.name})
    if wants_fragment():
        return _list(notice=message)
    flash(message, "success")
    return redirect(url_for(".cards", class_id=school_class.id, academic_year=year), code=303)


# --- the sheet --------------------------------------------------------------------------------------

@dataclass
class Sheet:
    """What the print page and the PDF show: the faces of active cards, students without one."""

    school_class: SchoolClass
    year: int
    faces: list[card_sheet.CardFace]
    missing: list[User]
    school_name: str | None


def _sheet() -> Sheet:
    """The sheet of the request's ``class_id``, ``academic_year`` and optional repeated ``student_id``.

    :raises BadParameter: bad/unknown class, bad year, an id that is not a
        number, not a user (404), not a student or not in the class that year.
    """
    school_class = _school_class(required=True)
    year = _academic_year()
    enrolled = class_students(school_class, year)
    raw_ids = request.args.getlist("student_id")
    if raw_ids:
        by_id = {s.id: s for s in enrolled}
        chosen: dict[int, User] = {}
        for raw in raw_ids[:500]:
            student = _student(_int_param("student_id", raw))
            if student.id not in by_id:
                raise BadParameter(_("%(name)s is not in class %(class)s in %(year)s.", name=student.name,
                                     year=year_label(year), **{"class": school_class.name}))
            chosen[student.id] = student
        enrolled = [s for s in enrolled if s.id in chosen]
    school_name = get_setting("school_name")
    class_line = f"{school_class.name} · {year_label(year)}"
    faces, missing = [], []
    for row in queries.card_rows(enrolled, year):
        if row.card is None:
            missing.append(row.student)
            continue
        faces.append(card_sheet.card_face(student_id=row.student.id, card_id=row.card.id, code=row.card.qr_code,
                                          name=row.student.name, nisn=row.student.nisn_nip_nik,
                                          school=school_name or _("Student card"), class_line=class_line))
    return Sheet(school_class, year, faces, missing, school_name)


def _sheet_args(sheet: Sheet) -> dict:
    args = {"class_id": sheet.school_class.id, "academic_year": sheet.year}
    ids = request.args.getlist("student_id")
    if ids:
        args["student_id"] = ids
    return args


@bp.get("/cards/print")
@staff_required
def cards_print():
    """The A4 sheet of the class's active cards (2 x 5 per page) for the browser's print dialog."""
    sheet = _sheet()
    response = make_response(render_template(
        "school/cards_print.html", sheet=sheet, pages=card_sheet.pages_of(sheet.faces), layout=card_sheet,
        year_label=year_label(sheet.year), args=_sheet_args(sheet), can_manage=is_admin(current_user)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cards.pdf")
@staff_required
def cards_pdf():
    """The same sheet as a PDF (``kartu-<class>.pdf``), cards drawn as vectors."""
    sheet = _sheet()
    if not sheet.faces:
        raise BadParameter(_("No student of %(class)s has an active card: there is nothing to print.",
                             **{"class": sheet.school_class.name}), 404)
    data = card_sheet.build_pdf(
        sheet.faces, title=_("Student cards %(class)s %(year)s", year=year_label(sheet.year),
                             **{"class": sheet.school_class.name}),
        labels={"card": _("Student card"), "nisn": "NISN", "class": _("Class")})
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{card_sheet.safe_filename(sheet.school_class.name)}"')
    response.headers["Cache-Control"] = "no-store"
    return response
