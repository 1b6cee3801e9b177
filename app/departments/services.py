"""Departments (*unit kerja*): create, change, delete, list as a tree, and their members."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..accounts.models import User
from ..common.errors import Conflict, NotFound, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from .models import Department

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")


@dataclass(frozen=True)
class TreeRow:
    """A department and its ``depth`` in the tree (0 = top level), for indented lists."""

    department: Department
    depth: int


def get_department(department_id: int) -> Department:
    """:raises NotFound: no department with this id."""
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound(N_("Department not found"), field="department")
    return department


def find_department(code: str) -> Department:
    """The department with this code (case as typed, then upper-case).

    :raises NotFound: none (``field="department"``).
    """
    text = (code or "").strip()
    found = db.session.scalar(db.select(Department).filter_by(code=text)) if text else None
    if found is None and text:
        found = db.session.scalar(db.select(Department).filter_by(code=text.upper()))
    if found is None:
        raise NotFound(N_("Department not found"), field="department")
    return found


def _clean(code, name) -> tuple[str | None, str | None, dict]:
    errors: dict[str, list[str]] = {}
    if code is not None:
        code = code.strip() if isinstance(code, str) else ""
        if not _CODE.match(code):
            errors["code"] = [N_("The code is 1 to 20 letters, digits, dots, dashes or underscores.")]
    if name is not None:
        name = name.strip() if isinstance(name, str) else ""
        if not name or len(name) > 120:
            errors["name"] = [N_("Name is required (at most 120 characters).")]
    return code, name, errors


def _check_parent(department: Department | None, parent: Department | None) -> None:
    """:raises ValidationFailed: ``parent`` is the department itself or one of its descendants."""
    seen = set()
    node = parent
    while node is not None and department is not None and department.id is not None:
        if node.id == department.id:
            raise ValidationFailed({"parent": [N_("A department cannot be inside itself.")]})
        if node.id in seen:
            break
        seen.add(node.id)
        node = node.parent


def _audited(department: Department) -> dict:
    """What the audit trail keeps of a department: code, name and the parent's code."""
    parent = db.session.get(Department, department.parent_id) if department.parent_id else None
    return {"code": department.code, "name": department.name, "parent": parent.code if parent else None}


def _audit(actor, action: str, department: Department, before: dict | None, after: dict | None) -> None:
    from ..audit.services import record

    record(actor, action, subject_type="department", subject_id=department.id, before=before, after=after,
           about={"name": department.name})


def create_department(*, code: str, name: str, parent: Department | None = None, actor=None) -> Department:
    """Create a department (audited as ``department.create``; ``actor``: the staff user, or
    the command's name for a command-line run, see :func:`app.audit.services.record`).

    :param code: 1–20 letters, digits, ``.``, ``-``, ``_`` (unique, e.g. ``IGD``).
    :param name: up to 120 characters.
    :raises ValidationFailed: malformed code or name.
    :raises Conflict: the code is taken (``field="code"``).
    """
    code, name, errors = _clean(code, name)
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(db.select(Department.id).filter_by(code=code)) is not None:
        raise Conflict(N_("Another department already has this code"), field="code")
    department = Department(code=code, name=name, parent_id=parent.id if parent else None)
    db.session.add(department)
    db.session.flush()
    _audit(actor, "department.create", department, None, _audited(department))
    return department


_UNSET = object()


def update_department(department: Department, *, code: str | None = None, name: str | None = None,
                      parent=_UNSET, actor=None) -> Department:
    """Change the given fields; ``parent=None`` makes it a top-level department (audited as
    ``department.update`` with the changed fields before → after, by ``actor``).

    :raises ValidationFailed: malformed value, or a parent inside the department itself.
    :raises Conflict: the code is taken.
    """
    code, name, errors = _clean(code, name)
    if errors:
        raise ValidationFailed(errors)
    if code is not None and db.session.scalar(
            db.select(Department.id).where(Department.code == code, Department.id != department.id)) is not None:
        raise Conflict(N_("Another department already has this code"), field="code")
    if parent is not _UNSET:
        _check_parent(department, parent)
    before = _audited(department)
    if parent is not _UNSET:
        _check_parent(department, parent)
        department.parent_id = parent.id if parent is not None else None
        department.parent = parent
    if code is not None:
        department.code = code
    if name is not None:
        department.name = name
    db.session.flush()
    _audit(actor, "department.update", department, before, _audited(department))
    return department


def delete_department(department: Department, *, actor=None) -> str:
    """Delete an empty department; returns its code (audited as ``department.delete`` by ``actor``).

    :raises Conflict: it still has members, sub-departments or schedule assignments.
    """
    from ..schedules.models import ScheduleAssignment

    members = db.session.scalar(db.select(db.func.count(User.id)).where(User.department_id == department.id))
    children = db.session.scalar(db.select(db.func.count(Department.id)).where(Department.parent_id == department.id))
    assignments = db.session.scalar(db.select(db.func.count(ScheduleAssignment.id))
                                    .where(ScheduleAssignment.department_id == department.id))
    if members or children or assignments:
        raise Conflict(N_("This department still has members, sub-departments or schedule assignments"),
                       members=members, children=children, assignments=assignments)
    code = department.code
    _audit(actor, "department.delete", department, _audited(department), None)
    db.session.delete(department)
    db.session.flush()
    return code


def department_tree() -> list[TreeRow]:
    """Every department, parents before their children, siblings by code (one query)."""
    departments = list(db.session.scalars(db.select(Department).order_by(Department.code)))
    children: dict[int | None, list[Department]] = {}
    ids = {d.id for d in departments}
    for department in departments:
        parent = department.parent_id if department.parent_id in ids else None
        children.setdefault(parent, []).append(department)
    rows: list[TreeRow] = []
    seen: set[int] = set()

    def walk(parent_id, depth):
        """Append the children of ``parent_id`` at ``depth``, each followed by its own children (a department met twice
        is skipped)."""
        for department in children.get(parent_id, ()):
            if department.id in seen:
                continue
            seen.add(department.id)
            rows.append(TreeRow(department, depth))
            walk(department.id, depth + 1)

    walk(None, 0)
    rows.extend(TreeRow(d, 0) for d in departments if d.id not in seen)  # a loop made by hand in the database
    return rows


def members_query(department: Department, *, include_inactive: bool = False):
    """Select statement of the department's own members (not sub-departments'), by name."""
    stmt = db.select(User).where(User.department_id == department.id)
    if not include_inactive:
        stmt = stmt.where(User.is_active.is_(True))
    return stmt.order_by(User.name, User.id)


def member_counts() -> dict[int, int]:
    """Active members per department id (one query)."""
    return dict(db.session.execute(
        db.select(User.department_id, db.func.count(User.id))
        .where(User.department_id.is_not(None), User.is_active.is_(True))
        .group_by(User.department_id)).all())


def descendant_ids(department: Department) -> set[int]:
    """Ids of every department inside ``department`` (children, their children...), one query.

    A department can be moved under none of these (nor under itself).
    """
    children: dict[int | None, list[int]] = {}
    for department_id, parent_id in db.session.execute(db.select(Department.id, Department.parent_id)):
        children.setdefault(parent_id, []).append(department_id)
    found: set[int] = set()
    todo = list(children.get(department.id, ()))
    while todo:
        department_id = todo.pop()
        if department_id in found or department_id == department.id:
            continue
        found.add(department_id)
        todo.extend(children.get(department_id, ()))
    return found


def child_counts() -> dict[int, int]:
    """Direct sub-departments per department id (one query)."""
    return dict(db.session.execute(
        db.select(Department.parent_id, db.func.count(Department.id))
        .where(Department.parent_id.is_not(None)).group_by(Department.parent_id)).all())


def list_departments(*, by_name: bool = False) -> list[Department]:
    """Every department by code, or with ``by_name`` by name (for selects and filters)."""
    order = Department.name if by_name else Department.code
    return list(db.session.scalars(db.select(Department).order_by(order)))
