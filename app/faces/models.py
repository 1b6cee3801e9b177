"""Face samples: one enrolled photo of a person and its 128-d face encoding."""
from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, event, inspect
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
