"""1:1 face verification: is the one face of a photo this person's? (contract 003's self check-in)

The ``face`` dialect's self check-in (contract 003, ``POST /api/attendance``)
knows who is asking (the signed-in person) and only has to confirm that the
face in the photo is theirs: verification against that person's own enrolled
samples, not identification among everybody (:func:`.services.identify`).

Rule: the photo must show exactly one face; its distance to the person is the
minimum Euclidean distance between its 128-d descriptor and each of the
person's samples; the face is accepted when that distance is at most the
organisation's ``face_tolerance`` setting (default 0.55, see
:mod:`.services`).  The 1:N ``face_margin`` does not apply: there is no
second person to be confused with.  On the shared photos
(``shared/data/faces/README.md``) a true match is 0.06-0.52 away and a
stranger more than 0.70, so 0.55 accepts every true match and refuses
strangers with room to spare (the library's own 1:1 default is 0.6).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import services
from .models import ENCODING_DTYPE, ENCODING_SIZE, FaceSample
from ..extensions import db

ACCEPTED, REFUSED, NOT_ENROLLED = "accepted", "refused", "not_enrolled"


@dataclass(frozen=True)
class Verification:
    """The verdict of :func:`verify_face`.

    ``decision``: ``accepted`` (the face is the person's), ``refused`` (it is
    not) or ``not_enrolled`` (the person has no samples; nothing was compared).
    ``distance``: the minimum distance to the person's samples (None when not
    enrolled); ``tolerance``: the threshold applied; ``face``: the face found
    (box in px of the image, (128,) float64 encoding).
    """

    decision: str
    distance: float | None
    tolerance: float
    face: services.Face

    @property
    def accepted(self) -> bool:
        """True when the face was verified as the person's."""
        return self.decision == ACCEPTED


def sample_matrix(user) -> np.ndarray:
    """The (S, 128) float32 matrix of ``user``'s enrolled encodings (S may be 0)."""
    rows = list(db.session.scalars(db.select(FaceSample.encoding).filter_by(user_id=user.id).order_by(FaceSample.id)))
    if not rows:
        return np.zeros((0, ENCODING_SIZE), dtype=np.float32)
    return np.frombuffer(b"".join(rows), dtype=ENCODING_DTYPE).reshape(len(rows), ENCODING_SIZE)


def has_samples(user) -> bool:
    """True when ``user`` has at least one enrolled face sample (one indexed query, no decoding)."""
    return db.session.scalar(db.select(FaceSample.id).filter_by(user_id=user.id).limit(1)) is not None


def single_face(image: services.FaceImage) -> services.Face:
    """Detect and encode the one face of ``image``.

    :raises NoFaceFound: no face in the image.
    :raises SeveralFaces: more than one face (``details["count"]``).
    """
    boxes = services.detect_faces(image.pixels)
    if not boxes:
        raise services.NoFaceFound(field="image")
    if len(boxes) > 1:
        raise services.SeveralFaces(f"{len(boxes)} faces were found in the photo; it must show one person only.",
                                    field="image", count=len(boxes))
    (face,) = services.encode_faces(image.pixels, boxes)
    return face


def verify_face(user, image: services.FaceImage, *, tolerance: float | None = None) -> Verification:
    """Verify that the single face of ``image`` is ``user``'s (1:1, see the module doc).

    Detection and encoding run even when ``user`` has no samples, so that a
    photo without a face, or with several, is refused the same way whatever
    the enrolment state.

    :param tolerance: the largest accepted distance; default the ``face_tolerance`` setting.
    :raises NoFaceFound: no face in the image.
    :raises SeveralFaces: more than one face.
    """
    if tolerance is None:
        tolerance = services.match_settings()[0]
    return compare(single_face(image), sample_matrix(user), tolerance)


def compare(face: services.Face, samples: np.ndarray, tolerance: float) -> Verification:
    """The verdict on ``face`` against one person's ``samples`` ((S, 128) float32, S may be 0):
    the minimum Euclidean distance, accepted when at most ``tolerance``; ``not_enrolled`` when
    there is no sample."""
    if samples.shape[0] == 0:
        return Verification(NOT_ENROLLED, None, tolerance, face)
    probe = np.asarray(face.encoding, dtype=np.float32).reshape(1, ENCODING_SIZE)
    distance = float(np.sqrt(((samples - probe) ** 2).sum(axis=1)).min())
    return Verification(ACCEPTED if distance <= tolerance else REFUSED, distance, tolerance, face)
