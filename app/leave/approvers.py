"""Who approves a person's leave requests.

- teachers and students (:data:`~app.accounts.roles.PRINCIPAL_APPROVED_ROLES`): the
  principal (contract 002, section 6: the principal reviews leave);
- anyone else: the head of their department (``Department.head``; the nearest head up the
  department tree that is not the person themselves), else the administrators;
- the administrators (:data:`~app.accounts.roles.LEAVE_ADMIN_ROLES`) may always decide, as
  HR; nobody decides their own request.

Only active, not deleted people approve.  With nobody found at a level (no principal, no
head), the administrators are the approvers.
"""
from __future__ import annotations

from ..accounts.models import User
from ..accounts.roles import LEAVE_ADMIN_ROLES, PRINCIPAL_APPROVED_ROLES, PRINCIPAL_ROLES
from ..departments.models import Department
from ..extensions import db

#: How far up the department tree a head is looked for (a guard against loops).
MAX_DEPTH = 8


def _active(stmt):
    return stmt.where(User.is_active.is_(True), User.deleted_at.is_(None))


def _administrators(exclude_id: int) -> list[User]:
    return list(db.session.scalars(_active(db.select(User)).where(
        User.role.in_(LEAVE_ADMIN_ROLES), User.id != exclude_id).order_by(User.id)))


def department_head(user) -> User | None:
    """The head of ``user``'s department, else of the nearest ancestor with one (never ``user``); None."""
    department_id, depth = user.department_id, 0
    while department_id is not None and depth <= MAX_DEPTH:
        department = db.session.get(Department, department_id)
        if department is None:
            return None
        head = department.head
        if head is not None and head.id != user.id and head.is_active and head.deleted_at is None:
            return head
        department_id, depth = department.parent_id, depth + 1
    return None


def approvers_of(user) -> list[User]:
    """The people who approve ``user``'s leave (see the module's rules), never ``user``; may be empty
    only when the organisation has no administrator."""
    if user.role in PRINCIPAL_APPROVED_ROLES:
        principals = list(db.session.scalars(_active(db.select(User)).where(
            User.role.in_(PRINCIPAL_ROLES), User.id != user.id).order_by(User.id)))
        if principals:
            return principals
    else:
        head = department_head(user)
        if head is not None:
            return [head]
    return _administrators(user.id)


def may_review(reviewer, leave) -> bool:
    """True when ``reviewer`` may approve or reject ``leave``: an administrator or one of the
    requester's approvers, never the requester."""
    if reviewer.id == leave.user_id:
        return False
    if reviewer.role in LEAVE_ADMIN_ROLES:
        return True
    return any(a.id == reviewer.id for a in approvers_of(leave.user))


def approves_anyone(user) -> bool:
    """True when ``user`` approves someone's leave as principal or department head (the web app
    shows them the link to their approvals list then; administrators decide in the review inbox)."""
    if user.role in PRINCIPAL_ROLES:
        return True
    return db.session.scalar(db.select(Department.id).where(Department.head_id == user.id).limit(1)) is not None


def reviewable_by(reviewer) -> list[int]:
    """Ids of the people whose leave ``reviewer`` approves as principal or department head (not as
    administrator): for the approver's list of pending requests."""
    ids: set[int] = set()
    if reviewer.role in PRINCIPAL_ROLES:
        ids.update(db.session.scalars(_active(db.select(User.id)).where(User.role.in_(PRINCIPAL_APPROVED_ROLES))))
    headed = list(db.session.scalars(db.select(Department.id).where(Department.head_id == reviewer.id)))
    if headed:
        frontier, seen = headed, set(headed)
        for _ in range(MAX_DEPTH):
            children = [d for d in db.session.scalars(db.select(Department.id).where(
                Department.parent_id.in_(frontier))) if d not in seen]
            if not children:
                break
            seen.update(children)
            frontier = children
        members = db.session.scalars(_active(db.select(User)).where(
            User.department_id.in_(seen), User.role.not_in(PRINCIPAL_APPROVED_ROLES)))
        ids.update(u.id for u in members if (head := department_head(u)) is not None and head.id == reviewer.id)
    ids.discard(reviewer.id)
    return sorted(ids)
