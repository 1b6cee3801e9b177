"""Attendance by face: find out who it is, apply the attendance rules, keep the photo.

Two ways in, one sequence ("identify or verify → record → keep the photo"):

- :func:`face_visit` — the kiosk's face mode (1:N): *who* is in front of the camera, then
  check them in or out following their day (:func:`app.attendance.services.record_kiosk_visit`).
  At a kiosk with liveness on, one frame checks nobody in: a recognised face gets a liveness
  challenge (:mod:`app.faces.challenges`), and :func:`live_face_visit` checks the person in
  from the burst of frames filmed while the tablet showed it, once the server has judged them
  (:func:`app.faces.live_check.check_burst`).
- :func:`verified_attendance` — a signed-in person's own check-in by face in an app (1:1):
  *is it really them* (:func:`app.faces.verify.verify_face`), then
  :func:`app.attendance.services.record_attendance`.  This is the service for the face
  dialect's ``POST /attendance`` (contract 003) and any other app that checks a person in by
  their face; it raises domain errors and leaves the wording to the caller.
- :func:`keep_photo` — the frame that recorded an event is stored as that event's photo (a file
  under ``UPLOAD_FOLDER``, :mod:`app.attendance.photos`); frames that record nothing are never
  kept.

The services only flush; the request boundary commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..accounts.models import User
from ..attendance import photos
from ..attendance import services as attendance
from ..common import clock
from ..common.errors import PermissionDenied, RuleViolation
from ..extensions import db
from ..system.settings import get_setting
from . import challenges, live_check, services, verify

#: Every ``FaceVisit.result``: no one / several people / a face nobody enrolled, then the
#: outcomes of :class:`~app.attendance.services.KioskVisit` and the refusals of the rules, and
#: ``challenge`` (recognised at a kiosk with liveness on: nothing recorded yet).
FACE_VISIT_RESULTS = ("no_face", "several_faces", "unknown", "checked_in", "checked_out", "already_in",
                      "already_out", "outside_window", "not_checked_in", "no_schedule", "challenge")


class FaceNotEnrolled(RuleViolation):
    """The person has no enrolled face to compare with.

    ``details["face"]``: the one face found in the image (:class:`~.services.Face`), so a
    caller with its own policy for a first photo need not detect it again.
    """

    code = "face_not_enrolled"


class FaceMismatch(PermissionDenied):
    """The face is not the person's.

    ``details["distance"]``: its distance to the person's nearest sample (descriptor units);
    ``details["tolerance"]``: the threshold it exceeded.
    """

    code = "face_mismatch"


@dataclass(frozen=True)
class FaceVisit:
    """What one kiosk frame did.

    ``result`` is one of :data:`FACE_VISIT_RESULTS`; ``user`` the recognised person (None for
    ``no_face``, ``several_faces``, ``unknown``); ``visit`` the
    :class:`~app.attendance.services.KioskVisit` when the rules ran to the end (its ``event``
    is the recorded event, whose photo is the frame; its ``daily`` the person's day), None when
    they refused (``not_checked_in``, ``no_schedule``, ``outside_window`` refused by the
    recording itself, or ``already_in`` / ``already_out`` lost to a simultaneous frame of the
    same person).  ``challenge``: the liveness challenge issued for a ``challenge`` result.
    """

    result: str
    user: User | None = None
    visit: attendance.KioskVisit | None = None
    challenge: challenges.IssuedChallenge | None = None


def keep_photo(image: services.FaceImage, event) -> str:
    """Store ``image`` (the frame as sent, not re-encoded) as ``event``'s photo; returns its
    path relative to ``UPLOAD_FOLDER`` (also set on ``event.photo_path``)."""
    return photos.save_photo(photos.Photo(image.data, image.extension, image.width, image.height), event)


def face_visit(kiosk, image: services.FaceImage, now: datetime | None = None) -> FaceVisit:
    """One camera frame at ``kiosk``: identify the one face (1:N, :func:`.services.identify`),
    load the person, check them in or out, keep the frame as the event's photo.

    The place of the event is the kiosk's office, else the person's own.  The minimum time
    between a check-in and a check-out at a kiosk is the ``face_min_gap_minutes`` setting (a
    second look a few minutes later does not check the person out).  A deactivated person, or
    a face matching nobody, is ``unknown``.

    At a kiosk with liveness on (``kiosk.liveness``) a recognised person is not checked in:
    the result is ``challenge``, with a new liveness challenge for the tablet to show
    (:func:`app.faces.challenges.issue`); :func:`live_face_visit` takes it from there.

    :param kiosk: the paired kiosk (``office``: an :class:`~app.places.models.Office` or None).
    :param now: the moment of the frame (aware; default :func:`app.common.clock.now`).
    :returns: a :class:`FaceVisit`; refusals of the rules are results, not exceptions.
    """
    now = now or clock.now()
    found = services.identify(image)
    if not found:
        return FaceVisit("no_face")
    if len(found) > 1:
        return FaceVisit("several_faces")
    user_id = found[0].user_id
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        return FaceVisit("unknown")
    if kiosk.liveness:
        return FaceVisit("challenge", user, challenge=challenges.issue(kiosk.id, now))
    return record_face_visit(kiosk, user, image, now)


def live_face_visit(kiosk, nonce, frames, now: datetime | None = None) -> FaceVisit:
    """The burst of frames a kiosk with liveness on filmed while it showed the challenge
    ``nonce``: judged and identified (:func:`app.faces.live_check.check_burst`), then the
    person is checked in or out as by :func:`face_visit`, the reference frame kept as the
    event's photo.  A live face matching nobody, or a deactivated person, is ``unknown``.

    :param frames: ``[(offset_ms, image bytes)]`` (see :func:`~app.faces.live_check.check_burst`).
    :raises app.common.errors.ValidationFailed: frames or offsets malformed.
    :raises app.faces.services.FaceImageInvalid: a frame is not a readable JPEG/PNG.
    :raises app.faces.challenges.ChallengeInvalid: unknown, another kiosk's, already answered.
    :raises app.faces.challenges.ChallengeExpired: the burst came after the deadline.
    :raises app.faces.live_check.LivenessFailed: the steps were not followed, or not by one person.
    """
    now = now or clock.now()
    live = live_check.check_burst(nonce, kiosk.id, frames, now)
    user_id = live.identification.user_id
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        return FaceVisit("unknown")
    return record_face_visit(kiosk, user, live.photo, now)


def record_face_visit(kiosk, user, image: services.FaceImage, now: datetime) -> FaceVisit:
    """Check ``user`` (recognised on ``image``) in or out at ``kiosk`` and keep ``image`` as the
    event's photo: the second half of :func:`face_visit` and :func:`live_face_visit`."""
    try:
        visit = attendance.record_kiosk_visit(user, office=kiosk.office or user.office,
                                              min_gap_s=int(get_setting("face_min_gap_minutes")) * 60, now=now)
    except attendance.NotCheckedIn:
        return FaceVisit("not_checked_in", user)
    except attendance.NoActiveSchedule:
        return FaceVisit("no_schedule", user)
    except attendance.AlreadyCheckedIn:  # two frames of the same person raced; the other one recorded it
        return FaceVisit("already_in", user)
    except attendance.AlreadyCheckedOut:
        return FaceVisit("already_out", user)
    except attendance.OutsideWindow:
        return FaceVisit("outside_window", user)
    if visit.event is not None:
        keep_photo(image, visit.event)
    return FaceVisit(visit.outcome, user, visit)


@dataclass(frozen=True)
class FaceAttendance:
    """What :func:`verified_attendance` recorded: the attendance ``result``
    (:class:`~app.attendance.services.RecordResult`: its ``event`` and ``daily``), the
    ``verdict`` of the 1:1 comparison, whether the image became the person's first sample
    (``self_enrolled``), and the stored photo's path (``photo_path``, relative to
    ``UPLOAD_FOLDER``)."""

    result: attendance.RecordResult
    verdict: verify.Verification
    self_enrolled: bool
    photo_path: str


def verified_attendance(user, image: services.FaceImage, kind: str = "check_in", *, source: str = "face",
                        now: datetime | None = None, enrol_if_new: bool = False) -> FaceAttendance:
    """Record ``kind`` for ``user`` once the one face of ``image`` is verified as theirs (1:1).

    Order: verify (:func:`app.faces.verify.verify_face`, the ``face_tolerance`` setting), record
    (:func:`app.attendance.services.record_attendance`, every rule of the work schedule), keep the
    image as the event's photo (:func:`keep_photo`).  A refused image is never kept and nothing is
    recorded.

    :param enrol_if_new: when the person has no enrolled face, enrol ``image`` as their first
        sample (``created_by`` = the person: a self-enrolment, which verifies only this account
        and never identifies anyone at a kiosk) instead of refusing.  Off by default: whoever knows
        a password could otherwise enrol their own face for someone else.
    :raises app.faces.services.NoFaceFound: no face in ``image``.
    :raises app.faces.services.SeveralFaces: more than one face.
    :raises FaceNotEnrolled: the person has no enrolled face (and ``enrol_if_new`` is off).
    :raises FaceMismatch: the face is not the person's.
    :raises app.common.errors.DomainError: a refusal of ``record_attendance`` (no schedule,
        outside the window, already checked in ...).
    """
    verdict = verify.verify_face(user, image)
    self_enrolled = False
    if verdict.decision == verify.NOT_ENROLLED:
        if not enrol_if_new:
            raise FaceNotEnrolled(face=verdict.face)
        services.enrol(user, image, actor=user, face=verdict.face)
        self_enrolled = True
    elif not verdict.accepted:
        raise FaceMismatch(distance=verdict.distance, tolerance=verdict.tolerance)
    result = attendance.record_attendance(user, kind, source=source, now=now)
    return FaceAttendance(result, verdict, self_enrolled, keep_photo(image, result.event))
