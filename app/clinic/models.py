"""Patients and procedures of the clinic (contract 000's ``pasien`` and ``tindakan``).

Money is stored as whole rupiah (integers, never floats); times are UTC.
Stored keys are English (:data:`SEXES`, :data:`PROCEDURE_STATUSES`); the
contract's Indonesian words live only in the ``clinic`` dialect.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

SEXES = ("male", "female")
#: A procedure waits for validation (``pending``) until an admin approves or rejects it.
PROCEDURE_STATUSES = ("pending", "approved", "rejected")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Patient(db.Model):
    """A patient of the clinic (*pasien*).

    ``record_number`` is the medical-record number (unique when present);
    ``sex`` one of :data:`SEXES`; ``birth_date`` a calendar date.
    """

    __tablename__ = "patients"
    __table_args__ = (CheckConstraint("sex IS NULL OR " + _in("sex", SEXES), name="sex_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date())
    sex: Mapped[str | None] = mapped_column(String(6))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class Procedure(db.Model):
    """A medical procedure (*tindakan*) performed by a doctor or paramedic for a patient.

    ``fee`` is what the procedure costs and ``service_fee_share`` the performer's
    share of it (*jaspel*), both whole rupiah, ``0 <= service_fee_share <= fee``.
    ``performed_at`` is when it happened (UTC).  ``status`` is one of
    :data:`PROCEDURE_STATUSES`; ``validated_by``/``validated_at``/``validation_note``
    record the approval or rejection.  ``created_by`` is whoever entered it.
    """

    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint(_in("status", PROCEDURE_STATUSES), name="status_known"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        CheckConstraint("service_fee_share >= 0 AND service_fee_share <= fee", name="share_within_fee"),
        Index("ix_procedures_performer_performed_at", "performer_id", "performed_at"),
        Index("ix_procedures_status_performed_at", "status", "performed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"), index=True)
    performer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    fee: Mapped[int] = mapped_column(BigInteger)
    service_fee_share: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    notes: Mapped[str | None] = mapped_column(Text)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    validation_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    patient = relationship("Patient", lazy="joined")
    performer = relationship("User", foreign_keys=[performer_id])
    validated_by = relationship("User", foreign_keys=[validated_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
