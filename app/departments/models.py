"""Departments (*unit kerja*)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db


class Department(db.Model):
    """A unit of the organisation: ``code`` (unique, e.g. ``IGD``), ``name``, optional ``parent``.

    A person belongs to at most one department (``User.department_id``).  Work
    schedules assigned to a department apply to its members and to the members
    of its sub-departments that have no assignment of their own
    (:mod:`app.schedules.resolution`).  The services refuse a parent chain that
    loops back on itself.  ``head``: the person who approves the leave requests of
    the department's members (optional; without one, administrators do).
    """

    __tablename__ = "departments"
    __table_args__ = (CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    parent = relationship("Department", remote_side=[id], lazy="joined", join_depth=1)
    head = relationship("User", foreign_keys=[head_id], lazy="select")

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Department {self.code}>"
