"""A signed-in person checks themself in with a photo of their face (1:1), in the face app.

One use case, one service: the face app's ``POST /api/attendance`` (contract 003) is a thin
view over :func:`self_check_in`, which composes the shared "verify → record → keep the photo"
service (:func:`app.faces.attendance.verified_attendance`) with the face app's own policy for
a first photo (:mod:`.enrolment_requests`) and its record of failed attempts.  Outcomes, all
inside the contract's statuses (201 ``success``/``failed``, 400, 401, 404, 409):

``checked_in``
    the one face of the photo is the person's (within ``face_tolerance`` of one of their
    enrolled samples): the check-in is recorded and the photo kept with it;
``enrolled``
    the person had no face and the deployment enrols on first use
    (``FACE_ENROL_ON_FIRST_USE``): the photo becomes their first sample (a self-enrolment,
    ``created_by`` = the person) and the check-in is recorded;
``pending_enrolment``
    the person has no enrolled face: the photo becomes (or matches) their pending
    enrolment request and the check-in is recorded, held for review with it
    (``face_not_enrolled``), the photo kept with it;
``failed``
    no face, several faces, or a face that is not theirs (nor their pending photo's): a
    :class:`~.models.FailedFaceCheckIn` is recorded — the contract's ``status: "failed"`` —
    which is never attendance.

Refusals before any face work (:func:`app.attendance.services.check_in_day`): no work
schedule, the window closed, already checked in that day.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..attendance import services as attendance
from ..attendance.models import FACE_NOT_ENROLLED, AttendanceEvent
from ..attendance.photos import Photo, store_photo
from ..common import clock
from ..extensions import db
from . import enrolment_requests, services
from .attendance import FaceMismatch, FaceNotEnrolled, keep_photo, verified_attendance
from .models import FailedFaceCheckIn

CHECKED_IN, ENROLLED, PENDING_ENROLMENT, FAILED = "checked_in", "enrolled", "pending_enrolment", "failed"


@dataclass(frozen=True)
class SelfCheckIn:
    """What :func:`self_check_in` did.

    ``outcome``: ``checked_in``, ``enrolled``, ``pending_enrolment`` or ``failed``;
    ``event``: the check-in recorded (None when failed); ``failure``: the
    :class:`~.models.FailedFaceCheckIn` recorded (None unless failed).
    """

    outcome: str
    event: AttendanceEvent | None = None
    failure: FailedFaceCheckIn | None = None


def recent_failures(user_id: int, *, limit: int) -> list[FailedFaceCheckIn]:
    """The person ``user_id``'s newest ``limit`` failed face check-ins, newest first (never attendance)."""
    return list(db.session.scalars(
        db.select(FailedFaceCheckIn).where(FailedFaceCheckIn.user_id == user_id)
        .order_by(FailedFaceCheckIn.occurred_at.desc(), FailedFaceCheckIn.id.desc())
        .limit(limit)))


def _failed(user, image: services.FaceImage, reason: str, now, *, distance: float | None = None) -> SelfCheckIn:
    """Record a failed attempt; the photo is kept (``UPLOAD_FOLDER/failed-faces/``) only for a face
    that is not the person's — evidence of a borrowed password; a photo without a face is not."""
    path = None
    if reason == "not_matched":
        path = store_photo(Photo(image.data, image.extension, image.width, image.height), "failed-faces",
                           now.date(), user.id)
    row = FailedFaceCheckIn(user_id=user.id, occurred_at=now, work_date=clock.to_local(now).date(), reason=reason,
                            distance=None if distance is None else round(distance, 4), photo_path=path)
    db.session.add(row)
    db.session.flush()
    return SelfCheckIn(FAILED, failure=row)


def _first_photo(user, image: services.FaceImage, face: services.Face, now) -> SelfCheckIn:
    """No enrolled face: keep the photo as the pending enrolment (or compare it with the one
    pending), record the check-in held with it, keep the photo with the check-in."""
    pending = enrolment_requests.pending_request(user)
    if pending is None:
        enrolment_requests.request_enrolment(user, image, face)
    else:
        distance = enrolment_requests.distance_to(pending, face)
        if distance > services.match_settings()[0]:
            return _failed(user, image, "not_matched", now, distance=distance)
    result = attendance.record_attendance(user, "check_in", source="face", now=now, hold=FACE_NOT_ENROLLED)
    keep_photo(image, result.event)
    return SelfCheckIn(PENDING_ENROLMENT, event=result.event)


def self_check_in(user, image: services.FaceImage, *, enrol_on_first_use: bool = False,
                  now=None) -> SelfCheckIn:
    """Check ``user`` in with ``image`` (see the module doc for the outcomes).

    :param enrol_on_first_use: the deployment's ``FACE_ENROL_ON_FIRST_USE``.
    :param now: the server's clock (aware UTC); default :func:`app.common.clock.now`.
    :raises NoActiveSchedule, OutsideWindow, AlreadyCheckedIn: before any face work,
        and again (race-safe) when recording.
    """
    now = now or clock.now()
    attendance.check_in_day(user, now)
    try:
        done = verified_attendance(user, image, now=now, enrol_if_new=enrol_on_first_use)
    except services.NoFaceFound:
        return _failed(user, image, "no_face", now)
    except services.SeveralFaces:
        return _failed(user, image, "several_faces", now)
    except FaceMismatch as exc:
        return _failed(user, image, "not_matched", now, distance=exc.details.get("distance"))
    except FaceNotEnrolled as exc:
        return _first_photo(user, image, exc.details["face"], now)
    return SelfCheckIn(ENROLLED if done.self_enrolled else CHECKED_IN, event=done.result.event)
