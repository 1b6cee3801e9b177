"""Admin pages of classes: list, create, edit, delete, enrolment per academic year, today's attendance grid.

Access: the class pages and enrolment are the administrator's.  Today's grid (the roll
call: mark present, mark all present, mark sick / permitted / absent with a note) is
also the principal's for every class and a teacher's for the classes she is homeroom
teacher of (:data:`~app.accounts.roles.ROLL_CALL_ROLES`,
:func:`~app.school.services.may_take_roll_call`); only the administrator sees the
enrolment links there.
Enrolment and attendance actions answer an htmx request with the fragment
they change (and a message inside it); without JavaScript they redirect back
to their page with a flash message.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.models import User
from ...accounts.roles import ROLL_CALL_ROLES, STUDENT_ROLES
from ...accounts.services import get_user
from ...admin.access import admin_required, is_admin, roles_required
from ...admin.messages import translate_message
from ...admin.rendering import render, wants_fragment
from ...common import clock
from ...common.boundary import refuse
from ...common.errors import DomainError, NotFound, ValidationFailed
from ...extensions import db
from ...leave.services import approved_leave_on
from .. import queries, services as school
from ..forms import ABSENCE_CHOICES, ClassForm, ConfirmForm, StudentActionForm, StudentMarkForm
from ..models import SchoolClass, StudentAttendance
from . import bp

#: Classes per page of the list.
PER_PAGE = 50
#: Most results of the enrol picker.
MAX_CANDIDATES = 20
#: Longest search text accepted (longer input is cut).
MAX_SEARCH = 100


# --- loading and small queries ------------------------------------------------------

def _load(class_id: int) -> SchoolClass:
    school_class = queries.find_class(class_id)
    if school_class is None:
        abort(404)
    return school_class


def _student(user_id: int) -> User | None:
    """The user ``user_id`` (a deleted one too) if a student, else None."""
    try:
        student = get_user(user_id, include_deleted=True)
    except NotFound:
        return None
    return student if student.role in STUDENT_ROLES else None


def _current_year() -> int:
    return school.academic_year_of(clock.local_today())


def _search_arg(source) -> str:
    return (source.get("q") or "").strip()[:MAX_SEARCH]


def _parse_year(value) -> int | None:
    """``value`` as an academic year within the accepted range, else None."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if school.MIN_YEAR <= year <= school.MAX_YEAR else None


def _year_error() -> str:
    return _("The academic year must be between %(min)d and %(max)d.", min=school.MIN_YEAR, max=school.MAX_YEAR)


# --- the list and the class form -------------------------------------------------------

@bp.get("/classes")
@admin_required
def classes():
    """Every class with its homeroom teacher, students enrolled this academic year and today's attendance."""
    search = _search_arg(request.args)
    page = db.paginate(queries.classes_query(search), page=request.args.get("page", 1, type=int) or 1,
                       per_page=PER_PAGE, error_out=False)
    year, today = _current_year(), clock.local_today()
    enrolled, present = queries.class_counts([c.id for c in page.items], year, today)
    filters = {"q": search} if search else {}
    return render("school/classes.html", "school/_partials/class_list.html", page=page, search=search,
                  filters=filters, enrolled=enrolled, present=present, year=year, today=today,
                  can_edit=is_admin(current_user))


def _class_form(**kwargs) -> ClassForm:
    form = ClassForm(**kwargs)
    form.set_teacher_choices(queries.homeroom_teacher_choices(), _("— No homeroom teacher —"))
    return form


def _conflicts() -> dict[str, str]:
    return {"name": _("Another class already has this name.")}


@bp.route("/classes/new", methods=["GET", "POST"])
@admin_required
def class_new():
    """Create a class (name unique, homeroom teacher optional)."""
    form = _class_form()
    if form.validate_on_submit():
        ok, school_class = form.call(lambda: school.create_class(**form.values(), actor=current_user), conflict_messages=_conflicts())
        if ok:
            flash(_("Class “%(name)s” was created.", name=school_class.name), "success")
            return redirect(url_for("school_admin.class_show", class_id=school_class.id), code=303)
    return render_template("school/classes_form.html", form=form, school_class=None)


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@admin_required
def class_edit(class_id: int):
    """Rename a class or change its homeroom teacher."""
    school_class = _load(class_id)
    form = _class_form(obj=school_class)
    if request.method == "GET":
        form.homeroom_teacher_id.data = school_class.homeroom_teacher_id or 0
        if school_class.homeroom_teacher is not None and school_class.homeroom_teacher_id not in dict(
                form.homeroom_teacher_id.choices):
            # keep showing a teacher who has since become inactive (saving asks for another one)
            form.homeroom_teacher_id.choices.append((school_class.homeroom_teacher_id,
                                                     school_class.homeroom_teacher.name))
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: school.update_class(school_class, current_user, **form.values()),
                               conflict_messages=_conflicts())
        if ok:
            flash(_("Class “%(name)s” was saved.", name=school_class.name), "success")
            return redirect(url_for("school_admin.class_show", class_id=school_class.id), code=303)
    return render_template("school/classes_form.html", form=form, school_class=school_class)


@bp.route("/classes/<int:class_id>/delete", methods=["GET", "POST"])
@admin_required
def class_delete(class_id: int):
    """Ask, then delete a class: its enrolments (every year) go, recorded attendance stays."""
    school_class = _load(class_id)
    if request.method == "POST":
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        name = school_class.name
        school.delete_class(school_class, actor=current_user)
        flash(_("Class “%(name)s” was deleted.", name=name), "success")
        return redirect(url_for("school_admin.classes"), code=303)
    usage = queries.class_usage(school_class, _current_year())
    return render_template("school/classes_delete.html", school_class=school_class, enrolments=usage.enrolments,
                           current=usage.current, attendance=usage.attendance, year=_current_year())


# --- the class page: enrolment ---------------------------------------------------------

def _page_year() -> tuple[int, str | None]:
    """The academic year asked for (``year`` argument), or the current one with an error message."""
    raw = request.args.get("year")
    if raw in (None, ""):
        return _current_year(), None
    year = _parse_year(raw)
    if year is None:
        return _current_year(), _year_error()
    return year, None


def _roster_context(school_class: SchoolClass, year: int, search: str) -> dict:
    """What the enrolled list and the picker results show."""
    students = school.class_students(school_class, year)
    return dict(school_class=school_class, year=year, students=students, search=search,
                cards=queries.card_states([s.id for s in students]),
                other_classes=queries.other_classes(school_class),
                candidates=queries.enrol_candidates(search, year, MAX_CANDIDATES), max_candidates=MAX_CANDIDATES)


@bp.get("/classes/<int:class_id>")
@admin_required
def class_show(class_id: int):
    """A class in one academic year: its students (remove, move) and the enrol picker."""
    school_class = _load(class_id)
    year, error = _page_year()
    search = _search_arg(request.args)
    current = _current_year()
    return render_template("school/classes_show.html", years=queries.enrolment_years(current, current + 1),
                           current_year=current,
                           notice=error, notice_kind="error", **_roster_context(school_class, year, search))


@bp.get("/classes/<int:class_id>/candidates")
@admin_required
def class_candidates(class_id: int):
    """The enrol picker's results (htmx fragment; the page itself without htmx)."""
    school_class = _load(class_id)
    year, error = _page_year()
    search = _search_arg(request.args)
    if not wants_fragment():
        return redirect(url_for("school_admin.class_show", class_id=class_id, year=year, q=search or None))
    response = make_response(render_template("school/_partials/class_candidates.html", oob=False, results_notice=error,
                                             **_roster_context(school_class, year, search)))
    response.vary.add("HX-Request")
    return response


def _roster_done(school_class: SchoolClass, year: int | None, search: str, message: str, kind: str = "success"):
    """Answer an enrolment action: the enrolled list plus the picker results (htmx) or a redirect."""
    year = year or _current_year()
    if wants_fragment():
        context = _roster_context(school_class, year, search)
        body = (render_template("school/_partials/class_students.html", notice=message, notice_kind=kind, **context)
                + render_template("school/_partials/class_candidates.html", oob=True, **context))
        response = make_response(body)
        response.vary.add("HX-Request")
        return response
    flash(message, kind)
    return redirect(url_for("school_admin.class_show", class_id=school_class.id, year=year, q=search or None),
                    code=303)


def _first_error(form: StudentActionForm) -> str:
    for field_name in ("student_id", "academic_year", "target_class_id", "q"):
        errors = form[field_name].errors
        if errors:
            return f"{form[field_name].label.text}: {errors[0]}"
    return " ".join(str(m) for m in form.form_errors) or _("The action failed. Reload the page and try again.")


def _domain_message(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        for key, messages in exc.errors.items():
            if key.startswith("student_ids"):
                return _("This person is not a student.")
            return translate_message(messages[0])
    return translate_message(exc.message)


def _student_action():
    """Validate a :class:`StudentActionForm` post: ``(form, year, student, search, error message or None)``."""
    form = StudentActionForm()
    search = (request.form.get("q") or "").strip()[:MAX_SEARCH]
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return form, None, None, search, _first_error(form)
    year = form.academic_year.data if form.academic_year.data is not None else _current_year()
    if _parse_year(year) is None:
        return form, None, None, search, _year_error()
    student = _student(form.student_id.data)
    if student is None:
        return form, year, None, search, _("This person is not a student.")
    return form, year, student, search, None


@bp.post("/classes/<int:class_id>/enrol")
@admin_required
def class_enrol(class_id: int):
    """Enrol one student for the academic year; a student in another class that year moves here."""
    school_class = _load(class_id)
    form, year, student, search, error = _student_action()
    if error:
        return _roster_done(school_class, year, search, error, "error")
    if not student.is_active:
        return _roster_done(school_class, year, search, _("This student's account is inactive."), "error")
    before = school.class_of(student, year)
    try:
        school.assign_students(school_class, [student.id], year, actor=current_user)
    except DomainError as exc:
        refuse()
        return _roster_done(school_class, year, search, _domain_message(exc), "error")
    if before is not None and before.id == school_class.id:
        message = _("%(student)s is already in this class.", student=student.name)
    elif before is not None:
        message = _("%(student)s moved from %(old)s to %(new)s.", student=student.name, old=before.name,
                    new=school_class.name)
    else:
        message = _("%(student)s was enrolled in %(new)s.", student=student.name, new=school_class.name)
    return _roster_done(school_class, year, search, message)


@bp.post("/classes/<int:class_id>/remove")
@admin_required
def class_remove(class_id: int):
    """Remove one student from the class for the academic year (their attendance history stays)."""
    school_class = _load(class_id)
    form, year, student, search, error = _student_action()
    if error:
        return _roster_done(school_class, year, search, error, "error")
    try:
        removed = school.remove_students(school_class, [student.id], year, actor=current_user)
    except DomainError as exc:
        refuse()
        return _roster_done(school_class, year, search, _domain_message(exc), "error")
    if not removed:
        return _roster_done(school_class, year, search,
                            _("%(student)s is not in this class.", student=student.name), "error")
    return _roster_done(school_class, year, search,
                        _("%(student)s was removed from %(name)s.", student=student.name, name=school_class.name))


@bp.post("/classes/<int:class_id>/move")
@admin_required
def class_move(class_id: int):
    """Move one student of this class to another class, same academic year."""
    school_class = _load(class_id)
    form, year, student, search, error = _student_action()
    if error:
        return _roster_done(school_class, year, search, error, "error")
    target = queries.find_class(form.target_class_id.data) if form.target_class_id.data else None
    if target is None or target.id == school_class.id:
        return _roster_done(school_class, year, search, _("Choose the class to move the student to."), "error")
    if not school.is_enrolled(student, school_class, year):
        return _roster_done(school_class, year, search,
                            _("%(student)s is not in this class.", student=student.name), "error")
    try:
        school.assign_students(target, [student.id], year, actor=current_user)
    except DomainError as exc:
        refuse()
        return _roster_done(school_class, year, search, _domain_message(exc), "error")
    return _roster_done(school_class, year, search,
                        _("%(student)s moved from %(old)s to %(new)s.", student=student.name, old=school_class.name,
                          new=target.name))


# --- today's attendance grid -------------------------------------------------------------

@dataclass
class GridRow:
    """One enrolled student today: ``state`` is ``present``, ``leave`` (an approved leave request),
    ``sick`` or ``permitted`` (the teacher's mark) or ``absent`` (marked so, or nothing recorded);
    ``absence``: the teacher's mark, if any."""

    student: User
    state: str
    attendance: StudentAttendance | None = None
    leave: object = None
    absence: object = None


def _grid(school_class: SchoolClass, day) -> tuple[list[GridRow], dict[str, int]]:
    """Every student enrolled in the academic year of ``day`` with their state, and the count per state."""
    statuses = school.class_status(school_class, day)
    ids = [s.student.id for s in statuses]
    rows_by_student = queries.attendance_on(ids, day)
    marks = school.absences_on(ids, day)
    rows = []
    for status in statuses:
        record = rows_by_student.get(status.student.id)
        if record is not None:
            rows.append(GridRow(status.student, "present", attendance=record))
            continue
        mark = marks.get(status.student.id)
        leave = approved_leave_on(status.student, day)
        if leave is not None:
            rows.append(GridRow(status.student, "leave", leave=leave, absence=mark))
        else:
            rows.append(GridRow(status.student, mark.kind if mark else "absent", absence=mark))
    counts = {state: sum(1 for r in rows if r.state == state) for state in ("present", "absent")}
    counts["leave"] = sum(1 for r in rows if r.state in ("leave", "sick", "permitted"))
    counts["total"] = len(rows)
    return rows, counts


def _today_context(school_class: SchoolClass, **extra) -> dict:
    day = clock.local_today()
    rows, counts = _grid(school_class, day)
    return dict(school_class=school_class, day=day, year=school.academic_year_of(day), rows=rows, counts=counts,
                can_edit=True, can_enrol=is_admin(current_user), absence_choices=ABSENCE_CHOICES, **extra)


def _load_for_roll_call(class_id: int) -> SchoolClass:
    """The class ``class_id`` (404) if the signed-in person may take its roll call (else 403:
    a teacher changing the id in the URL reads no other class)."""
    school_class = _load(class_id)
    if not school.may_take_roll_call(current_user, school_class):
        abort(403)
    return school_class


@bp.get("/classes/<int:class_id>/today")
@roles_required(ROLL_CALL_ROLES)
def class_today(class_id: int):
    """Today's attendance of a class (its roll call): present (time, method), on approved leave
    (its type) or absent.  The principal and admins: any class; a teacher: their own classes
    (:func:`~app.school.services.may_take_roll_call`)."""
    school_class = _load_for_roll_call(class_id)
    return render("school/classes_today.html", "school/_partials/class_today.html",
                  **_today_context(school_class, notice=None))


def _today_done(school_class: SchoolClass, message: str, kind: str = "success"):
    if wants_fragment():
        response = make_response(render_template("school/_partials/class_today.html",
                                                 **_today_context(school_class, notice=message, notice_kind=kind)))
        response.vary.add("HX-Request")
        return response
    flash(message, kind)
    return redirect(url_for("school_admin.class_today", class_id=school_class.id), code=303)


@bp.post("/classes/<int:class_id>/today/present")
@roles_required(ROLL_CALL_ROLES)
def class_mark_present(class_id: int):
    """Record one enrolled student present today (method ``manual``); who may: as :func:`class_today`."""
    school_class = _load_for_roll_call(class_id)
    form, _year, student, _search, error = _student_action()
    if error:
        return _today_done(school_class, error, "error")
    try:
        school.record_student(student, school_class, current_user._get_current_object(), method="manual",
                              on=clock.local_today())
    except school.NotEnrolled:
        refuse()
        return _today_done(school_class, _("%(student)s is not in this class.", student=student.name), "error")
    except school.AlreadyAttended:
        refuse()
        return _today_done(school_class, _("%(student)s is already present today.", student=student.name), "error")
    return _today_done(school_class, _("%(student)s was marked present.", student=student.name))


@bp.post("/classes/<int:class_id>/today/mark")
@roles_required(ROLL_CALL_ROLES)
def class_mark_absence(class_id: int):
    """Mark one enrolled student who is not in class today as sick, permitted or absent, with an
    optional note (:func:`~app.school.services.mark_absence`); who may: as :func:`class_today`."""
    school_class = _load_for_roll_call(class_id)
    form = StudentMarkForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        field = next((f for f in (form.student_id, form.kind, form.note) if f.errors), None)
        return _today_done(school_class, f"{field.label.text}: {field.errors[0]}" if field else
                           _("The action failed. Reload the page and try again."), "error")
    student = _student(form.student_id.data)
    if student is None:
        return _today_done(school_class, _("This person is not a student."), "error")
    try:
        mark = school.mark_absence(student, school_class, current_user._get_current_object(), on=clock.local_today(),
                                   kind=form.kind.data, note=form.note.data)
    except school.NotEnrolled:
        refuse()
        return _today_done(school_class, _("%(student)s is not in this class.", student=student.name), "error")
    except school.AlreadyAttended:
        refuse()
        return _today_done(school_class, _("%(student)s is already present today.", student=student.name), "error")
    except DomainError as exc:
        refuse()
        return _today_done(school_class, _domain_message(exc), "error")
    label = dict(ABSENCE_CHOICES)[mark.kind]
    return _today_done(school_class, _("%(student)s: %(reason)s.", student=student.name, reason=label))


@bp.post("/classes/<int:class_id>/today/present-all")
@roles_required(ROLL_CALL_ROLES)
def class_mark_all_present(class_id: int):
    """Record every enrolled student not yet present today as present (method ``bulk``); who may:
    as :func:`class_today`."""
    school_class = _load_for_roll_call(class_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = school.bulk_record(school_class, clock.local_today(), current_user._get_current_object())
    return _today_done(school_class, _("Marked present: %(count)d.", count=result.newly))
