"""Admin pages of users (admins only) and device resets (admins and petugas), on the ``accounts`` blueprint."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...admin.access import admin_required, staff_required
from ...admin.messages import translate_message
from ...admin.rendering import render, wants_fragment
from ...common.boundary import refuse
from ...common.errors import DomainError, NotFound
from ...extensions import db
from ...departments.services import department_tree
from ...places.services import list_offices
from .. import services as accounts
from ..forms import NewUserForm, RejectDeviceResetForm, UserForm
from ..models import User
from ..roles import ROLE_BY_KEY, ROLES

from . import bp

#: Rows per page of the user list and of the device-reset list.
PER_PAGE = 20


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _conflict_messages() -> dict[str, str]:
    """Messages of a taken identifier; the ``:deleted`` ones when its holder was deleted
    (identifiers stay reserved, :func:`app.accounts.services.delete_user`)."""
    return {
        "email": _("This email is already used by another user."),
        "npp": _("This NPP is already used by another user."),
        "nisn_nip_nik": _("This NISN/NIP/NIK is already used by another user."),
        "email:deleted": _("This email belongs to a deleted user: restore them under Users → Deleted users."),
        "npp:deleted": _("This NPP belongs to a deleted user: restore them under Users → Deleted users."),
        "nisn_nip_nik:deleted": _("This NISN/NIP/NIK belongs to a deleted user: restore them under "
                                  "Users → Deleted users."),
    }


# --- users ------------------------------------------------------------------

def _load_user(user_id: int) -> User:
    try:
        return accounts.get_user(user_id)
    except NotFound:
        abort(404)


#: ``?show=`` of the user list: the people in use (default) or the deleted ones.
SHOW_DELETED = "deleted"


def _user_list(*, notice=None, notice_kind="success"):
    search = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    if role not in ROLE_BY_KEY:
        role = ""
    show = SHOW_DELETED if request.args.get("show") == SHOW_DELETED else ""
    rows = department_tree()
    department, department_ids = department_filter(rows)
    stmt = accounts.users_query(search=search, role=role or None, deleted=bool(show),
                                department_ids=department_ids).options(
        selectinload(User.device), selectinload(User.department))
    page = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False)
    filters = {k: v for k, v in (("q", search), ("role", role), ("department", department), ("show", show)) if v}
    from .bulk import bulk_form

    return render("accounts/users.html", "accounts/_partials/user_list.html",
                  page=page, search=search, role=role, roles=ROLES, filters=filters, show=show,
                  departments=rows, department=department, notice=notice, notice_kind=notice_kind,
                  bulk=None if show else bulk_form())


#: ``?department=`` of the user list: the people of no department.
NO_DEPARTMENT = "none"


def department_filter(rows) -> tuple[str, set[int] | None]:
    """The ``department`` argument of the request: ``(its value as kept in links, ids to filter by)``.

    A department's id selects its people and its sub-departments' (:data:`NO_DEPARTMENT`:
    the people of none); anything else: no filter.
    """
    value = request.args.get("department") or ""
    if value == NO_DEPARTMENT:
        return value, set()
    if value.isdigit() and any(row.department.id == int(value) for row in rows):
        from ...departments.services import descendant_ids, get_department

        department = get_department(int(value))
        return value, {department.id} | descendant_ids(department)
    return "", None


@bp.get("/users")
@admin_required
def users():
    """Users with search (name, email, NPP, NISN/NIP/NIK) and a role filter, paginated.

    Deleted people (a school admin's ``DELETE /api/users/{id}``) are left out, and
    shown only on request (``?show=deleted``), each with when they were deleted and
    a restore button: an HR admin must still find out what happened to someone
    and undo a delete made by mistake, but the everyday list is the people in use.
    """
    return _user_list()


@bp.post("/users/<int:user_id>/restore")
@admin_required
def user_restore(user_id: int):
    """Restore a deleted person (active again; their tokens stay revoked).  An htmx post
    gets the deleted list back with a notice; a plain post is redirected to it."""
    try:
        user = accounts.get_user(user_id, include_deleted=True)
    except NotFound:
        abort(404)
    try:
        accounts.restore_user(user, current_user._get_current_object())
    except DomainError as exc:
        message, kind = translate_message(exc.message), "error"
    else:
        message, kind = _("“%(name)s” was restored and can sign in again.", name=user.name), "success"
    if wants_fragment():
        return _user_list(notice=message, notice_kind=kind)
    flash(message, kind)
    return redirect(url_for("accounts.users", show=SHOW_DELETED), code=303)


def _user_form(form_class, **kwargs):
    """The form with its office and department choices, and ``(office_by_id, department_by_id)``."""
    form = form_class(**kwargs)
    offices = list_offices()
    form.set_office_choices(offices, _("— No office —"))
    rows = department_tree()
    form.set_department_choices(rows, _("— No department —"))
    if form.department_id.data is None:  # a post without the field (API-like clients): no department
        form.department_id.data = 0
    return form, ({o.id: o for o in offices}, {row.department.id: row.department for row in rows})


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create a user (password required)."""
    form, (office_by_id, department_by_id) = _user_form(NewUserForm)
    if request.method == "GET":
        form.role.data = "pegawai"
        form.department_id.data = request.args.get("department", 0, type=int) \
            if request.args.get("department", 0, type=int) in department_by_id else 0
    if form.validate_on_submit():
        ok, user = form.call(lambda: accounts.create_user(password=form.password.data, actor=current_user,
                                                          **form.values(office_by_id, department_by_id)),
                             conflict_messages=_conflict_messages())
        if ok:
            flash(_("User “%(name)s” was created.", name=user.name), "success")
            return redirect(url_for("accounts.users"), code=303)
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Edit a user; a new password is optional.  Admins cannot lock themselves out."""
    user = _load_user(user_id)
    form, (office_by_id, department_by_id) = _user_form(UserForm, obj=user)
    if request.method == "GET":
        form.office_id.data = user.office_id or 0
        form.department_id.data = user.department_id or 0
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.is_active.data):
            form.add_error("role" if form.role.data != "admin" else "is_active",
                           _("You cannot remove your own administrator access."))
        else:
            def save():
                """Apply the form to the person (and set the new password when one was typed); raises what the services
                raise."""
                accounts.update_user(user, current_user._get_current_object(),
                                     **form.values(office_by_id, department_by_id),
                                     annual_leave_days=form.annual_leave_days.data)
                if form.password.data:
                    accounts.reset_password(user, form.password.data, current_user._get_current_object())

            ok, _saved = form.call(save, conflict_messages=_conflict_messages())
            if ok:
                flash(_("User “%(name)s” was saved.", name=user.name), "success")
                return redirect(url_for("accounts.users"), code=303)
    from ...audit.services import person_history

    return render_template("accounts/user_form.html", form=form, user=user, history=person_history(user.id, limit=10),
                           leave_balance=_leave_balance(user), **_work_schedule_context(user))


def _leave_balance(user: User):
    """This year's annual leave of ``user`` for their page (None for students)."""
    from ...common import clock
    from ...leave.balance import ANNUAL_LEAVE_TYPE, annual_balance, uses_annual_leave

    if not uses_annual_leave(user, ANNUAL_LEAVE_TYPE):
        return None
    return annual_balance(user, clock.local_today().year)


#: Days of a person's work schedule shown on their page (today and the next 13).
SCHEDULE_DAYS = 14


def _work_schedule_context(user: User) -> dict:
    """The person's page's "work schedule" card: the next :data:`SCHEDULE_DAYS` days as
    resolved (one statement), where today's schedule comes from (the department that
    holds it, when inherited), their own assignments, and the form to add one."""
    from datetime import timedelta

    from ...common import clock
    from ...schedules import assignments, resolution, services as schedules
    from ...schedules.forms import PersonAssignmentForm

    today = clock.local_today()
    days = resolution.resolve_days(user, [today + timedelta(days=n) for n in range(SCHEDULE_DAYS)])
    source_department = None
    if days[0].source == "department":
        by_department = assignments.assignments_on(today, "department")
        node, depth = user.department, 0
        while node is not None and depth <= resolution.MAX_DEPARTMENT_DEPTH:
            if node.id in by_department:
                source_department = node
                break
            node, depth = node.parent, depth + 1
    form = PersonAssignmentForm(formdata=None)
    form.schedule_id.choices = [(s.id, s.name) for s in schedules.list_schedules()]
    form.starts_on.data = today
    return dict(schedule_days=days, source_department=source_department, assign_form=form,
                own_assignments=list(db.session.scalars(assignments.assignments_query(user=user))), today=today)


# --- device resets --------------------------------------------------------------

def _device_reset_list(*, notice=None, notice_kind="success", reject_form=None, reject_id=None):
    page = db.paginate(accounts.device_reset_requests_query(), page=_page_number(), per_page=PER_PAGE,
                       error_out=False)
    return render("accounts/device_resets.html", "accounts/_partials/device_reset_list.html",
                  page=page, notice=notice, notice_kind=notice_kind,
                  reject_form=reject_form, reject_id=reject_id,
                  pending_count=accounts.pending_device_reset_count())


def _load_reset(request_id: int):
    try:
        return accounts.get_reset_request(request_id)
    except NotFound:
        abort(404)


def _after_process(message: str, kind: str = "success"):
    if wants_fragment():
        return _device_reset_list(notice=message, notice_kind=kind)
    flash(message, kind)
    return redirect(url_for("accounts.device_resets", page=_page_number()), code=303)


@bp.get("/device-resets")
@staff_required
def device_resets():
    """Device-reset requests: pending first (oldest first), then processed ones, paginated."""
    return _device_reset_list()


@bp.post("/device-resets/<int:request_id>/approve")
@staff_required
def device_reset_approve(request_id: int):
    """Approve: the phone binding is removed and the person is notified."""
    req = _load_reset(request_id)
    try:
        accounts.process_device_reset(req, current_user._get_current_object(), approve=True)
    except DomainError as exc:
        refuse()
        return _after_process(translate_message(exc.message), "error")
    return _after_process(_("Device reset of %(name)s approved. They can sign in on their new phone now.",
                            name=req.user.name))


@bp.post("/device-resets/<int:request_id>/reject")
@staff_required
def device_reset_reject(request_id: int):
    """Reject with a note (required, shown next to the field when missing)."""
    req = _load_reset(request_id)
    form = RejectDeviceResetForm()
    if form.validate_on_submit():
        try:
            accounts.process_device_reset(req, current_user._get_current_object(), approve=False,
                                          notes=form.admin_notes.data)
        except DomainError as exc:
            refuse()
            if getattr(exc, "errors", None):
                form.apply_domain_error(exc)
            else:
                return _after_process(translate_message(exc.message), "error")
        else:
            return _after_process(_("Device reset of %(name)s rejected.", name=req.user.name))
    return _device_reset_list(reject_form=form, reject_id=request_id)
