"""Face samples (one enrolled photo of a person and its 128-d face encoding), enrolment
requests waiting for an admin, and failed face check-ins."""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
from sqlalchemy import (CheckConstraint, Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, event,
                        inspect, text)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db
from ..system import cache_versions

#: Storage dtype of :attr:`FaceSample.encoding`: little-endian float32.
ENCODING_DTYPE = np.dtype("<f4")
#: Length of a face encoding (dlib's ResNet face descriptor).
ENCODING_SIZE = 128
#: Bytes of one stored encoding: 128 × 4 = 512.
ENCODING_BYTES = ENCODING_SIZE * ENCODING_DTYPE.itemsize


class FaceSample(db.Model):
    """One enrolment photo of ``user`` and the face found in it.

    ``encoding`` is dlib's 128-d face descriptor (``face_recognition.face_encodings``,
    computed as float64) stored as 128 little-endian float32 values, 512 bytes
    (:data:`ENCODING_BYTES`): half the size of float64; rounding changes
    distances by less than 1e-6, far below any tolerance that matters.
    ``photo_path`` is the uploaded photo as received, relative to ``UPLOAD_FOLDER``
    (kept for audit); ``box_top/right/bottom/left`` are the face box in pixels in
    that photo as displayed (EXIF orientation applied).  ``created_by`` is the
    admin (or None for the command line) who enrolled it.
    """

    __tablename__ = "face_samples"
    __table_args__ = (
        CheckConstraint("box_bottom > box_top AND box_right > box_left", name="box_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    encoding: Mapped[bytes] = mapped_column(LargeBinary(ENCODING_BYTES))
    photo_path: Mapped[str] = mapped_column(String(255))
    box_top: Mapped[int] = mapped_column(Integer)
    box_right: Mapped[int] = mapped_column(Integer)
    box_bottom: Mapped[int] = mapped_column(Integer)
    box_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def vector(self) -> np.ndarray:
        """The encoding as a (128,) float64 array."""
        return np.frombuffer(self.encoding, dtype=ENCODING_DTYPE).astype(np.float64)

    @property
    def box(self) -> tuple[int, int, int, int]:
        """The face box ``(top, right, bottom, left)`` in pixels (face_recognition's order)."""
        return (self.box_top, self.box_right, self.box_bottom, self.box_left)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<FaceSample {self.id} user={self.user_id}>"


#: Name of the face gallery's version (:mod:`app.system.cache_versions`): every worker's
#: cached gallery (:func:`app.faces.services.load_gallery`) is valid while it is unchanged.
GALLERY_VERSION = "face_gallery"


#: The attributes of a user that decide whether their samples are in the gallery.
_USER_ATTRIBUTES = ("is_active", "deleted_at")


def _changes_gallery(session) -> bool:
    """Whether the flush of ``session`` can change who the gallery identifies: a face sample
    added, changed or deleted; a user deleted (for good or softly), made active or inactive
    (a new user has no samples yet)."""
    from ..accounts.models import User

    if any(isinstance(obj, FaceSample) for obj in session.new):
        return True
    for obj in session.deleted:
        if isinstance(obj, (FaceSample, User)):
            return True
    for obj in session.dirty:
        if isinstance(obj, FaceSample) and session.is_modified(obj):
            return True
        if isinstance(obj, User) and any(inspect(obj).attrs[name].history.has_changes()
                                         for name in _USER_ATTRIBUTES):
            return True
    return False


@event.listens_for(Session, "after_flush")
def _bump_gallery_version(session, flush_context) -> None:
    """Raise the gallery's version in the transaction of the flush that changes it.

    Runs for every ORM flush of every session (the app's, the commands', a test's):
    an enrolment, a deleted sample, a person deactivated or deleted is seen by every
    app server at its next identification after the commit.  Changes made without the
    ORM (SQL typed into ``psql``, a restored backup) are not seen until the gallery
    cache's time limit (:data:`app.faces.services.GALLERY_CACHE_TTL_S`).
    """
    if _changes_gallery(session):
        cache_versions.bump(session.connection(), GALLERY_VERSION)


class LivenessChallenge(db.Model):
    """A liveness challenge issued to a kiosk for one attempt (:mod:`app.faces.challenges`).

    ``steps``: the actions asked, comma-separated :data:`app.faces.liveness.STEPS`
    in order (e.g. ``blink,turn_left``); ``nonce_hash``: SHA-256 (hex) of the
    nonce handed to the tablet, which names the challenge when the burst comes
    back; ``issued_at`` / ``expires_at``: UTC; ``used_at``: when a burst was
    judged against it (set once: a challenge answers one burst, pass or fail).
    Stored in the database, so a burst may reach any app server.
    """

    __tablename__ = "liveness_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"), index=True)
    steps: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def step_list(self) -> list[str]:
        """The steps, in order."""
        return [s for s in self.steps.split(",") if s]


#: What became of a :class:`FaceEnrolmentRequest`.
ENROLMENT_STATES = ("pending", "approved", "rejected")


class FaceEnrolmentRequest(db.Model):
    """A person's first face photo, waiting for an admin to accept it as their face sample.

    The face app's self check-in (contract 003, ``POST /api/attendance``) of someone
    without an enrolled face records the check-in and keeps the photo here instead of
    enrolling it (a borrowed password must not enrol a stranger's face): the check-in
    waits in the review inbox beside this photo.  Approved: the photo becomes a
    :class:`FaceSample` (``sample``, enrolled by the admin who decided) and the
    waiting check-ins stand.  Rejected: the check-ins are rejected with it.  Until
    then later check-ins are verified against this photo and wait too.

    ``encoding`` and the ``box_*`` columns are as in :class:`FaceSample`;
    ``photo_path`` is relative to ``UPLOAD_FOLDER``.  ``status``: one of
    :data:`ENROLMENT_STATES`; at most one ``pending`` request per person (partial
    unique index, also under races).  ``decided_by``/``decided_at``/``decision_note``:
    the admin's decision (the note is the reason of a rejection, shown to the person).
    """

    __tablename__ = "face_enrolment_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        CheckConstraint("box_bottom > box_top AND box_right > box_left", name="box_valid"),
        Index("uq_face_enrolment_requests_one_pending", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    encoding: Mapped[bytes] = mapped_column(LargeBinary(ENCODING_BYTES))
    photo_path: Mapped[str] = mapped_column(String(255))
    box_top: Mapped[int] = mapped_column(Integer)
    box_right: Mapped[int] = mapped_column(Integer)
    box_bottom: Mapped[int] = mapped_column(Integer)
    box_left: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("face_samples.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    sample = relationship("FaceSample")

    @property
    def vector(self) -> np.ndarray:
        """The encoding as a (128,) float64 array."""
        return np.frombuffer(self.encoding, dtype=ENCODING_DTYPE).astype(np.float64)


#: Why a face check-in failed (:class:`FailedFaceCheckIn`).
FAILURE_REASONS = ("no_face", "several_faces", "not_matched")


class FailedFaceCheckIn(db.Model):
    """A face check-in that failed: no face in the photo, several faces, or not the person's face.

    Contract 003 records such attempts as attendance with ``status: "failed"``
    (``POST``/``GET /api/attendance``).  They are kept apart from the attendance
    events on purpose: nothing here is attendance — no day, no report, no count —
    while the person still sees the attempt in their list and an admin can audit
    it.  ``work_date`` is the local date of ``occurred_at`` (UTC); ``distance``
    is the face distance for ``not_matched`` (descriptor units, see
    :mod:`app.faces.verify`); ``photo_path`` (relative to ``UPLOAD_FOLDER``) is
    kept only for ``not_matched`` — a stranger's face on someone's account is
    evidence worth keeping; a photo without a face is not.
    """

    __tablename__ = "failed_face_check_ins"
    __table_args__ = (
        CheckConstraint("reason IN ('no_face', 'several_faces', 'not_matched')", name="reason_known"),
        Index("ix_failed_face_check_ins_user_time", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    work_date: Mapped[date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(String(16))
    distance: Mapped[float | None] = mapped_column(Float)
    photo_path: Mapped[str | None] = mapped_column(String(255))

    user = relationship("User")
