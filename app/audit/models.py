"""The audit trail's one table."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db


class AuditEntry(db.Model):
    """One decision or change made by staff.  Written once, never changed or deleted.

    ``actor``: who did it (None when the account was deleted since, or for a command-line
    run without a person); ``actor_label``: the command that made a change without a person
    (``"flask office create"``; None otherwise); ``at``: when (UTC); ``action``: a code of
    :data:`app.audit.services.ACTIONS` (``leave.approve``, ``correction.check_in`` ...);
    ``subject_type`` / ``subject_id``: the row acted on (``leave_request`` 12,
    ``setting`` has no id); ``person``: whose attendance or account it concerns (None for
    organisation-wide changes such as a holiday); ``before`` / ``after``: the changed values
    as JSON objects (only the fields that changed, plain JSON types, times in ISO 8601);
    ``reason``: the note or reason given.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_person_at", "person_id", "at"),
        Index("ix_audit_entries_actor_at", "actor_id", "at"),
        Index("ix_audit_entries_action_at", "action", "at"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")
    person = relationship("User", foreign_keys=[person_id], lazy="joined")
