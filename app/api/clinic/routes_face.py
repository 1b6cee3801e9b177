"""Contract 000 "Face Recognition Endpoints": register, verify, status, update — the caller's own face.

Any signed-in clinic user manages and checks their own face with the shared face
pipeline (:mod:`app.faces`): images are checked before decoding
(:func:`app.faces.services.decode_base64_image`: JPEG or PNG, at most 8 MB and 24
megapixels, base64 or a ``data:image/...;base64,`` URL), must show exactly one face,
and are enrolled as :class:`~app.faces.models.FaceSample` rows (the same samples the
kiosk and the admin pages use).  Verification is 1:1 against the caller's samples
(:func:`app.faces.verify.verify_face`).

- ``register`` stores the first face; refused (422) when one is already registered.
- ``update`` replaces every sample of the caller with the new face (the old rows are
  deleted only once the new face was found and stored; photo files stay for audit).
- ``verify`` answers ``verified`` and a ``confidence`` (:func:`confidence`).
- ``status`` says whether a face is registered.

All four are rate-limit type ``face_recognition`` (3 requests per minute per token).
Image refusals are 422 with ``errors.face_image``; a caller without a registered
face gets 422 ``errors.face_recognition`` from verify and update.  ``device_id``
(optional, at most 191 characters) is echoed back, not stored.
"""
from __future__ import annotations

from flask import g

from ...common import clock
from ...common.errors import DomainError, ValidationFailed
from ...faces import services as faces
from ...faces import verify as face_verify
from ...faces.models import FaceSample
from . import envelope
from .auth import token_required
from .blueprint import bp
from .ratelimit import rate_limit
from .validation import Checker, json_body

#: Messages of the face pipeline's refusals, by error code (``errors.face_image``).
_IMAGE_REFUSALS = {
    "no_face": "No face was found in the image.",
    "several_faces": "More than one face was found in the image; it must show one person only.",
}
_NOT_REGISTERED = "No face is registered for this account. Register one first."
_ALREADY_REGISTERED = "A face is already registered for this account. Use the update endpoint to replace it."


def confidence(distance: float, tolerance: float) -> float:
    """How sure a 1:1 verification is, 0..1, from the face distance and the ``face_tolerance`` setting.

    ``confidence = clamp(1 - distance / (2 * tolerance), 0, 1)``, rounded to 2 decimals:
    1.0 for an identical descriptor, 0.5 exactly at the tolerance (the accept/refuse
    boundary: a face is verified when ``distance <= tolerance``, i.e. confidence ≥ 0.5),
    0 at twice the tolerance and beyond.  With the default tolerance 0.55, a true match
    on the shared photos (distance 0.06-0.52) scores 0.95-0.53 and a stranger (above
    0.70) scores below 0.37.

    :param distance: Euclidean distance between 128-d descriptors (≥ 0).
    :param tolerance: the largest accepted distance (> 0).
    """
    return round(min(1.0, max(0.0, 1.0 - distance / (2.0 * tolerance))), 2)


def _image_body(*, with_device: bool) -> tuple[faces.FaceImage, str | None]:
    """``face_image`` (required) decoded and checked, and ``device_id``.

    :raises ValidationFailed: (422) ``face_image`` missing, not base64, not a JPEG/PNG, too large;
        ``device_id`` not a string of at most 191 characters.
    """
    check = Checker(json_body())
    check.string("face_image", required=True, max_length=faces.MAX_IMAGE_BYTES * 2)
    if with_device:
        check.string("device_id", max_length=191)
    values = check.done()
    try:
        image = faces.decode_base64_image(values["face_image"])
    except faces.FaceImageInvalid as exc:
        raise ValidationFailed({"face_image": [exc.message]}) from None
    return image, values.get("device_id")


def _image_refused(exc: DomainError):
    """A photo without exactly one face: 422 ``errors.face_image``."""
    message = _IMAGE_REFUSALS.get(exc.code, exc.message)
    return envelope.validation_failed({"face_image": [message]})


def _status_json(user) -> dict:
    """``{user_id, registered, samples, registered_at, updated_at, tolerance}`` of ``user``'s face data."""
    samples = faces.samples_of(user)
    return {"user_id": user.id, "registered": bool(samples), "samples": len(samples),
            "registered_at": clock.iso_utc(samples[0].created_at) if samples else None,
            "updated_at": clock.iso_utc(samples[-1].created_at) if samples else None,
            "tolerance": faces.match_settings()[0]}


def _sample_json(sample: FaceSample, device_id: str | None) -> dict:
    top, right, bottom, left = sample.box
    return {"user_id": sample.user_id, "registered": True, "sample_id": sample.id,
            "face_box": {"top": top, "right": right, "bottom": bottom, "left": left},
            "registered_at": clock.iso_utc(sample.created_at), "device_id": device_id}


@bp.post("/face-recognition/register")
@rate_limit("face_recognition")
@token_required()
def register_face():
    """``POST /api/v2/face-recognition/register``: ``face_image`` (base64), ``device_id`` (optional).

    201 ``Face registered successfully`` with ``data {user_id, registered, sample_id, face_box
    {top, right, bottom, left} (px), registered_at, device_id}``.  422 ``errors.face_image``
    (not an image, too large, no face, several faces) or ``errors.face_recognition`` (a face
    is already registered: use update).
    """
    image, device_id = _image_body(with_device=True)
    if face_verify.has_samples(g.user):
        return envelope.fail(_ALREADY_REGISTERED, 422, {"face_recognition": [_ALREADY_REGISTERED]})
    try:
        sample = faces.enrol(g.user, image, actor=g.user)
    except (faces.NoFaceFound, faces.SeveralFaces) as exc:
        return _image_refused(exc)
    return envelope.ok(_sample_json(sample, device_id), "Face registered successfully", 201)


@bp.post("/face-recognition/verify")
@rate_limit("face_recognition")
@token_required()
def verify_face():
    """``POST /api/v2/face-recognition/verify``: ``face_image`` (base64), ``device_id`` (optional).

    200 with ``data {verified, confidence (0..1, :func:`confidence`), user_id,
    verification_time (UTC), device_id}``; message ``Face verified`` or ``Face not verified``
    (``verified`` false: the face is not the caller's).  422 ``errors.face_image`` (not an
    image, no face, several faces) or ``errors.face_recognition`` (no face registered).
    """
    image, device_id = _image_body(with_device=True)
    try:
        result = face_verify.verify_face(g.user, image)
    except (faces.NoFaceFound, faces.SeveralFaces) as exc:
        return _image_refused(exc)
    if result.decision == face_verify.NOT_ENROLLED:
        return envelope.fail(_NOT_REGISTERED, 422, {"face_recognition": [_NOT_REGISTERED]})
    data = {"verified": result.accepted, "confidence": confidence(result.distance, result.tolerance),
            "user_id": g.user.id, "verification_time": clock.iso_utc(clock.now()), "device_id": device_id}
    return envelope.ok(data, "Face verified" if result.accepted else "Face not verified")


@bp.get("/face-recognition/status")
@rate_limit("face_recognition")
@token_required()
def face_status():
    """``GET /api/v2/face-recognition/status``: ``data {user_id, registered, samples,
    registered_at, updated_at (UTC or null), tolerance}`` of the caller."""
    return envelope.ok(_status_json(g.user), "Face recognition status")


@bp.put("/face-recognition/update")
@rate_limit("face_recognition")
@token_required()
def update_face():
    """``PUT /api/v2/face-recognition/update``: ``face_image`` (base64).

    Replaces every face sample of the caller with the new one.  200 ``Face data updated``
    with the register answer's ``data`` plus ``replaced_samples``; 422 ``errors.face_image``
    or ``errors.face_recognition`` (no face registered yet: register first).  A refused
    image leaves the old samples in place.
    """
    image, _device = _image_body(with_device=False)
    old = faces.samples_of(g.user)
    if not old:
        return envelope.fail(_NOT_REGISTERED, 422, {"face_recognition": [_NOT_REGISTERED]})
    for row in old:
        faces.delete_sample(row.id, user=g.user)
    try:
        sample = faces.enrol(g.user, image, actor=g.user)
    except (faces.NoFaceFound, faces.SeveralFaces) as exc:
        return _image_refused(exc)  # a 422: the request boundary rolls the deletions back
    data = _sample_json(sample, None)
    data.pop("device_id")
    data["replaced_samples"] = len(old)
    return envelope.ok(data, "Face data updated")
