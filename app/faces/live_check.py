"""Check a burst of camera frames against its liveness challenge and identify the live person.

One use case: a kiosk with liveness on sends the frames it filmed while it
showed a challenge's steps (:mod:`app.faces.challenges`); :func:`check_burst`
consumes the challenge, finds the face and its landmarks on every frame,
judges the steps (:func:`app.faces.liveness.judge`) and identifies the person
(1:N, :mod:`app.faces.services`) on the very frames that showed the steps.
Nothing the tablet says about its own frames is trusted beyond their order and
capture offsets, which only place each frame in a step's time.

Cost on this machine: ~0.03-0.08 s of face detection and landmarks per
640×480 frame (``bench/liveness.py``), ×36 frames; one face encoding
(~0.1-0.25 s) per frame used (the reference and one per step).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..common.errors import RuleViolation, ValidationFailed
from . import challenges, liveness, services

#: Largest frame accepted, in bytes (the tablet sends 640 px JPEGs of 25-60 KB).
MAX_FRAME_BYTES = 400 * 1024
#: Frames accepted per burst, fewest and most (2 steps at 8 frames a second with the lead-in: 36).
MIN_FRAMES, MAX_FRAMES = 8, liveness.MAX_FRAMES
#: Earliest capture offset accepted (ms before the first prompt).
MAX_LEAD_MS = 1500
#: Latest capture offset accepted after the last step's end (ms).
MAX_TAIL_MS = 1000


class LivenessFailed(RuleViolation):
    """The frames do not show a live person following the instructions on the screen.

    ``details["reason"]``: a :class:`app.faces.liveness.Judgement` reason, or
    ``not_same_person`` (the frames that showed the steps are not all of the
    person identified on the reference frame); ``details["step"]``: the index
    of the step that failed, when one did.
    """

    code = "liveness_failed"


@dataclass(frozen=True)
class LiveFace:
    """A burst that passed: ``identification`` of the person on the reference frame
    (:class:`app.faces.services.Identification`; ``decision`` ``match``, ``unknown`` or
    ``ambiguous``), ``photo`` the reference frame (a :class:`~app.faces.services.FaceImage`,
    the one to keep with an attendance event), ``judgement`` the verdict, ``steps`` the
    challenge's steps."""

    identification: services.Identification
    photo: services.FaceImage
    judgement: liveness.Judgement
    steps: tuple[str, ...]


def _check_frames(frames) -> list[tuple[int, bytes]]:
    """``frames`` as ``[(offset_ms, bytes)]`` sorted by offset, or :class:`ValidationFailed`."""
    if not isinstance(frames, (list, tuple)) or not MIN_FRAMES <= len(frames) <= MAX_FRAMES:
        raise ValidationFailed(f"Send {MIN_FRAMES} to {MAX_FRAMES} frames.", field="frames")
    latest = len(liveness.STEPS) * liveness.STEP_MS + MAX_TAIL_MS
    checked = []
    for offset, data in frames:
        if isinstance(offset, bool) or not isinstance(offset, int) or not -MAX_LEAD_MS <= offset <= latest:
            raise ValidationFailed(f"Each frame's offset is a whole number of milliseconds from {-MAX_LEAD_MS} "
                                   f"to {latest}.", field="offsets")
        if not isinstance(data, (bytes, bytearray)) or not data or len(data) > MAX_FRAME_BYTES:
            raise ValidationFailed(f"Each frame is a JPEG or PNG image of at most {MAX_FRAME_BYTES // 1024} KB.",
                                   field="frames")
        checked.append((offset, bytes(data)))
    offsets = [offset for offset, _data in checked]
    if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
        raise ValidationFailed("Frame offsets must increase.", field="offsets")
    return checked


def check_burst(nonce, kiosk_id: int | None, frames, now: datetime) -> LiveFace:
    """Judge the burst ``frames`` against the challenge ``nonce`` of kiosk ``kiosk_id``.

    :param frames: ``[(offset_ms, image bytes)]``: capture offset relative to the
        first prompt (negative during the lead-in), increasing; JPEG or PNG,
        :data:`MIN_FRAMES` to :data:`MAX_FRAMES` frames of at most
        :data:`MAX_FRAME_BYTES` each.
    :param now: aware UTC, the moment the burst arrived (checked against the deadline).
    :returns: a :class:`LiveFace` (whose identification may still be ``unknown``:
        a live stranger).
    :raises ValidationFailed: frames or offsets malformed (the challenge is not consumed).
    :raises challenges.ChallengeInvalid: unknown, another kiosk's, or already answered.
    :raises challenges.ChallengeExpired: past its deadline.
    :raises services.FaceImageInvalid: a frame is not a readable JPEG/PNG.
    :raises LivenessFailed: the steps were not followed, or not by one person.
    """
    checked = _check_frames(frames)
    challenge = challenges.consume(nonce, kiosk_id, now)
    steps = tuple(challenge.step_list)
    latest = len(steps) * liveness.STEP_MS + MAX_TAIL_MS
    if checked[-1][0] > latest:
        raise ValidationFailed(f"Frame offsets end at {latest} ms for this challenge.", field="offsets")
    images = [services.load_image(data) for _offset, data in checked]
    observations = [liveness.observe(index, offset, image.pixels)
                    for index, ((offset, _data), image) in enumerate(zip(checked, images))]
    judgement = liveness.judge(steps, observations)
    if not judgement.passed:
        raise LivenessFailed(reason=judgement.reason, step=judgement.step)
    identifications = _identify(images, observations, judgement.frames_used)
    reference = identifications[0]
    if reference.decision == services.MATCH:
        tolerance, _margin = services.match_settings()
        for other in identifications[1:]:
            if other.nearest_user_id != reference.nearest_user_id or other.distance is None \
                    or other.distance > tolerance:
                raise LivenessFailed(reason="not_same_person", step=None)
    return LiveFace(reference, images[judgement.reference], judgement, steps)


def _identify(images, observations, used) -> list[services.Identification]:
    """1:N identification of the single face of each frame in ``used`` (burst indexes), in order."""
    from ..accounts.models import User
    from ..extensions import db

    tolerance, margin = services.match_settings()
    gallery = services.load_gallery()
    results = []
    for index in used:
        (face,) = services.encode_faces(images[index].pixels, [observations[index].box])
        results.append(services.decide(gallery, face, tolerance, margin))
    first = results[0]
    if first.nearest_user_id is not None:
        name = db.session.scalar(db.select(User.name).where(User.id == first.nearest_user_id))
        results[0] = services.Identification(first.box, first.decision, first.nearest_user_id, name,
                                             first.distance, first.second_distance)
    return results
