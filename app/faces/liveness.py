"""Liveness from a burst of camera frames: did a live person follow the challenge?

Pure functions (numpy and dlib's 68-point landmarks, no database).  The kiosk
asks for a random challenge (:mod:`app.faces.challenges`), shows its steps one
after the other for :data:`STEP_MS` each while the tablet captures frames, and
sends the burst; :func:`judge` decides from the landmarks of those frames.

Measures, all computed on the 68 landmarks of dlib's shape predictor
(``face_recognition.face_landmarks(..., model="large")``, iBUG 300-W
numbering, 0-based; "image left/right" as seen in the raw, unmirrored frame):

- **Eye aspect ratio** (:func:`eye_aspect_ratio`): Soukupová & Čech, "Real-Time
  Eye Blink Detection using Facial Landmarks" (21st Computer Vision Winter
  Workshop, 2016): ``(|p2-p6| + |p3-p5|) / (2 |p1-p4|)`` per eye, averaged
  over both eyes.  Open eyes ≈ 0.25-0.35, a blink drops below ≈ 0.2 for
  100-400 ms.  A printed photo tilted back compresses the whole face
  vertically and lowers the plain EAR too, so a blink is judged on the
  **rectified** EAR (:func:`rectified_ear`): the frame's landmarks are first
  mapped onto the reference frame by the homography fitted on the points
  that do not move in a blink (brows, nose, eye corners, outer lips), which
  undoes any motion of a flat picture (shift, rotation, scale, perspective
  tilt) while the eyelids of a live blink still close.
- **Head yaw** (:func:`yaw_ratio`): the nose tip's position between the left
  and right face outline, projected on the outline's own axis, in half face
  widths (0 = frontal, positive = nose towards image right = the person's left
  in an unmirrored frame).  A ratio of lengths along one axis: unchanged when
  the image is shifted, rotated or scaled as a whole (a 2-D similarity, indeed
  any affine map).
- **Nose parallax** (:func:`nose_parallax`): how far the nose moved against the
  rest of the face between the reference frame and this one, after removing
  the best homography of the other points, along the outline axis, in face
  widths.  A flat picture moved in any way, tilted in perspective included, is
  one homography: its parallax stays at the landmark noise.  A head that turns
  moves its nose (the most protruding point) against its outline.

- **Anisotropy** (:func:`anisotropy`): how unevenly the face was stretched
  since the reference frame (1 for a similarity, ≈ cos θ for a picture tilted
  by θ).  dlib's landmarks do not follow a steep perspective exactly, so a
  frame stretched like a steeply tilted picture never counts as a blink or a
  turn.

A turn step passes when the yaw and the parallax both moved past their
thresholds in the asked direction on a frame that is not stretched like a
tilted picture; a blink step when the rectified EAR fell below
:data:`BLINK_RATIO` of the reference and came back above
:data:`REOPEN_RATIO`.  Each step must happen in its own time and after the
previous one.  Thresholds were chosen from ``bench/liveness.py`` over every
shared enrolment photo (synthetic footage from
``tests/faces/liveness_footage.py``); see :data:`TURN_YAW` and the others for
the figures.  What this cannot tell from a live person: a video of the
enrolled person, replayed on a screen, that happens to do the steps asked.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BLINK, TURN_LEFT, TURN_RIGHT = "blink", "turn_left", "turn_right"
#: The steps a challenge is made of.
STEPS = (BLINK, TURN_LEFT, TURN_RIGHT)
#: Time the tablet shows each step, in milliseconds.  A blink on request takes
#: 100-400 ms plus a reaction time of ~0.3-0.5 s; a head turn ~0.5-1 s.
STEP_MS = 2000
#: Time after a step's window in which its action still counts (ms): the person
#: reacts late to the prompt; the action of the next step is looked for only
#: from that step's own start.
REACTION_MS = 700
#: Time the tablet films before it shows the first step (ms): the reference frames
#: (the person looking at the camera, eyes open), with negative offsets.
LEAD_MS = 500
#: Frame interval the tablet aims at (ms): 8 frames a second catch 2-3 frames of
#: a 300 ms blink.
FRAME_INTERVAL_MS = 125
#: Fewest frames with a face in a burst, per step.
MIN_FRAMES_PER_STEP = 4
#: Most frames accepted in one burst (bounds the server's work: ~0.03-0.05 s of
#: face detection and landmarks per 640 px frame).
MAX_FRAMES = 48

# Thresholds, chosen with ``bench/liveness.py`` over every shared enrolment photo (9 photos of
# 5 people; synthetic footage, 36 frames per burst, a 70° lens; run of 2026-12-06, figures
# also in the README).  Negatives: the photo held still, shifted, rotated, scaled, tilted in
# perspective (±40° about either axis, ±30° about both) and all at once, and live footage
# judged against a challenge it does not follow.  Positives: the synthetic blink and a
# gentle synthetic turn.  With these values: 0 of 468 negatives accepted, 1 of 28 positives
# refused (a turn that reached a yaw change of 0.199).
#: A blink: the rectified EAR falls to at most this fraction of the reference
#: frame's EAR.  Synthetic blinks reached 0.28-0.71 (median 0.54); a photo moved
#: or tilted never went below 0.736, held still below 0.86 (landmark noise of a
#: JPEG'd camera frame).  Real blinks close further: EAR ≈ 0.3 → below 0.2.
BLINK_RATIO = 0.70
#: ... and, later in the step's window (or the next step's), opens again to at
#: least this fraction.
REOPEN_RATIO = 0.85
#: ... on a frame whose face is not stretched unevenly (:func:`anisotropy`): a photo
#: tilted back by θ narrows the eyes by cos θ, but the whole face with them.
MIN_BLINK_ANISOTROPY = 0.85
#: Smallest EAR of open eyes in the reference frame (below: eyes shut or no eyes found).
MIN_OPEN_EAR = 0.15
#: The reference frame looks at the camera: its yaw ratio is within ± this
#: (≈ 15°).  A face already turned hides the far side of its outline, where
#: dlib's points are guesses (two of the nine shared photos, at -0.45 and
#: -0.59, are refused: the kiosk asks people to look at the camera first).
MAX_REFERENCE_YAW = 0.35
#: A turn: the yaw ratio moves by at least this many half face widths towards the
#: asked side ...  Synthetic turns: 0.09-0.36 (median 0.25); the two shared
#: photos of Barack Obama, and of Kit Harington, in different real poses differ
#: by 0.48 and 0.44.
TURN_YAW = 0.20
#: ... the nose moves against the rest of the face (parallax) by at least this
#: many face widths towards the same side ...  Synthetic turns: 0.033-0.076
#: (median 0.054); the real pose pairs above: 0.074 and 0.056.  A photo moved or
#: tilted never reached both on one frame: the closest reached 0.93 of the two
#: thresholds at once (tilted ±30° about both axes).
TURN_PARALLAX = 0.04
#: ... and the face is not stretched as a picture tilted steeply in the hand is
#: (:func:`anisotropy`; ≈ cos θ for a picture tilted by θ; the real pose pairs:
#: 0.84 and 0.90; synthetic turns 0.87 and more).  At 0.75, one frame of a photo
#: turned 40° in front of a 70° lens (anisotropy 0.79) passed for a turn.
MIN_TURN_ANISOTROPY = 0.80

# 68-point indices (iBUG 300-W, 0-based).
JAW = np.arange(0, 17)
BROWS = np.arange(17, 27)
NOSE = np.arange(27, 36)
NOSE_LOWER = np.arange(30, 36)  # tip and nostrils: the most protruding points
RIGHT_EYE = np.arange(36, 42)   # image left (the person's right, unmirrored)
LEFT_EYE = np.arange(42, 48)
EYE_CORNERS = np.array([36, 39, 42, 45])
EYELIDS = np.array([37, 38, 40, 41, 43, 44, 46, 47])
MOUTH = np.arange(48, 68)
#: Points that a blink does not move, near the eyes: rectification anchors for
#: :func:`rectified_ear` (brows, nose, eye corners, outer lips; the jaw line is left
#: out: it is the least reliable part of dlib's 68 points, off by 10 px and more
#: on a tilted picture).
STILL_IN_BLINK = np.concatenate([BROWS, NOSE, EYE_CORNERS, np.arange(48, 60)])
#: Points that a head turn moves least against each other: anchors for :func:`nose_parallax`
#: (outline, brows, eye corners, mouth corners).
TURN_ANCHORS = np.concatenate([JAW, BROWS, EYE_CORNERS, np.array([48, 54])])
#: Outline pairs (image left, image right) whose midpoints and spans give the face's axis.
OUTLINE_PAIRS = ((0, 16), (1, 15), (2, 14))


# ---------------------------------------------------------------------------
# Landmarks

_PART_ORDER = ("chin", "left_eyebrow", "right_eyebrow", "nose_bridge", "nose_tip", "left_eye", "right_eye")


def points_from_parts(parts: dict) -> np.ndarray:
    """The (68, 2) float64 array of (x, y) px from ``face_recognition.face_landmarks``' dict.

    face_recognition groups the 68 points by feature (``chin`` 0-16, eyebrows
    17-26, ``nose_bridge`` 27-30, ``nose_tip`` 31-35, eyes 36-47) and lists each
    lip as a closed outline: ``top_lip`` = 48-54 then 64, 63, 62, 61, 60;
    ``bottom_lip`` = 54-59, 48 then 60, 67, 66, 65, 64.  This undoes that.

    :raises ValueError: a part is missing or has the wrong number of points.
    """
    points = [p for name in _PART_ORDER for p in parts[name]]
    top, bottom = list(parts["top_lip"]), list(parts["bottom_lip"])
    if len(points) != 48 or len(top) != 12 or len(bottom) != 12:
        raise ValueError("68-point landmarks expected")
    points += top[0:7] + bottom[1:6] + [top[11], top[10], top[9], top[8], top[7]] + [bottom[10], bottom[9], bottom[8]]
    return np.asarray(points, dtype=np.float64)


def face_landmarks(pixels: np.ndarray, boxes) -> list[np.ndarray]:
    """The 68 landmarks of each face box of ``pixels`` ((H, W, 3) uint8 RGB).

    ``boxes``: ``(top, right, bottom, left)`` px, as :func:`app.faces.services.detect_faces`
    returns them.  :returns: one (68, 2) float64 array of (x, y) px per box.
    Costs ~2-5 ms per face here (dlib's shape predictor, ``model="large"``).
    """
    from .services import _face_recognition

    if not boxes:
        return []
    fr = _face_recognition()
    return [points_from_parts(parts) for parts in fr.face_landmarks(pixels, face_locations=list(boxes), model="large")]


# ---------------------------------------------------------------------------
# Measures of one frame

def _eye_ratio(eye: np.ndarray) -> float:
    p1, p2, p3, p4, p5, p6 = eye
    width = np.linalg.norm(p1 - p4)
    if width <= 0:
        return 0.0
    return float((np.linalg.norm(p2 - p6) + np.linalg.norm(p3 - p5)) / (2.0 * width))


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes of ``points`` ((68, 2)), Soukupová & Čech (2016).

    Dimensionless: ≈ 0.25-0.35 with eyes open, below ≈ 0.2 during a blink.
    Unchanged by a similarity transform of the image.
    """
    return (_eye_ratio(points[RIGHT_EYE]) + _eye_ratio(points[LEFT_EYE])) / 2.0


def _axis(points: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(unit vector from the image-left outline to the image-right one, midpoint along it, half width)."""
    left = np.mean([points[a] for a, _b in OUTLINE_PAIRS], axis=0)
    right = np.mean([points[b] for _a, b in OUTLINE_PAIRS], axis=0)
    span = right - left
    width = float(np.linalg.norm(span))
    if width <= 0:
        raise ValueError("degenerate face outline")
    unit = span / width
    return unit, float((left + right) @ unit / 2.0), width / 2.0


def face_width(points: np.ndarray) -> float:
    """Width of the face in px: between the mean of outline points 0-2 and that of 14-16."""
    return 2.0 * _axis(points)[2]


def yaw_ratio(points: np.ndarray) -> float:
    """Head yaw from one frame's landmarks, in half face widths.

    The nose tip (point 30) projected on the axis joining the image-left and
    image-right face outline (points 0-2 and 14-16), relative to the outline's
    midpoint, divided by half the outline's width: 0 frontal, > 0 when the nose
    points to image right (the person's left in a raw, unmirrored frame).
    Invariant to a 2-D similarity (indeed any affine map) of the image.  For a
    real head, roughly 1.3·tan(yaw): ≈ 0.25 at 10°, 0.5 at 20°.
    """
    unit, middle, half = _axis(points)
    return float((points[30] @ unit - middle) / half)


# ---------------------------------------------------------------------------
# Homographies

def _normalising(points: np.ndarray) -> np.ndarray:
    """Hartley's normalisation: centroid to 0, mean distance √2."""
    centre = points.mean(axis=0)
    spread = np.sqrt(((points - centre) ** 2).sum(axis=1)).mean()
    scale = np.sqrt(2.0) / spread if spread > 0 else 1.0
    return np.array([[scale, 0, -scale * centre[0]], [0, scale, -scale * centre[1]], [0, 0, 1.0]])


def fit_homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 3×3 homography mapping ``source`` onto ``target`` ((N, 2), N ≥ 4) in least squares.

    Normalised direct linear transform (Hartley & Zisserman, "Multiple View
    Geometry", 2nd ed., algorithm 4.2).

    :raises ValueError: fewer than 4 points.
    """
    if len(source) < 4 or len(source) != len(target):
        raise ValueError("a homography needs 4 or more point pairs")
    t_src, t_dst = _normalising(source), _normalising(target)
    src = apply_homography(t_src, source)
    dst = apply_homography(t_dst, target)
    rows = []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([-x, -y, -1, 0, 0, 0, u * x, u * y, u])
        rows.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
    _u, _s, vt = np.linalg.svd(np.asarray(rows))
    h = vt[-1].reshape(3, 3)
    h = np.linalg.inv(t_dst) @ h @ t_src
    return h / h[2, 2] if abs(h[2, 2]) > 1e-12 else h


def fit_homography_robust(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """:func:`fit_homography`, refitted once without the pairs whose residual exceeds
    2.5× the median residual (at least 1.5 px): one misplaced landmark then cannot bend the fit."""
    h = fit_homography(source, target)
    residuals = np.linalg.norm(apply_homography(h, source) - target, axis=1)
    keep = residuals <= max(2.5 * float(np.median(residuals)), 1.5)
    if keep.sum() >= max(8, len(source) // 2) and not keep.all():
        h = fit_homography(source[keep], target[keep])
    return h


def apply_homography(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``points`` ((N, 2)) mapped by the 3×3 homography ``h``."""
    ones = np.ones((len(points), 1))
    mapped = np.hstack([points, ones]) @ h.T
    return mapped[:, :2] / mapped[:, 2:3]


# ---------------------------------------------------------------------------
# Measures against a reference frame

def rectified_ear(reference: np.ndarray, points: np.ndarray) -> float:
    """EAR of ``points`` after mapping them onto ``reference`` (both (68, 2)).

    The homography is fitted on :data:`STILL_IN_BLINK` (every point but the
    eyelids): a flat picture moved in any way is mapped back exactly, so its
    rectified EAR stays the reference's; a live blink still closes the lids.
    """
    h = fit_homography_robust(points[STILL_IN_BLINK], reference[STILL_IN_BLINK])
    return eye_aspect_ratio(apply_homography(h, points))


def nose_parallax(reference: np.ndarray, points: np.ndarray) -> float:
    """How far the nose moved against the rest of the face from ``reference`` to ``points``.

    The homography of :data:`TURN_ANCHORS` from the reference to this frame
    predicts where the lower nose (points 30-35) would be if the face were a
    flat picture; the mean offset of the actual points from that prediction,
    projected on this frame's outline axis, in face widths.  Signed like
    :func:`yaw_ratio` (> 0: towards image right).  ≈ 0 (landmark noise) for a
    flat picture however it is moved or tilted.
    """
    h = fit_homography_robust(reference[TURN_ANCHORS], points[TURN_ANCHORS])
    predicted = apply_homography(h, reference[NOSE_LOWER])
    unit, _middle, half = _axis(points)
    return float(((points[NOSE_LOWER] - predicted) @ unit).mean() / (2.0 * half))


def fit_affine(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2×3 affine map of ``source`` onto ``target`` ((N, 2), N ≥ 3) in least squares."""
    design = np.hstack([source, np.ones((len(source), 1))])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    return solution.T


def anisotropy(reference: np.ndarray, points: np.ndarray, anchors=None) -> float:
    """How unevenly the face was stretched from ``reference`` to ``points``: the ratio of the
    smaller to the larger singular value of the affine map fitted on ``anchors``.  1 for a
    similarity; ≈ cos θ for a flat picture tilted by θ."""
    anchors = STILL_IN_BLINK if anchors is None else anchors
    linear = fit_affine(reference[anchors], points[anchors])[:, :2]
    values = np.linalg.svd(linear, compute_uv=False)
    return float(values[1] / values[0]) if values[0] > 0 else 0.0


# ---------------------------------------------------------------------------
# The judge

@dataclass(frozen=True)
class Observation:
    """One frame of a burst as the judge sees it.

    ``index``: the frame's position in the burst as sent; ``offset_ms``:
    capture time relative to the moment the first step was shown (ms, as the
    tablet reports it; negative during the lead-in); ``faces``: number of faces
    found; ``points``: the (68, 2) landmarks of the face when exactly one was
    found, else None; ``box``: its ``(top, right, bottom, left)`` px box.
    """

    index: int
    offset_ms: int
    faces: int
    points: np.ndarray | None = field(default=None, repr=False, compare=False)
    box: tuple[int, int, int, int] | None = None


def observe(index: int, offset_ms: int, pixels: np.ndarray) -> Observation:
    """Detect the faces of one frame ((H, W, 3) uint8 RGB) and, when there is exactly one, its landmarks.

    Detection is :func:`app.faces.services.detect_faces` (HOG on a copy of at
    most 640 px, ~0.02-0.05 s here), landmarks :func:`face_landmarks`.
    """
    from .services import detect_faces

    boxes = detect_faces(pixels)
    if len(boxes) != 1:
        return Observation(index, offset_ms, len(boxes))
    return Observation(index, offset_ms, 1, face_landmarks(pixels, boxes)[0], tuple(boxes[0]))


@dataclass(frozen=True)
class Judgement:
    """The verdict on a burst.

    ``passed``; ``reason``: ``passed`` or why not — ``too_few_frames``,
    ``several_faces``, ``no_face`` (more than a quarter of the frames without
    a face), ``not_frontal`` (the face did not look at the camera before the
    first prompt), ``eyes_closed``, ``no_blink``, ``no_turn``,
    ``wrong_direction`` (turned the other way), ``flat`` (the picture turned but
    the nose did not move against the face: a photo tilted in the hand);
    ``step``: the index of the step that failed (None when passed or not about
    one step); ``reference``: the burst index of the reference frame;
    ``evidence``: per step, the burst index of the frame that showed it (blink:
    the most closed; turn: the first turned far enough) — the frames to
    identify the person on, with the reference; ``figures``: per step judged, the measures reached
    (blink: ``min_ratio``, the lowest rectified EAR ratio; turn: ``yaw`` and
    ``parallax`` towards the asked side), for logs and ``bench/liveness.py``.
    """

    passed: bool
    reason: str
    step: int | None = None
    reference: int | None = None
    evidence: tuple[int, ...] = ()
    figures: tuple[dict, ...] = ()

    @property
    def frames_used(self) -> tuple[int, ...]:
        """Burst indexes of the reference and evidence frames (no repeats, in that order)."""
        used = [self.reference] if self.reference is not None else []
        return tuple(dict.fromkeys(used + [i for i in self.evidence if i is not None]))


def _sign(step: str) -> float:
    """+1 when the step turns the nose towards image right (the person's left, unmirrored frame)."""
    return 1.0 if step == TURN_LEFT else -1.0


def _blink(reference: np.ndarray, window: list[Observation], after: list[Observation]):
    """(outcome, the most closed frame, figures) of a blink step.

    Only frames whose face is not stretched unevenly against the reference
    (:func:`anisotropy` ≥ :data:`MIN_BLINK_ANISOTROPY`) count as closed: a
    photo tilted back narrows its eyes and everything else with them.
    """
    base = eye_aspect_ratio(reference)
    ratios = [rectified_ear(reference, o.points) / base
              if anisotropy(reference, o.points) >= MIN_BLINK_ANISOTROPY else np.inf for o in window]
    finite = [r for r in ratios if np.isfinite(r)]
    if not finite:
        return "no_blink", None, {"min_ratio": None}
    low = int(np.argmin(ratios))
    figures = {"min_ratio": round(float(ratios[low]), 3)}
    if ratios[low] > BLINK_RATIO:
        return "no_blink", None, figures
    later = [rectified_ear(reference, o.points) / base for o in window[low + 1:] + after]
    if not any(r >= REOPEN_RATIO for r in later):
        return "no_blink", None, figures
    return "passed", window[low], figures


def _turn(step: str, reference: np.ndarray, window: list[Observation]):
    """(outcome, the first frame that shows the turn, figures) of a turn step.

    A frame shows the turn when its yaw moved by :data:`TURN_YAW` towards the
    asked side, its nose by :data:`TURN_PARALLAX` against the rest of the face
    the same way, and the face is not stretched like a steeply tilted picture
    (:func:`anisotropy` ≥ :data:`MIN_TURN_ANISOTROPY`).
    """
    sign = _sign(step)
    base_yaw = yaw_ratio(reference)
    yaws = [sign * (yaw_ratio(o.points) - base_yaw) for o in window]
    parallaxes = [sign * nose_parallax(reference, o.points) for o in window]
    evens = [anisotropy(reference, o.points) for o in window]
    if not yaws:
        return "no_turn", None, {"yaw": None, "parallax": None}
    shown = [i for i in range(len(window))
             if yaws[i] >= TURN_YAW and parallaxes[i] >= TURN_PARALLAX and evens[i] >= MIN_TURN_ANISOTROPY]
    best = shown[0] if shown else int(np.argmax(yaws))
    figures = {"yaw": round(float(yaws[best]), 3), "parallax": round(float(parallaxes[best]), 4),
               "anisotropy": round(float(evens[best]), 3)}
    if shown:
        return "passed", window[best], figures
    if max(yaws) >= TURN_YAW:
        return "flat", None, figures
    if min(yaws) <= -TURN_YAW and min(parallaxes) <= -TURN_PARALLAX:
        return "wrong_direction", None, figures
    return "no_turn", None, figures


def reference_frame(usable: list[Observation]) -> Observation:
    """The frame the others are compared with: of the lead-in frames (``offset_ms < 0``, filmed
    before the first prompt; without any, those of the first 250 ms; without any, the first),
    the most frontal (smallest ``|yaw_ratio|``) among those whose eyes are open at least 90 %
    as wide as the widest.  ``usable``: frames with one face, sorted by offset (not empty)."""
    lead = [o for o in usable if o.offset_ms < 0] or [o for o in usable if o.offset_ms < 250] or usable[:1]
    widest = max(eye_aspect_ratio(o.points) for o in lead)
    return min((o for o in lead if eye_aspect_ratio(o.points) >= 0.9 * widest), key=lambda o: abs(yaw_ratio(o.points)))


def judge(steps, observations, *, step_ms: int = STEP_MS, reaction_ms: int = REACTION_MS) -> Judgement:
    """Did the burst follow the challenge ``steps`` (a sequence of :data:`STEPS`)?

    ``observations``: one :class:`Observation` per frame (any order; sorted by
    ``offset_ms``).  Step ``k`` is shown from ``k·step_ms`` to ``(k+1)·step_ms``
    after the first prompt; its action is looked for in the frames of that
    window and up to ``reaction_ms`` after it (people react late), and only
    after the frame that showed the previous step: an action done in another
    step's time or out of order does not count (a blink when asked to turn, a
    turn before it was asked).

    The reference frame (:func:`reference_frame`) is the most frontal lead-in
    frame with open eyes, filmed before the first prompt.  Its face must look at the camera
    (``|yaw_ratio| ≤`` :data:`MAX_REFERENCE_YAW`) with open eyes (EAR ≥
    :data:`MIN_OPEN_EAR`).

    Refused before any step: any frame with several faces; more than a quarter
    of the frames without a face; fewer than :data:`MIN_FRAMES_PER_STEP` frames
    with a face per step.

    :returns: a :class:`Judgement`; never raises on what a burst contains.
    """
    steps = list(steps)
    frames = sorted(observations, key=lambda o: (o.offset_ms, o.index))
    if any(o.faces > 1 for o in frames):
        return Judgement(False, "several_faces")
    usable = [o for o in frames if o.faces == 1 and o.points is not None]
    if not usable or len(frames) - len(usable) > len(frames) // 4:
        return Judgement(False, "no_face")
    if len(usable) < MIN_FRAMES_PER_STEP * max(1, len(steps)):
        return Judgement(False, "too_few_frames")
    reference = reference_frame(usable)
    if abs(yaw_ratio(reference.points)) > MAX_REFERENCE_YAW:
        return Judgement(False, "not_frontal", reference=reference.index)
    if eye_aspect_ratio(reference.points) < MIN_OPEN_EAR:
        return Judgement(False, "eyes_closed", reference=reference.index)
    evidence, figures = [], []
    done_at = None  # offset of the frame that showed the previous step
    for k, step in enumerate(steps):
        start, end = k * step_ms, (k + 1) * step_ms + reaction_ms
        window = [o for o in usable if start <= o.offset_ms < end and (done_at is None or o.offset_ms > done_at)]
        if step == BLINK:
            after = [o for o in usable if end <= o.offset_ms < end + step_ms]
            outcome, chosen, figure = _blink(reference.points, window, after)
        else:
            outcome, chosen, figure = _turn(step, reference.points, window)
        figures.append(figure)
        if outcome != "passed":
            return Judgement(False, outcome, step=k, reference=reference.index, figures=tuple(figures))
        evidence.append(chosen.index)
        done_at = chosen.offset_ms
    return Judgement(True, "passed", reference=reference.index, evidence=tuple(evidence), figures=tuple(figures))
