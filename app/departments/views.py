"""Admin pages of departments (*unit kerja*): the tree with its people, create, edit, delete (admins only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..admin.access import admin_required
from ..common import clock
from ..common.boundary import refuse
from ..common.errors import Conflict, NotFound
from ..schedules.assignments import assignments_on
from ..schedules.resolution import MAX_DEPARTMENT_DEPTH
from . import services as departments
from .forms import DepartmentForm

bp = Blueprint("departments", __name__, url_prefix="/admin/departments")


def _conflict_messages() -> dict[str, str]:
    return {"code": _("This code is already used by another department.")}


def _load(department_id: int):
    try:
        return departments.get_department(department_id)
    except NotFound:
        abort(404)


def refusal_text(exc: Conflict) -> str:
    """Why a department cannot be deleted, with how many of each thing hold it."""
    parts = []
    members = exc.details.get("members") or 0
    children = exc.details.get("children") or 0
    assignments = exc.details.get("assignments") or 0
    if members:
        parts.append(ngettext("%(num)d person", "%(num)d people", members))
    if children:
        parts.append(ngettext("%(num)d sub-department", "%(num)d sub-departments", children))
    if assignments:
        parts.append(ngettext("%(num)d work-schedule assignment", "%(num)d work-schedule assignments", assignments))
    return _("It still has %(things)s. Move them elsewhere first (people: on their user page, including "
             "inactive and deleted ones).", things=", ".join(parts))


@bp.get("/")
@admin_required
def index():
    """Every department as an indented tree: code, name, parent, active people, sub-departments,
    and the work schedule its people get from it today (its own assignment, else its nearest
    parent's)."""
    rows = departments.department_tree()
    own = assignments_on(clock.local_today(), "department")
    by_id = {row.department.id: row.department for row in rows}
    effective = {}
    for row in rows:  # a department's own assignment, else the nearest parent's (the resolution's rule)
        node, depth = row.department, 0
        while node is not None and depth <= MAX_DEPARTMENT_DEPTH:
            if node.id in own:
                effective[row.department.id] = (own[node.id], node)
                break
            node, depth = by_id.get(node.parent_id), depth + 1
    return render_template("departments/index.html", rows=rows, members=departments.member_counts(),
                           children=departments.child_counts(), schedules=effective)


def _form(department=None):
    form = DepartmentForm(obj=department)
    rows = departments.department_tree()
    exclude = ({department.id} | departments.descendant_ids(department)) if department is not None else set()
    form.set_parent_choices(rows, _("— None (top level) —"), exclude)
    if request.method == "GET":
        if department is not None:
            form.parent_id.data = department.parent_id or 0
        else:
            wanted = request.args.get("parent", 0, type=int)
            form.parent_id.data = wanted if any(row.department.id == wanted for row in rows) else 0
    return form, {row.department.id: row.department for row in rows}


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Create a department (``?parent=ID`` preselects the department it belongs to)."""
    form, parents = _form()
    if form.validate_on_submit():
        ok, department = form.call(lambda: departments.create_department(**form.values(parents), actor=current_user),
                                   {"parent": "parent_id"}, _conflict_messages())
        if ok:
            flash(_("Department “%(name)s” was created.", name=department.name), "success")
            return redirect(url_for("departments.index"), code=303)
    return render_template("departments/form.html", form=form, department=None)


@bp.route("/<int:department_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(department_id: int):
    """Rename a department, change its code or move it under another one."""
    department = _load(department_id)
    form, parents = _form(department)
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: departments.update_department(department, **form.values(parents), actor=current_user),
                               {"parent": "parent_id"}, _conflict_messages())
        if ok:
            flash(_("Department “%(name)s” was saved.", name=department.name), "success")
            return redirect(url_for("departments.index"), code=303)
    members = departments.member_counts().get(department.id, 0)
    return render_template("departments/form.html", form=form, department=department, members=members)


@bp.post("/<int:department_id>/delete")
@admin_required
def delete(department_id: int):
    """Delete an empty department; one with people, sub-departments or schedule assignments is
    refused, saying how many of each (nothing changes)."""
    department = _load(department_id)
    name = department.name
    try:
        departments.delete_department(department, actor=current_user)
    except Conflict as exc:
        refuse()
        flash(_("Department “%(name)s” was not deleted.", name=name) + " " + refusal_text(exc), "error")
        return redirect(url_for("departments.index"), code=303)
    flash(_("Department “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for("departments.index"), code=303)
