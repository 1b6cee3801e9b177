"""Face enrolment and 1:N identification (the kiosk's face mode, the admin's enrolment).

Pipeline, shared by the kiosk, the admin pages and ``flask face``:

1. :func:`load_image` / :func:`decode_base64_image` check an upload before
   decoding it: at most :data:`MAX_IMAGE_BYTES` bytes, JPEG or PNG, at most
   :data:`MAX_IMAGE_SIDE_PX` per side and :data:`MAX_IMAGE_PIXELS` in all (read
   from the header, so a 30000×30000 image is refused without allocating it);
   a truncated or corrupt file is refused when decoded.  EXIF orientation is
   applied (phone photos).
2. :func:`detect_faces` runs dlib's HOG detector on a copy whose longest side
   is at most :data:`DETECT_MAX_SIDE_PX` and scales the boxes back: HOG time
   grows with the pixel count (data README: ~0.03 s at 320×240, ~0.6 s at
   1920×1080 on one core).
3. :func:`encode_faces` computes dlib's 128-d descriptor on the *original*
   pixels (the 150×150 face chip is cut from the full-resolution image, so the
   cost does not depend on the image size; ~0.08 s per face in the data
   README, 0.15-0.25 s on this busy machine).  Encoding the 640-px copy
   instead moves the descriptor by 0.03-0.18 (median 0.07, ``bench/faces.py``),
   a third of the 0.52-0.70 gap between true matches and strangers: not worth
   the saving, which is nil since the chip is 150×150 either way.
4. :func:`identify` compares each face with every enrolled sample of active
   users.  Distance is Euclidean between descriptors; a person's distance is
   the minimum over their samples.  A face is a ``match`` when its best person
   is within ``face_tolerance`` *and* the second-best person is at least
   ``face_margin`` further away; ``ambiguous`` when within tolerance but the
   gap is smaller; ``unknown`` otherwise.  Defaults (settings registry): 0.55
   and 0.05.  Reference figures (``shared/data/faces/README.md``, face_recognition
   1.3.0 + dlib 20): every probe face is 0.06-0.52 from its true person while a
   person not enrolled stays above 0.70, so 0.55 keeps every true match and
   leaves 0.15 of room below strangers, stricter than the library's 0.6 which
   is tuned for 1:1 (with N people, a looser tolerance gives N chances of a
   false match).  The margin 0.05 only refuses near-ties between two people
   (look-alikes, a mislabelled sample): on the shared photos the second-best
   person is always 0.24 or more further than the best.

The enrolled encodings are one (N, 128) float32 matrix per worker
(:func:`load_gallery`), reread from the database whenever the gallery's version
changes: a row of ``cache_versions`` (:mod:`app.system.cache_versions`) raised in
the transaction of every enrolment, deleted sample, and person deactivated or
deleted (:mod:`app.faces.models`), so every worker of every app server sees the
change at its next identification.  On this shared 2-core machine
(``bench/faces.py``), reading 1,000 people × 3 samples from SQLite costs
~20-30 ms, checking the version one primary-key lookup, matching one face
~0.4 ms, against ~0.2-0.5 s for detecting and encoding the faces of a frame.  The matrix is stored
column-major with each row's squared norm, so :func:`decide` computes every
squared distance ‖a‖² − 2·a·b + ‖b‖² with one BLAS matrix-vector product and
recomputes only the nearest candidates exactly (:meth:`Gallery.nearest_two`):
~2.5-3.5 ms for 100,000 encodings on one core when the machine is not
overloaded (``bench/face_pipeline.py``).  ``OPENBLAS_NUM_THREADS=1`` in the
workers keeps it steady: on the 2 shared cores (load 4.5), one BLAS thread
gave a median of 3.2-3.3 ms (p95 4.2-7.2) and two threads 2.4-8.0 ms (p95
7-17) in alternating runs.
"""
from __future__ import annotations

import io
import threading
import time
import warnings
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from ..attendance.photos import Photo, store_photo
from ..common import clock
from ..common.base64data import Base64Invalid, Base64TooLarge, decode_base64_text
from ..common.errors import DomainError, NotFound, RuleViolation
from ..extensions import db
from ..system import cache_versions
from .models import ENCODING_DTYPE, ENCODING_SIZE, GALLERY_VERSION, FaceSample

#: Largest image accepted, in bytes (decoded, for base64) — 8 MiB.
MAX_IMAGE_BYTES = 8 * 1024 * 1024
#: Largest width or height accepted, in pixels.
MAX_IMAGE_SIDE_PX = 8192
#: Largest pixel count accepted (width × height): 24 megapixels, ~72 MB as RGB.
MAX_IMAGE_PIXELS = 24_000_000
#: Longest side of the copy the detector runs on, in pixels.
DETECT_MAX_SIDE_PX = 640
#: dlib HOG upsampling passes on the detection copy.  0 finds faces of ~80 px and
#: more in the copy (an eighth of its longest side: a person standing at a
#: kiosk, or a portrait); 1 finds faces down to ~40 px but costs ~3-4× more
#: (measured on the shared photos: 0.05-0.08 s against 0.19-0.22 s at 640 px,
#: 0.3-1.9 s on the full image), with the same identifications on the probe set.
DETECT_UPSAMPLE = 0
#: Most samples one person may have.
MAX_SAMPLES_PER_USER = 20
#: Pillow format → file extension of the formats accepted.
FORMATS = {"JPEG": "jpg", "PNG": "png"}
#: Defaults of the settings ``face_tolerance`` and ``face_margin`` (see module doc).
DEFAULT_TOLERANCE = 0.55
DEFAULT_MARGIN = 0.05

MATCH, UNKNOWN, AMBIGUOUS = "match", "unknown", "ambiguous"


class FaceImageInvalid(DomainError):
    """The photo must be a JPEG or PNG image."""

    code = "face_image_invalid"


class FaceImageTooLarge(FaceImageInvalid):
    """The photo is too large."""

    code = "face_image_too_large"


class NoFaceFound(DomainError):
    """No face was found in the photo."""

    code = "no_face"


class SeveralFaces(DomainError):
    """More than one face was found in the photo; it must show one person only.

    ``details["count"]`` is the number of faces found.
    """

    code = "several_faces"


@dataclass(frozen=True)
class FaceImage:
    """A checked, decoded image.

    ``pixels``: (height, width, 3) uint8 RGB array, EXIF orientation applied;
    ``data``: the bytes as received; ``extension``: ``jpg`` or ``png``.
    """

    pixels: np.ndarray
    data: bytes
    extension: str

    @property
    def width(self) -> int:
        """Width in pixels (after EXIF orientation)."""
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels (after EXIF orientation)."""
        return int(self.pixels.shape[0])


@dataclass(frozen=True)
class Face:
    """A face found in an image: ``box`` (top, right, bottom, left) in pixels of
    the image, and its ``encoding``, a (128,) float64 array."""

    box: tuple[int, int, int, int]
    encoding: np.ndarray


@dataclass(frozen=True)
class Identification:
    """The verdict on one face of an identified image.

    ``decision``: ``match``, ``unknown`` or ``ambiguous``; only a ``match``
    names someone (:attr:`user_id`, :attr:`name`).  ``nearest_user_id`` /
    ``nearest_name``: the nearest enrolled person whatever the decision (None
    when nobody is enrolled) — for diagnostics, never to record attendance;
    ``distance``: the distance to that person (None when nobody is enrolled);
    ``second_distance``: the distance of the next nearest *other* person (None
    when fewer than two people are enrolled).  ``box``: (top, right, bottom,
    left) px in the image.
    """

    box: tuple[int, int, int, int]
    decision: str
    nearest_user_id: int | None
    nearest_name: str | None
    distance: float | None
    second_distance: float | None

    @property
    def user_id(self) -> int | None:
        """The user recognised, or None unless ``decision == "match"``."""
        return self.nearest_user_id if self.decision == MATCH else None

    @property
    def name(self) -> str | None:
        """The name of the user recognised, or None unless ``decision == "match"``."""
        return self.nearest_name if self.decision == MATCH else None


def _face_recognition():
    """Import face_recognition without its side effects on the rest of the app.

    Its import sets Pillow's global ``ImageFile.LOAD_TRUNCATED_IMAGES = True``,
    which would make every truncated upload in the app (attendance photos
    too) decode silently with grey pixels: the previous value is restored.
    face_recognition_models' pkg_resources deprecation warning is hidden.
    Import face_recognition only through this function.
    """
    from PIL import ImageFile

    load_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
            import face_recognition
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = load_truncated
    return face_recognition


# ---------------------------------------------------------------------------
# Images

def load_image(data: bytes) -> FaceImage:
    """Check and decode an uploaded image (bytes of a JPEG or PNG file).

    Size and dimensions are checked from the header before any pixel is
    decoded, so time and memory stay bounded by :data:`MAX_IMAGE_BYTES` and
    :data:`MAX_IMAGE_PIXELS`.

    :raises FaceImageTooLarge: over :data:`MAX_IMAGE_BYTES`, wider or taller than
        :data:`MAX_IMAGE_SIDE_PX`, or more than :data:`MAX_IMAGE_PIXELS`.
    :raises FaceImageInvalid: empty, not a JPEG/PNG, truncated or corrupt.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not isinstance(data, (bytes, bytearray)) or not data:
        raise FaceImageInvalid(field="photo")
    if len(data) > MAX_IMAGE_BYTES:
        raise FaceImageTooLarge(f"The photo may not be greater than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.",
                                field="photo")
    data = bytes(data)
    try:
        with Image.open(io.BytesIO(data)) as image:  # parses the header only
            fmt, (width, height) = image.format, image.size
            if fmt not in FORMATS:
                raise FaceImageInvalid(field="photo")
            if width > MAX_IMAGE_SIDE_PX or height > MAX_IMAGE_SIDE_PX or width * height > MAX_IMAGE_PIXELS:
                raise FaceImageTooLarge(
                    f"The photo may not be larger than {MAX_IMAGE_PIXELS // 1_000_000} megapixels "
                    f"or {MAX_IMAGE_SIDE_PX} pixels per side.", field="photo")
            if width < 1 or height < 1:
                raise FaceImageInvalid(field="photo")
            image.load()  # a truncated file raises OSError here
            upright = ImageOps.exif_transpose(image)
            pixels = np.asarray(upright.convert("RGB"), dtype=np.uint8)
    except FaceImageInvalid:
        raise
    except Image.DecompressionBombError:  # Pillow's own header check (over ~179 megapixels)
        raise FaceImageTooLarge(f"The photo may not be larger than {MAX_IMAGE_PIXELS // 1_000_000} megapixels.",
                                field="photo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            EOFError, MemoryError):
        raise FaceImageInvalid("The photo must be a JPEG or PNG image (this one is unreadable or truncated).",
                               field="photo") from None
    return FaceImage(np.ascontiguousarray(pixels), data, FORMATS[fmt])


def decode_base64_image(value) -> FaceImage:
    """Decode a base64 image and :func:`load_image` it.

    Accepted: every form of :mod:`app.common.base64data` — bare base64 (contract
    003's ``"image": "base64_image_data"``) or a data URL, standard or URL-safe
    alphabet, with or without padding, with line breaks.  What decodes must still
    be a JPEG or PNG image (:func:`load_image`).  The text length is checked
    before anything is decoded.

    :raises FaceImageTooLarge: the decoded image would exceed :data:`MAX_IMAGE_BYTES`.
    :raises FaceImageInvalid: not a string, not base64, or not an acceptable image.
    """
    try:
        data = decode_base64_text(value, max_bytes=MAX_IMAGE_BYTES)
    except Base64TooLarge:
        raise FaceImageTooLarge(f"The photo may not be greater than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.",
                                field="photo") from None
    except Base64Invalid:
        raise FaceImageInvalid("The photo must be a base64 encoded image.", field="photo") from None
    return load_image(data)


# ---------------------------------------------------------------------------
# Detection and encoding

def _downscaled(pixels: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """A copy of ``pixels`` whose longest side is at most ``max_side`` px, and the factor applied (≤ 1)."""
    from PIL import Image

    height, width = pixels.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale >= 1.0:
        return pixels, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(small), scale


def detect_faces(pixels: np.ndarray, *, max_side: int = DETECT_MAX_SIDE_PX,
                 upsample: int = DETECT_UPSAMPLE) -> list[tuple[int, int, int, int]]:
    """Face boxes ``(top, right, bottom, left)`` in px of ``pixels`` ((H, W, 3) uint8 RGB).

    dlib's HOG detector runs on a copy downscaled to ``max_side`` px (longest
    side); the boxes are scaled back and clipped to the image.  Sorted left to right.
    """
    fr = _face_recognition()
    small, scale = _downscaled(pixels, max_side)
    height, width = pixels.shape[:2]
    boxes = []
    for top, right, bottom, left in fr.face_locations(small, number_of_times_to_upsample=upsample, model="hog"):
        box = (max(0, int(round(top / scale))), min(width, int(round(right / scale))),
               min(height, int(round(bottom / scale))), max(0, int(round(left / scale))))
        if box[2] > box[0] and box[1] > box[3]:
            boxes.append(box)
    return sorted(boxes, key=lambda b: (b[3], b[0]))


def encode_faces(pixels: np.ndarray, boxes) -> list[Face]:
    """The 128-d descriptor of each box of ``pixels``, computed on the full-resolution image.

    :returns: one :class:`Face` per box, encodings as (128,) float64 arrays.
    """
    if not boxes:
        return []
    fr = _face_recognition()
    encodings = fr.face_encodings(pixels, known_face_locations=list(boxes), num_jitters=1, model="small")
    return [Face(tuple(box), np.asarray(enc, dtype=np.float64)) for box, enc in zip(boxes, encodings)]


def find_faces(image: FaceImage) -> list[Face]:
    """Detect (downscaled) and encode (full resolution) every face of ``image``."""
    return encode_faces(image.pixels, detect_faces(image.pixels))


# ---------------------------------------------------------------------------
# Enrolment

def samples_of(user) -> list[FaceSample]:
    """The face samples of ``user``, oldest first."""
    return list(db.session.scalars(db.select(FaceSample).filter_by(user_id=user.id).order_by(FaceSample.id)))


def enrolment_people_query(*, search: str | None = None, enrolled: bool | None = None):
    """Select statement of the people on the face enrolment list, ordered by name.

    The people not deleted matching ``search`` (name, email, NPP or NISN/NIP/NIK, as
    :func:`app.accounts.services.users_query`); ``enrolled=True`` keeps only those with at
    least one face sample, ``False`` only those with none, None everyone.
    """
    from ..accounts.models import User
    from ..accounts.services import users_query

    stmt = users_query(search=search)
    enrolled_ids = db.select(FaceSample.user_id)
    if enrolled is True:
        stmt = stmt.where(User.id.in_(enrolled_ids))
    elif enrolled is False:
        stmt = stmt.where(User.id.not_in(enrolled_ids))
    return stmt


def sample_counts(user_ids) -> dict[int, int]:
    """``{user id: number of face samples}`` of the people ``user_ids`` that have at least one
    (one grouped statement; none at all for an empty ``user_ids``)."""
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        db.select(FaceSample.user_id, db.func.count(FaceSample.id))
        .where(FaceSample.user_id.in_(ids)).group_by(FaceSample.user_id)).all())


def get_sample(sample_id: int) -> FaceSample:
    """The face sample ``sample_id``, whoever's it is.

    :raises NotFound: no such sample.
    """
    sample = db.session.get(FaceSample, sample_id)
    if sample is None:
        raise NotFound("Face sample not found.", field="sample_id")
    return sample


def enrol(user, image: FaceImage, *, actor=None, today: date | None = None, face: Face | None = None) -> FaceSample:
    """Store one face sample of ``user`` from ``image`` (which must show exactly one face).

    ``face``: the one face of ``image`` when the caller already found it (no second detection).

    The photo is written under ``UPLOAD_FOLDER/faces/<yyyy>/<mm>/<user-id>-<uuid>.<ext>``
    as received and kept for audit; the encoding and the face box are stored
    in a new :class:`FaceSample` (flushed, not committed).  ``actor`` is who
    enrols: the person themself, an admin, or the text naming a command-line run
    (``"flask face enroll"``); staff adding someone else's sample (an admin or a
    command) is audited as ``face_sample.add`` with the person's number of samples after it.  The photo is written before
    the row, so an enrolment rolled back later leaves its photo file behind
    (never a row without its photo).

    :raises NoFaceFound: no face in the photo.
    :raises SeveralFaces: more than one face (``details["count"]``).
    :raises RuleViolation: ``user`` already has :data:`MAX_SAMPLES_PER_USER` samples.
    """
    count = db.session.scalar(db.select(db.func.count(FaceSample.id)).filter_by(user_id=user.id))
    if count >= MAX_SAMPLES_PER_USER:
        raise RuleViolation(f"A person may have at most {MAX_SAMPLES_PER_USER} face samples.", field="photo")
    if face is None:
        boxes = detect_faces(image.pixels)
        if not boxes:
            raise NoFaceFound(field="photo")
        if len(boxes) > 1:
            raise SeveralFaces(f"{len(boxes)} faces were found in the photo; it must show one person only.",
                               field="photo", count=len(boxes))
        (face,) = encode_faces(image.pixels, boxes)
    now = clock.now()
    path = store_photo(Photo(image.data, image.extension, image.width, image.height), "faces",
                       today or now.date(), user.id)
    top, right, bottom, left = face.box
    sample = FaceSample(user_id=user.id, encoding=encoding_bytes(face.encoding), photo_path=path,
                        box_top=top, box_right=right, box_bottom=bottom, box_left=left,
                        created_at=now, created_by_id=getattr(actor, "id", None))
    db.session.add(sample)
    db.session.flush()
    if actor is not None and getattr(actor, "id", None) != user.id:
        from ..audit.services import record

        record(actor, "face_sample.add", subject_type="face_sample", subject_id=sample.id, person=user,
               before={"samples": count}, after={"samples": count + 1})
    return sample


def delete_sample(sample_id: int, *, user=None, actor=None) -> None:
    """Delete face sample ``sample_id`` (of ``user`` when given); its photo file stays for audit.

    ``actor``: the admin deleting it (audited as ``face_sample.delete`` with the person's number
    of samples before → after); None for a person replacing their own.
    :raises NotFound: no such sample (or not ``user``'s).
    """
    sample = db.session.get(FaceSample, sample_id) if isinstance(sample_id, int) else None
    if sample is None or (user is not None and sample.user_id != user.id):
        raise NotFound("Face sample not found.", field="sample_id")
    owner_id = sample.user_id
    db.session.delete(sample)
    db.session.flush()
    if actor is not None:
        from ..audit.services import record

        left = db.session.scalar(db.select(db.func.count(FaceSample.id)).filter_by(user_id=owner_id))
        record(actor, "face_sample.delete", subject_type="face_sample", subject_id=sample_id, person=owner_id,
               before={"samples": left + 1}, after={"samples": left})


def encoding_bytes(encoding) -> bytes:
    """The stored form of a (128,) encoding: 512 bytes of little-endian float32.

    :raises ValueError: not 128 finite values.
    """
    vector = np.asarray(encoding, dtype=np.float64).reshape(-1)
    if vector.shape != (ENCODING_SIZE,) or not np.all(np.isfinite(vector)):
        raise ValueError("A face encoding is 128 finite numbers.")
    return vector.astype(ENCODING_DTYPE).tobytes()


# ---------------------------------------------------------------------------
# Identification

@dataclass(frozen=True)
class Gallery:
    """Every enrolled encoding, grouped by person, laid out for fast 1:N matching.

    ``matrix``: (N, 128) float32, rows sorted by user id, stored column-major
    (a view of a contiguous (128, N) array): one BLAS matrix-vector product
    then streams it once, ~2-3 ms for N = 100,000 on one core here against
    ~4.5-5 ms row-major (``bench/face_pipeline.py``); ``user_ids``: (N,)
    int64 user id of each row; ``people``: (P,) int64 distinct user ids;
    ``starts``: (P,) int64 index of each person's first row (for
    ``np.minimum.reduceat``); ``names``: user id → name; ``sq_norms``: (N,)
    float32 squared norm of each row, computed from ``matrix`` when not given.
    """

    matrix: np.ndarray
    user_ids: np.ndarray
    people: np.ndarray
    starts: np.ndarray
    names: dict
    sq_norms: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.sq_norms is None:
            norms = np.einsum("ij,ij->i", self.matrix, self.matrix, dtype=np.float64).astype(np.float32)
            norms.flags.writeable = False
            object.__setattr__(self, "sq_norms", norms)

    @classmethod
    def build(cls, user_ids, encodings, names=None) -> "Gallery":
        """A gallery from (N,) user ids and (N, 128) encodings (any float dtype; any order).

        :raises ValueError: the encodings are not (N, 128), or there are not N user ids.
        """
        user_ids = np.asarray(user_ids, dtype=np.int64).reshape(-1)
        matrix = np.asarray(encodings, dtype=np.float32).reshape(-1, ENCODING_SIZE)
        if matrix.shape[0] != user_ids.shape[0]:
            raise ValueError(f"{user_ids.shape[0]} user ids for {matrix.shape[0]} encodings.")
        if user_ids.size > 1 and not np.all(user_ids[1:] >= user_ids[:-1]):  # read_gallery's rows are sorted
            order = np.argsort(user_ids, kind="stable")
            user_ids, matrix = user_ids[order], matrix[order]
        columns = np.empty((ENCODING_SIZE, matrix.shape[0]), dtype=np.float32)  # (128, N) C-contiguous
        for start in range(0, matrix.shape[0], _TRANSPOSE_BLOCK_ROWS):  # cache-sized blocks: ~10x faster
            columns[:, start:start + _TRANSPOSE_BLOCK_ROWS] = matrix[start:start + _TRANSPOSE_BLOCK_ROWS].T
        matrix = columns.T  # (N, 128), column-major view
        people, starts = np.unique(user_ids, return_index=True)
        sq_norms = np.einsum("ij,ij->j", columns, columns, dtype=np.float64).astype(np.float32)
        starts = starts.astype(np.int64)
        for array in (columns, matrix, user_ids, people, starts, sq_norms):
            array.flags.writeable = False  # a gallery may be shared by threads (cache)
        return cls(matrix, user_ids, people, starts, dict(names or {}), sq_norms)

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def _rows(self, person: int) -> slice:
        """The rows of person number ``person`` (an index into :attr:`people`)."""
        end = int(self.starts[person + 1]) if person + 1 < self.starts.size else len(self)
        return slice(int(self.starts[person]), end)

    def _exact_distance(self, person: int, probe: np.ndarray) -> float:
        """Euclidean distance (float64, by subtraction) from ``probe`` to the nearest sample of ``person``."""
        difference = self.matrix[self._rows(person)].astype(np.float64) - probe
        return float(np.sqrt(np.einsum("ij,ij->i", difference, difference).min()))

    def _squared_distances(self, probe: np.ndarray) -> np.ndarray:
        """(N,) float32 squared distance from ``probe`` to every row, as ‖a‖² − 2·a·b + ‖b‖².

        One BLAS matrix-vector product.  Rounding (float32, and cancellation
        when a row is close to ``probe``) leaves an absolute error of a few
        1e-6 for encodings of norm ~1: callers re-check what they return
        (:meth:`person_distances`, :meth:`nearest_two`).
        """
        squared = self.matrix @ probe.astype(np.float32)
        squared *= -2.0
        squared += self.sq_norms
        squared += np.float32(probe @ probe)
        return squared

    def person_distances(self, encoding) -> np.ndarray:
        """(P,) distance from ``encoding`` ((128,)) to each person: the minimum over their samples.

        Computed with one BLAS product (:meth:`_squared_distances`) and
        ``np.minimum.reduceat``; people nearer than 0.2 are recomputed by
        subtraction in float64, so every value is within 1e-4 of the exact
        Euclidean distance (``tests/faces/test_matching.py``).  (0,) when
        the gallery is empty.
        """
        probe = np.asarray(encoding, dtype=np.float64).reshape(ENCODING_SIZE)
        if len(self) == 0:
            return np.zeros(0, dtype=np.float32)
        per_person = np.minimum.reduceat(self._squared_distances(probe), self.starts)
        np.maximum(per_person, 0.0, out=per_person)
        np.sqrt(per_person, out=per_person)
        for person in np.flatnonzero(per_person < _EXACT_BELOW):
            per_person[person] = self._exact_distance(int(person), probe)
        return per_person

    def nearest_two(self, encoding) -> tuple[tuple[int, float] | None, tuple[int, float] | None]:
        """The nearest person to ``encoding`` ((128,)) and the next nearest other person.

        :returns: ``((index, distance), (index, distance))``; an index is a
            position in :attr:`people`, a distance is the exact Euclidean
            distance (float64, by subtraction) to that person's nearest sample.
            The second pair is None with one person enrolled; both are None
            when the gallery is empty.  Same result as sorting
            :meth:`person_distances`, without the per-person reduction:
            ~2.5-3.5 ms for 100,000 encodings on one core here when the
            machine is not overloaded (``bench/face_pipeline.py``).

        The squared distances of one BLAS product pick the candidates: every
        sample within :data:`_CANDIDATE_SLACK` (times the scale of the norms)
        of the smallest is recomputed exactly, so a rounding error cannot swap
        two people.
        """
        probe = np.asarray(encoding, dtype=np.float64).reshape(ENCODING_SIZE)
        if len(self) == 0:
            return None, None
        squared = self._squared_distances(probe)
        slack = _CANDIDATE_SLACK * (1.0 + float(self.sq_norms.max()) + float(probe @ probe))
        best = self._nearest_person(squared, probe, slack)
        if self.people.size == 1:
            return best, None
        squared[self._rows(best[0])] = np.inf
        return best, self._nearest_person(squared, probe, slack)

    def _nearest_person(self, squared: np.ndarray, probe: np.ndarray, slack: float) -> tuple[int, float]:
        """(index in :attr:`people`, exact distance) of the person nearest ``probe`` among the finite ``squared``.

        The truly nearest row is within twice the rounding error of the
        smallest float32 value, so it is among the rows within ``slack`` of
        it; only those are recomputed by subtraction (usually one or two).
        """
        rows = np.flatnonzero(squared <= squared.min() + slack)
        difference = self.matrix[rows].astype(np.float64) - probe
        exact = np.einsum("ij,ij->i", difference, difference)
        nearest = int(np.argmin(exact))
        person = int(np.searchsorted(self.starts, rows[nearest], side="right")) - 1
        return person, float(np.sqrt(exact[nearest]))


#: Rows per block when :meth:`Gallery.build` transposes the encodings (64 rows:
#: 32 KiB, stays in L1/L2; 100,000 rows take ~30 ms against ~300 ms in one go).
_TRANSPOSE_BLOCK_ROWS = 64
#: People nearer than this (in descriptor units) get their distance recomputed by
#: subtraction in :meth:`Gallery.person_distances`: below it, the cancellation in
#: ‖a‖² − 2·a·b + ‖b‖² could move the square root by more than 1e-4.
_EXACT_BELOW = 0.2
#: Margin on the float32 squared distances, relative to the norms, within which
#: :meth:`Gallery.nearest_two` recomputes every candidate exactly (float32
#: rounding of a 128-term dot product of norm-1 vectors is below 1e-5).
_CANDIDATE_SLACK = 1e-4


#: Longest time (s) a worker reuses its cached gallery without reading it again, even
#: when its version has not changed: a backstop for changes made without the ORM (SQL
#: typed into ``psql``, a restored backup), which do not raise the version.
GALLERY_CACHE_TTL_S = 60.0
_gallery_cache: dict[str, tuple[int, float, Gallery]] = {}
_gallery_lock = threading.Lock()


def clear_gallery_cache() -> None:
    """Forget this process's cached galleries (the next :func:`load_gallery` reads the database).

    For the test suite, which empties every table (the version row included) between
    tests: the version then starts again from 0 and could repeat the one cached.
    """
    with _gallery_lock:
        _gallery_cache.clear()


def _active_samples(*columns):
    """Samples that may identify someone at a kiosk (1:N): of active users, and not enrolled
    by the person themself (``created_by_id == user_id``: the face and clinic apps' self
    registration).  Whoever knows a password could self-enrol a colleague's photo; such a
    sample only verifies its own account (1:1, :mod:`app.faces.verify`) until an admin
    enrols the person (admin page or ``flask face enroll``)."""
    from ..accounts.models import User

    return (db.select(*columns).select_from(FaceSample)
            .join(User, User.id == FaceSample.user_id).where(User.is_active.is_(True))
            .where(db.or_(FaceSample.created_by_id.is_(None), FaceSample.created_by_id != FaceSample.user_id)))


def gallery_version() -> int:
    """The committed version of the gallery (one primary-key lookup, :mod:`app.system.cache_versions`)."""
    return cache_versions.current(GALLERY_VERSION)


def read_gallery() -> Gallery:
    """Every face sample of active users, read from the database as one matrix (no cache).

    ``names`` is left empty: :func:`identify` reads the names of the people it reports.
    """
    rows = db.session.execute(_active_samples(FaceSample.user_id, FaceSample.encoding)
                              .order_by(FaceSample.user_id, FaceSample.id)).all()
    if not rows:
        return Gallery.build(np.zeros(0, np.int64), np.zeros((0, ENCODING_SIZE), np.float32))
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=ENCODING_DTYPE).reshape(len(rows), ENCODING_SIZE)
    return Gallery.build([r[0] for r in rows], matrix)


def load_gallery() -> Gallery:
    """The enrolled samples of active users, from this worker's cache while still current.

    Each call reads :func:`gallery_version` (one primary-key lookup) and reuses the
    cached :class:`Gallery` of this database only if the version is unchanged and the
    gallery is younger than :data:`GALLERY_CACHE_TTL_S`; otherwise it calls
    :func:`read_gallery` (~20-30 ms for 1,000 people × 3 samples on SQLite,
    ``bench/faces.py``).  The version is raised in the transaction of every change
    (:mod:`app.faces.models`), so every gunicorn worker, on any app server, sees an
    enrolment, a deleted sample or a deactivated person at its next call after the
    commit.  The version is read before the samples, so a change committed in between
    is read now and read again next time, never missed.
    """
    key = db.engine.url.render_as_string(hide_password=True)
    version = gallery_version()
    now = time.monotonic()
    with _gallery_lock:
        cached = _gallery_cache.get(key)
    if cached is not None and cached[0] == version and now - cached[1] < GALLERY_CACHE_TTL_S:
        return cached[2]
    gallery = read_gallery()
    with _gallery_lock:
        _gallery_cache[key] = (version, now, gallery)
    return gallery


def match_settings() -> tuple[float, float]:
    """``(face_tolerance, face_margin)`` from the organisation's settings (defaults 0.55 and 0.05)."""
    from ..system.settings import get_setting

    tolerance = get_setting("face_tolerance")
    margin = get_setting("face_margin")
    return (DEFAULT_TOLERANCE if tolerance is None else float(tolerance),
            DEFAULT_MARGIN if margin is None else float(margin))


def decide(gallery: Gallery, face: Face, tolerance: float, margin: float) -> Identification:
    """The verdict on one ``face`` against ``gallery`` (see the module doc for the rule)."""
    if len(gallery) == 0:
        return Identification(face.box, UNKNOWN, None, None, None, None)
    (best, distance), second = gallery.nearest_two(face.encoding)
    second_distance = None if second is None else second[1]
    user_id = int(gallery.people[best])
    if distance > tolerance:
        decision = UNKNOWN
    elif second_distance is not None and second_distance - distance < margin:
        decision = AMBIGUOUS
    else:
        decision = MATCH
    return Identification(face.box, decision, user_id, gallery.names.get(user_id), round(distance, 4),
                          None if second_distance is None else round(second_distance, 4))


def identify(image: FaceImage, *, gallery: Gallery | None = None) -> list[Identification]:
    """Identify every face of ``image`` among the enrolled people (1:N), left to right.

    Uses the settings ``face_tolerance`` and ``face_margin``; ``gallery``
    defaults to :func:`load_gallery`.  The kiosk and ``flask face identify``
    both call this.  Nothing is written.

    :returns: one :class:`Identification` per face found (empty when none).
    """
    from ..accounts.models import User

    faces = find_faces(image)
    if not faces:
        return []
    tolerance, margin = match_settings()
    gallery = load_gallery() if gallery is None else gallery
    results = [decide(gallery, face, tolerance, margin) for face in faces]
    wanted = {r.nearest_user_id for r in results if r.nearest_user_id is not None} - set(gallery.names)
    names = dict(gallery.names)
    if wanted:
        names.update(db.session.execute(db.select(User.id, User.name).where(User.id.in_(wanted))).tuples().all())
    return [replace(r, nearest_name=names.get(r.nearest_user_id)) for r in results]
