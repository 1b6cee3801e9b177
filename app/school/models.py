"""Classes, enrolments, student QR cards and student attendance (contract 002, sections 5, 8, 9)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db


class SchoolClass(db.Model):
    """A class (*kelas*, e.g. "X IPA 1") with an optional homeroom teacher (*wali kelas*)."""

    __tablename__ = "school_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    homeroom_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    homeroom_teacher = relationship("User")


class ClassEnrollment(db.Model):
    """A student's place in a class for one academic year (*tahun ajaran*, e.g. 2025).

    Unique (student, academic year): a student is in one class per academic year.
    """

    __tablename__ = "class_enrollments"
    __table_args__ = (
        UniqueConstraint("student_id", "academic_year", name="uq_class_enrollments_student_year"),
        Index("ix_class_enrollments_class_year", "class_id", "academic_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_classes.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    academic_year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    school_class = relationship("SchoolClass")
    student = relationship("User")


class StudentQrCard(db.Model):
    """A printed card whose QR encodes ``qr_code``; at most one active card per student.

    Generating a new card deactivates the previous one (partial unique index on
    active cards); scanning an inactive card is refused.
    """

    __tablename__ = "student_qr_cards"
    __table_args__ = (
        Index("uq_student_qr_cards_one_active", "student_id", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    qr_code: Mapped[str] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    student = relationship("User")


class StudentAttendance(db.Model):
    """A student's presence on one local date, recorded by a teacher, the principal or an admin.

    Unique (student, date): once per student per day, also under races.
    ``method``: ``qr_card``, ``manual`` (by NISN/NIP/NIK) or ``bulk``.
    Position in WGS84 degrees, accuracy in metres; ``photo_path`` relative to
    the upload folder.  A card scan a kiosk sent later (it was offline) keeps the tablet's id for
    the scan (``client_id``, unique: a replay finds this row) and the time the tablet reported
    (``client_time``, UTC); ``occurred_at`` is always the server's time of recording.
    """

    __tablename__ = "student_attendance"
    __table_args__ = (
        UniqueConstraint("student_id", "date", name="uq_student_attendance_student_date"),
        UniqueConstraint("client_id", name="uq_student_attendance_client_id"),
        CheckConstraint("method IN ('qr_card', 'manual', 'bulk')", name="method_known"),
        Index("ix_student_attendance_class_date", "class_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_classes.id", ondelete="SET NULL"))
    date: Mapped[date] = mapped_column(Date())
    method: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    photo_path: Mapped[str | None] = mapped_column(String(255))
    client_id: Mapped[str | None] = mapped_column(String(64))
    client_time: Mapped[datetime | None] = mapped_column(UTCDateTime())

    student = relationship("User", foreign_keys=[student_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


#: Why a student is not in class, as a teacher records it: ``absent`` (*alpa*), ``sick``
#: (*sakit*), ``permitted`` (*izin*).
ABSENCE_KINDS = ("absent", "sick", "permitted")


class StudentAbsence(db.Model):
    """A teacher's mark that an enrolled student is not in class on one local date, and why
    (:data:`ABSENCE_KINDS`), with an optional note (≤ 500 characters).

    Unique (student, date): one mark a day, replaced when the teacher changes it, removed when
    the student is recorded present (:func:`app.school.services.record_student`).  A presence
    (:class:`StudentAttendance`) is never overwritten by a mark.
    """

    __tablename__ = "student_absences"
    __table_args__ = (
        UniqueConstraint("student_id", "date", name="uq_student_absences_student_date"),
        CheckConstraint("kind IN ('absent', 'sick', 'permitted')", name="kind_known"),
        Index("ix_student_absences_class_date", "class_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_classes.id", ondelete="SET NULL"))
    date: Mapped[date] = mapped_column(Date())
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    student = relationship("User", foreign_keys=[student_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
