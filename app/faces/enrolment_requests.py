"""Face enrolment requests: a person's first face photo, accepted or rejected by an admin.

Why (contract 003, ``POST /api/attendance``; the face app's self check-in): a
person without an enrolled face has nothing to be verified against.  Enrolling
their first photo at once would let anyone who knows (or borrowed) the password
enrol their own face on someone else's account and check in for them every day
after.  Refusing (the old 403) is outside the contract, whose answers are 201
``success``/``failed``, 400, 401, 404 and 409.  So the first photo becomes a
*pending enrolment*: the check-in is recorded (201) and held for review
(``flag_reason = face_not_enrolled``); an admin sees it in the review inbox next
to that photo and decides once for both:

- approve → the photo becomes the person's :class:`~.models.FaceSample` (enrolled
  by that admin, so it also identifies them at a kiosk) and every check-in held
  with it stands;
- reject (a reason is required) → the request and every check-in held with it are
  rejected (kept, never deleted: events are append-only); the person may try
  again with a new first photo.

Until the decision, later check-ins are verified against the pending photo
(:func:`distance_to`): the same face is recorded and held too; another face
fails.  The person is notified of the decision once.

``FACE_ENROL_ON_FIRST_USE`` (:mod:`app.api.face.settings`) turned on skips all of
this: the first photo is enrolled at once as a self-enrolment.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy.exc import IntegrityError

from ..attendance.models import FACE_NOT_ENROLLED, AttendanceEvent
from ..attendance.photos import Photo, store_photo
from ..common import clock
from ..common.errors import NotFound, RuleViolation, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from . import services
from .models import ENCODING_DTYPE, ENCODING_SIZE, FaceEnrolmentRequest, FaceSample

#: Longest reason of a rejection (shown to the person).
MAX_NOTE = 500


def pending_request(user) -> FaceEnrolmentRequest | None:
    """``user``'s enrolment request waiting for a decision, or None."""
    return db.session.scalar(db.select(FaceEnrolmentRequest).filter_by(user_id=user.id, status="pending"))


def request_enrolment(user, image: services.FaceImage, face: services.Face) -> FaceEnrolmentRequest:
    """Keep ``image`` (whose one face is ``face``) as ``user``'s pending enrolment.

    The photo is written under ``UPLOAD_FOLDER/faces/<yyyy>/<mm>/<user-id>-<uuid>.<ext>``
    before the row (never a row without its photo).  When a request of ``user`` is
    already pending (two first check-ins racing), that one is returned and the new
    photo is not used.
    """
    now = clock.now()
    path = store_photo(Photo(image.data, image.extension, image.width, image.height), "faces", now.date(), user.id)
    top, right, bottom, left = face.box
    row = FaceEnrolmentRequest(user_id=user.id, encoding=services.encoding_bytes(face.encoding), photo_path=path,
                               box_top=top, box_right=right, box_bottom=bottom, box_left=left,
                               status="pending", created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # the partial unique index: one pending request per person
        existing = pending_request(user)
        if existing is None:
            raise
        return existing
    return row


def distance_to(request: FaceEnrolmentRequest, face: services.Face) -> float:
    """Euclidean distance (descriptor units) between ``face`` and the pending photo's face,
    compared with the ``face_tolerance`` setting as a 1:1 verification (:mod:`.verify`)."""
    stored = np.frombuffer(request.encoding, dtype=ENCODING_DTYPE).astype(np.float64).reshape(ENCODING_SIZE)
    return float(np.sqrt(((np.asarray(face.encoding, dtype=np.float64) - stored) ** 2).sum()))


def held_events(request: FaceEnrolmentRequest) -> list[AttendanceEvent]:
    """The check-ins held with ``request`` (its person's ``face_not_enrolled`` events still pending),
    oldest first.  One pending request per person, so these are all its own."""
    return list(db.session.scalars(
        db.select(AttendanceEvent)
        .where(AttendanceEvent.user_id == request.user_id, AttendanceEvent.review_state == "pending",
               AttendanceEvent.flag_reason == FACE_NOT_ENROLLED)
        .order_by(AttendanceEvent.occurred_at, AttendanceEvent.id)))


def pending_requests_query():
    """Select statement of the requests waiting for a decision, oldest first."""
    return (db.select(FaceEnrolmentRequest).where(FaceEnrolmentRequest.status == "pending")
            .order_by(FaceEnrolmentRequest.created_at, FaceEnrolmentRequest.id))


def pending_request_count() -> int:
    """How many enrolment requests wait for a decision."""
    return db.session.scalar(db.select(db.func.count(FaceEnrolmentRequest.id))
                             .where(FaceEnrolmentRequest.status == "pending"))


def get_request(request_id: int) -> FaceEnrolmentRequest:
    """:raises NotFound: no request with this id."""
    row = db.session.get(FaceEnrolmentRequest, request_id)
    if row is None:
        raise NotFound(N_("Face enrolment request not found"))
    return row


def decide(request: FaceEnrolmentRequest, reviewer, *, approve: bool,
           note: str | None = None) -> tuple[FaceEnrolmentRequest, list[AttendanceEvent]]:
    """Approve or reject ``request`` and, with it, every check-in it holds (see the module doc).

    Approving enrols the pending photo as a :class:`FaceSample` of the person with
    ``created_by = reviewer``; the check-ins are approved.  Rejecting needs ``note``
    (the reason, shown to the person); the check-ins are rejected with it (their days
    lose the check-in, see :func:`app.attendance.services.review_event`).  The person
    gets one notification either way; the decision is written to the audit trail
    (``face_enrolment.approve`` / ``face_enrolment.reject``, besides each check-in's own entry).

    :returns: ``(request, events decided)``.
    :raises RuleViolation: the request was already decided, or the person already has
        :data:`~.services.MAX_SAMPLES_PER_USER` samples (approve).
    :raises ValidationFailed: ``note`` missing on a rejection, or longer than :data:`MAX_NOTE`.
    """
    from ..attendance import services as attendance
    from ..audit.services import record
    from ..notify.services import notify

    if request.status != "pending":
        raise RuleViolation(N_("This face enrolment has already been decided"))
    note = (note or "").strip() or None
    if not approve and not note:
        raise ValidationFailed({"note": [N_("A reason is required to reject.")]})
    if note and len(note) > MAX_NOTE:
        raise ValidationFailed({"note": [f"At most {MAX_NOTE} characters."]})
    now = clock.now()
    if approve:
        count = db.session.scalar(db.select(db.func.count(FaceSample.id)).filter_by(user_id=request.user_id))
        if count >= services.MAX_SAMPLES_PER_USER:
            raise RuleViolation(f"A person may have at most {services.MAX_SAMPLES_PER_USER} face samples.")
        sample = FaceSample(user_id=request.user_id, encoding=request.encoding, photo_path=request.photo_path,
                            box_top=request.box_top, box_right=request.box_right, box_bottom=request.box_bottom,
                            box_left=request.box_left, created_at=now, created_by_id=reviewer.id)
        db.session.add(sample)
        db.session.flush()
        request.sample_id = sample.id
    events = held_events(request)
    for event in events:
        attendance.review_event(event, reviewer, approve=approve, note=note, with_enrolment=True,
                                notify_person=False)
    request.status = "approved" if approve else "rejected"
    request.decided_by_id = reviewer.id
    request.decided_at = now
    request.decision_note = note
    record(reviewer, "face_enrolment.approve" if approve else "face_enrolment.reject",
           subject_type="face_enrolment_request", subject_id=request.id, person=request.user_id,
           before={"status": "pending"}, after={"status": request.status, "check_ins": [e.id for e in events]},
           reason=note, only_changes=False)
    params = {"time": clock.to_local(request.created_at).strftime("%d-%m-%Y %H:%M"), "count": len(events),
              "note": note or ""}
    if approve:
        notify(request.user, "face_enrolment", N_("Your face was enrolled"),
               N_("Your face photo of %(time)s was accepted; the check-ins made with it count."), **params)
    else:
        notify(request.user, "face_enrolment", N_("Your face photo was rejected"),
               N_("Your face photo of %(time)s was rejected: %(note)s. The check-ins made with it do not "
                  "count; check in again to send a new photo."), **params)
    db.session.flush()
    return request, events
