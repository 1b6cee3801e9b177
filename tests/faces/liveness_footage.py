"""Synthetic camera footage for the liveness tests and ``bench/liveness.py``, made from the shared photos.

No video of a live person travels with the repository, so bursts are built
from the still enrolment photos (``../shared/data/faces/enroll``):

- :func:`camera_still` crops a photo around its face to a 640×480 "camera
  frame" (face about 40 % of the width, as a person standing at a kiosk);
- **positives**: the eye region warped closed (:func:`close_eyes`, the upper
  lid pulled down onto the lower one) in a short blink, and the head turned
  (:func:`turn_head`, a non-rigid warp that moves the nose, eyes and mouth
  sideways while the outline stays, as a yaw does);
- **negatives**: the photo as it is, repeated; the photo moved as a whole
  (shifted, rotated, scaled: :func:`similarity`) or tilted in perspective like
  a printed photo turned in front of the camera (:func:`tilt`); and footage
  that does not follow the challenge (a blink when asked to turn, a turn the
  wrong way).

Every frame also gets what a real camera adds (:func:`camera_noise`): a small
sway of the whole picture, sensor noise and the tablet's JPEG compression
(quality 85), from a seeded generator, so a burst is reproducible.

:func:`burst` lays out frames like the tablet does: a lead-in of
:data:`LEAD_MS` before the first prompt, then one frame every
:data:`app.faces.liveness.FRAME_INTERVAL_MS` through every step.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from app.faces import liveness
from app.faces import services

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
ENROLL = FACES / "enroll"
#: Size of a camera frame (width, height) in px.
FRAME_SIZE = (640, 480)
#: Share of the frame's width taken by the face box.
FACE_SHARE = 0.40
#: Time the tablet films before showing the first step (ms); those frames give the reference.
LEAD_MS = liveness.LEAD_MS
#: Focal length of the simulated camera in px: a 640 px frame over ~70°, a tablet's wide front
#: camera (the wider the lens, the stronger the perspective of a picture tilted close to it).
FOCAL_PX = 450.0


def enrolment_photos() -> list[Path]:
    """Every photo of ``enroll/``, sorted (9 photos of 5 people)."""
    return sorted(p for p in ENROLL.glob("*/*") if p.is_file())


# ---------------------------------------------------------------------------
# Sampling

def remap(pixels: np.ndarray, source_x: np.ndarray, source_y: np.ndarray) -> np.ndarray:
    """Bilinear sampling: output pixel (y, x) takes ``pixels`` at (``source_y[y, x]``, ``source_x[y, x]``).

    Coordinates outside the image repeat its edge (a camera sees a wall, not black).
    """
    height, width = pixels.shape[:2]
    x = np.clip(source_x, 0, width - 1.001)
    y = np.clip(source_y, 0, height - 1.001)
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    image = pixels.astype(np.float32)
    top = image[y0, x0] * (1 - fx) + image[y0, x0 + 1] * fx
    bottom = image[y0 + 1, x0] * (1 - fx) + image[y0 + 1, x0 + 1] * fx
    return np.clip(top * (1 - fy) + bottom * fy + 0.5, 0, 255).astype(np.uint8)


def _grid(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    height, width = pixels.shape[:2]
    return np.meshgrid(np.arange(width, dtype=np.float64), np.arange(height, dtype=np.float64))


#: Edge added around a picture before it is warped, so that what comes into view repeats its edges.
_PAD_PX = 160


def _warp_into(pixels: np.ndarray, h: np.ndarray, size) -> np.ndarray:
    """``pixels`` moved by ``h`` into a frame of ``size`` (width, height), edges repeated."""
    padded = np.pad(pixels, ((_PAD_PX, _PAD_PX), (_PAD_PX, _PAD_PX), (0, 0)), mode="edge")
    shift = np.array([[1, 0, _PAD_PX], [0, 1, _PAD_PX], [0, 0, 1.0]])
    inverse = shift @ np.linalg.inv(h)
    inverse = inverse / inverse[2, 2]
    return np.asarray(Image.fromarray(padded).transform(tuple(size), Image.Transform.PERSPECTIVE,
                                                        tuple(inverse.ravel()[:8]),
                                                        resample=Image.Resampling.BILINEAR))


def warp_homography(pixels: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``pixels`` moved by the homography ``h`` (output point = h · input point), bilinear
    (Pillow's perspective transform); the picture's edges repeat where the warp uncovers the frame."""
    return _warp_into(pixels, h, (pixels.shape[1], pixels.shape[0]))


# ---------------------------------------------------------------------------
# The still and its landmarks

@dataclass(frozen=True)
class Still:
    """A camera frame made from a photo: ``pixels`` (480, 640, 3) uint8 and the face's ``points`` (68, 2)."""

    name: str
    pixels: np.ndarray
    points: np.ndarray

    @property
    def width(self) -> float:
        """Face width in px (outline to outline)."""
        return liveness.face_width(self.points)


_stills: dict[Path, Still] = {}



def camera_still(path: Path) -> Still:
    """The photo at ``path`` cropped around its (single, largest) face to a 640×480 frame.

    The face box takes :data:`FACE_SHARE` of the width, centred, a little above
    the middle; the photo's edges repeat where the crop runs past them.
    Memoised per path.
    """
    path = Path(path)
    if path in _stills:
        return _stills[path]
    image = services.load_image(path.read_bytes())
    boxes = services.detect_faces(image.pixels)
    if not boxes:
        raise ValueError(f"no face in {path}")
    top, right, bottom, left = max(boxes, key=lambda b: (b[1] - b[3]) * (b[2] - b[0]))
    scale = FACE_SHARE * FRAME_SIZE[0] / (right - left)
    centre_x, centre_y = (left + right) / 2.0, (top + bottom) / 2.0
    # output (u, v) ← photo ((u - W/2) / scale + cx, (v - 0.45 H) / scale + cy)
    h = np.array([[scale, 0, FRAME_SIZE[0] / 2 - scale * centre_x],
                  [0, scale, 0.45 * FRAME_SIZE[1] - scale * centre_y], [0, 0, 1.0]])
    pixels = _warp_into(image.pixels, h, FRAME_SIZE)
    found = services.detect_faces(pixels)
    if len(found) != 1:
        raise ValueError(f"{len(found)} faces in the camera still of {path}")
    (points,) = liveness.face_landmarks(pixels, found)
    still = Still(f"{path.parent.name}/{path.name}", pixels, points)
    _stills[path] = still
    return still


# ---------------------------------------------------------------------------
# Positives: non-rigid warps of the face

def _smooth_window(t: np.ndarray, inner: float, outer: float) -> np.ndarray:
    """1 for |t| ≤ inner, 0 for |t| ≥ outer, a smoothstep in between."""
    a = np.clip((outer - np.abs(t)) / max(outer - inner, 1e-9), 0.0, 1.0)
    return a * a * (3 - 2 * a)


def _lid_curve(points: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """y of the polyline ``points`` ((k, 2), sorted by x) at each of ``xs``."""
    order = np.argsort(points[:, 0])
    return np.interp(xs, points[order, 0], points[order, 1])


#: The lid's dark edge (lashes) starts this many px above the upper-lid landmarks.
LASH_ABOVE_PX = 3
#: Skin is painted from this many px above the upper-lid landmarks (covers the rim the lid leaves).
PAINT_ABOVE_PX = 5
#: A closed lid's lashes are seen from the front, denser than an open lid's edge: darkened.
LASH_SHADE = 0.6


def close_eyes(still: Still, amount: float) -> np.ndarray:
    """``still``'s eyes closed by ``amount`` (0 open … 1 shut), as an upper lid coming down.

    In every column of each eye, the lid's edge — the dark band of lashes,
    from 4 px above to 1 px below the upper-lid landmarks 37-38 / 43-44 — is
    moved down by ``amount`` of the eye's opening (to 2 px below the lower-lid
    landmarks 40-41 / 46-47 when shut), and the eye it uncovers above is
    painted with the lid's skin (per column, the median colour of the
    skin halfway up to the brow and just under the lower lid, 5 columns wide); the painted region's edges are softened.  The lower lid
    and everything outside the eyes stay.  The lid closes fully over the middle
    of the eye and less towards its corners.
    """
    from PIL import ImageFilter

    pixels, points = still.pixels, still.points
    if amount <= 0:
        return pixels
    image = pixels.astype(np.float32)
    out = image.copy()
    mask = np.zeros(pixels.shape[:2], dtype=np.float32)
    for eye in (liveness.RIGHT_EYE, liveness.LEFT_EYE):
        p = points[eye]
        x_from, x_to = int(np.floor(p[0, 0])) - 2, int(np.ceil(p[3, 0])) + 2
        columns = np.arange(x_from, x_to + 1)
        upper = _lid_curve(p[[0, 1, 2, 3]], columns)
        lower = _lid_curve(p[[0, 5, 4, 3]], columns)
        centre, half = (p[0, 0] + p[3, 0]) / 2.0, (p[3, 0] - p[0, 0]) / 2.0 + 2.0
        brow = points[liveness.BROWS[:5] if eye[0] == liveness.RIGHT_EYE[0] else liveness.BROWS[5:]]
        brow_y = _lid_curve(brow, columns)
        skin = []
        for x, top, bottom, above in zip(columns, upper, lower, brow_y):
            middle = int(round((above + top) / 2.0))
            patch = np.concatenate([image[middle - 2:middle + 3, max(0, x - 2):x + 3].reshape(-1, 3),
                                    image[int(bottom) + 5:int(bottom) + 10, max(0, x - 2):x + 3].reshape(-1, 3)])
            skin.append(np.median(patch, axis=0))
        skin = np.array(skin)
        for i, (x, top, bottom) in enumerate(zip(columns, upper, lower)):
            weight = float(_smooth_window(np.array(x - centre), 0.7 * half, half))
            lashes = image[int(round(top)) - LASH_ABOVE_PX:int(round(top)) + 2, x]  # the lid's dark edge
            paint_from = int(round(top)) - PAINT_ABOVE_PX
            # the edge's top row goes from where it is (amount 0) to just over the lower lid (amount 1)
            closed_at = bottom - 1.0
            edge = int(round(top - LASH_ABOVE_PX + amount * weight * (closed_at - (top - LASH_ABOVE_PX))))
            if edge <= int(round(top)) - LASH_ABOVE_PX:
                continue
            # from the colour just above (no seam) to the skin's colour over the lid's upper third
            above = image[paint_from - 2:paint_from, max(0, x - 1):x + 2].reshape(-1, 3).mean(axis=0)
            rows = np.arange(paint_from, edge)
            t = np.clip((rows - paint_from) / max((edge - paint_from) / 3.0, 1.0), 0.0, 1.0)[:, None]
            out[paint_from:edge, x] = above * (1 - t) + skin[i] * t
            out[edge:edge + len(lashes), x] = lashes * LASH_SHADE
            mask[paint_from:edge + len(lashes), x] = 1.0
    soft = np.asarray(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7)),
                      dtype=np.float32)
    weight = np.asarray(Image.fromarray((mask * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(3))
                        .filter(ImageFilter.GaussianBlur(1.0)), dtype=np.float32)[..., None] / 255.0
    return np.clip(out * (1 - weight) + soft * weight + 0.5, 0, 255).astype(np.uint8)


def turn_head(still: Still, amount: float) -> np.ndarray:
    """``still``'s head turned: the nose moved sideways by ``amount`` face widths (> 0 towards
    image right, the person's left), the eyes and mouth by about half as much, the outline not at
    all — what a yaw of a few degrees does to a face, which no flat picture can do.

    A Gaussian displacement field centred between the nose tip and the nose bridge, σ = 0.26 face
    widths: 1 at the nose, ≈ 0.6 at the eyes and mouth, ≈ 0.1 at the outline.
    """
    pixels, points = still.pixels, still.points
    if amount == 0:
        return pixels
    width = still.width
    centre = (points[30] + points[28]) / 2.0
    sigma = 0.26 * width
    reach = 3.5 * sigma  # the field is below 0.2 % of its peak beyond
    height_px, width_px = pixels.shape[:2]
    x0, x1 = max(0, int(centre[0] - reach)), min(width_px, int(centre[0] + reach) + 1)
    y0, y1 = max(0, int(centre[1] - reach)), min(height_px, int(centre[1] + reach) + 1)
    xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
    bump = np.exp(-(((xs - centre[0]) ** 2 + (ys - centre[1]) ** 2) / (2 * sigma * sigma)))
    out = pixels.copy()
    out[y0:y1, x0:x1] = remap(pixels, xs - amount * width * bump, ys)
    return out


# ---------------------------------------------------------------------------
# Negatives: the picture moved as a whole

def similarity(pixels: np.ndarray, shift=(0.0, 0.0), angle_deg: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """``pixels`` shifted by ``shift`` px, rotated by ``angle_deg`` and scaled by ``scale`` about its centre."""
    height, width = pixels.shape[:2]
    c, s = math.cos(math.radians(angle_deg)) * scale, math.sin(math.radians(angle_deg)) * scale
    cx, cy = width / 2.0, height / 2.0
    h = np.array([[c, -s, cx - c * cx + s * cy + shift[0]], [s, c, cy - s * cx - c * cy + shift[1]], [0, 0, 1.0]])
    return warp_homography(pixels, h)


def tilt_homography(size, yaw_deg: float = 0.0, pitch_deg: float = 0.0) -> np.ndarray:
    """The homography of a flat picture filling the frame turned by ``yaw_deg`` about its vertical
    axis and ``pitch_deg`` about its horizontal axis in front of a pinhole camera (focal
    :data:`FOCAL_PX`), as a printed photo turned in the hand."""
    width, height = size
    cx, cy = width / 2.0, height / 2.0
    a, b = math.radians(yaw_deg), math.radians(pitch_deg)
    rotation_y = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rotation_x = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    rotation = rotation_x @ rotation_y
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    moved = []
    for u, v in corners:
        point = rotation @ np.array([u - cx, v - cy, 0.0]) + np.array([0, 0, FOCAL_PX])
        moved.append([FOCAL_PX * point[0] / point[2] + cx, FOCAL_PX * point[1] / point[2] + cy])
    return liveness.fit_homography(corners, np.asarray(moved))


def tilt(pixels: np.ndarray, yaw_deg: float = 0.0, pitch_deg: float = 0.0) -> np.ndarray:
    """``pixels`` as a flat picture tilted in perspective (:func:`tilt_homography`)."""
    return warp_homography(pixels, tilt_homography((pixels.shape[1], pixels.shape[0]), yaw_deg, pitch_deg))


# ---------------------------------------------------------------------------
# The camera

def camera_noise(pixels: np.ndarray, rng: np.random.Generator, *, sway_px: float = 1.5, noise: float = 2.0,
                 quality: int = 85) -> bytes:
    """What a tablet sends of ``pixels``: shifted by a few whole pixels (a person never stands
    quite still; σ = ``sway_px``), sensor noise (σ = ``noise`` grey levels), JPEG at ``quality``.
    Returns the JPEG bytes."""
    if sway_px:
        dx, dy = (int(v) for v in np.clip(np.round(rng.normal(0, sway_px, 2)), -6, 6))
        padded = np.pad(pixels, ((6, 6), (6, 6), (0, 0)), mode="edge")
        pixels = padded[6 - dy:6 - dy + pixels.shape[0], 6 - dx:6 - dx + pixels.shape[1]]
    if noise:
        pixels = np.clip(pixels.astype(np.float32) + rng.normal(0, noise, pixels.shape).astype(np.float32),
                         0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Bursts

def offsets(steps: int) -> list[int]:
    """Capture offsets (ms since the first prompt) of a burst of ``steps`` steps, lead-in included."""
    end = steps * liveness.STEP_MS
    return list(range(-LEAD_MS, end, liveness.FRAME_INTERVAL_MS))


#: Eye closure at each frame of a blink (one frame every 125 ms: ~375 ms mostly shut).
BLINK_PROFILE = (0.5, 1.0, 1.0, 0.5)
#: Reaction time before a prompted action starts (ms).
REACTION_MS = 400
#: Time to turn the head fully (ms).
TURN_MS = 500
#: How far a synthetic head turn moves the nose, in face widths (:func:`turn_head`): a gentle
#: turn — the yaw ratio moves by ~0.2-0.35, where the two real photos of Barack Obama and of
#: Kit Harington, in different poses, differ by ~0.5.
TURN = 0.15


def performance(steps, *, turn: float = TURN, actions=None):
    """What a live person does for a challenge: a function ``offset_ms → (eyes closed 0..1, turn)``.

    ``actions``: the actions actually done in each step's time (defaults to
    ``steps``: following the challenge); e.g. ``["turn_left", "blink"]`` for a
    person who turns when asked to blink.  A turn is ``turn`` face widths of
    nose movement (:func:`turn_head`), reached in :data:`TURN_MS` after a
    :data:`REACTION_MS` reaction, held to the step's end, then the head comes back.
    """
    actions = list(steps if actions is None else actions)
    interval = liveness.FRAME_INTERVAL_MS

    def at(offset: int) -> tuple[float, float]:
        closed, turned = 0.0, 0.0
        for k, action in enumerate(actions):
            start = k * liveness.STEP_MS + REACTION_MS
            if action == liveness.BLINK and offset >= start:
                frame = (offset - start) // interval
                if frame < len(BLINK_PROFILE):
                    closed = max(closed, BLINK_PROFILE[frame])
            elif action in (liveness.TURN_LEFT, liveness.TURN_RIGHT) and offset >= start:
                sign = 1.0 if action == liveness.TURN_LEFT else -1.0
                end = (k + 1) * liveness.STEP_MS
                if offset < end:
                    turned = sign * turn * min(1.0, (offset - start + interval) / TURN_MS)
                elif offset < end + TURN_MS:
                    turned = sign * turn * max(0.0, 1.0 - (offset - end + interval) / TURN_MS)
        return closed, turned

    return at


_live_frames: dict[tuple, np.ndarray] = {}


def live_frame(still: Still, closed: float, turned: float) -> np.ndarray:
    """``still`` with its eyes ``closed`` (0..1) and its head ``turned`` (face widths); memoised."""
    key = (still.name, round(closed, 3), round(turned, 4))
    if key not in _live_frames:
        pixels = still.pixels
        if closed > 0:
            pixels = close_eyes(still, closed)
        if turned != 0:
            pixels = turn_head(Still(still.name, pixels, still.points), turned)
        if len(_live_frames) > 2000:
            _live_frames.clear()
        _live_frames[key] = pixels
    return _live_frames[key]


def burst(frame_at, steps: int, *, seed: int = 0, **noise) -> list[tuple[int, bytes]]:
    """A burst as the tablet sends it: ``(offset_ms, JPEG bytes)`` for every offset of
    :func:`offsets`; ``frame_at(offset_ms)`` gives the pixels at that time."""
    rng = np.random.default_rng(seed)
    return [(offset, camera_noise(frame_at(offset), rng, **noise)) for offset in offsets(steps)]


def live_burst(still: Still, steps, *, seed: int = 0, **kwargs) -> list[tuple[int, bytes]]:
    """A live person following (or, with ``actions=``, not following) ``steps``: see :func:`performance`."""
    act = performance(steps, **kwargs)
    return burst(lambda offset: live_frame(still, *act(offset)), len(steps), seed=seed)


def static_burst(still: Still, steps, *, seed: int = 0) -> list[tuple[int, bytes]]:
    """The photo held still in front of the camera."""
    return burst(lambda offset: still.pixels, len(steps), seed=seed)


def moved_burst(still: Still, steps, *, kind: str, seed: int = 0) -> list[tuple[int, bytes]]:
    """The photo moved as a whole through the burst, smoothly (a sine over its length).

    ``kind``: ``shift`` (±60 px sideways, ±25 px up), ``rotate`` (±15°),
    ``scale`` (0.8-1.25), ``tilt_yaw`` (turned ±40° about its vertical axis),
    ``tilt_pitch`` (±40° about its horizontal axis: the eyes narrow as in a
    blink), ``tilt_both`` (±30° both ways) or ``wave`` (all at once).
    """
    total = len(steps) * liveness.STEP_MS + LEAD_MS

    def frame_at(offset: int) -> np.ndarray:
        phase = math.sin(2 * math.pi * (offset + LEAD_MS) / total)
        wobble = math.sin(4 * math.pi * (offset + LEAD_MS) / total)
        pixels = still.pixels
        if kind == "shift":
            return similarity(pixels, shift=(60 * phase, 25 * wobble))
        if kind == "rotate":
            return similarity(pixels, angle_deg=15 * phase)
        if kind == "scale":
            return similarity(pixels, scale=1.0 + (0.25 if phase > 0 else 0.2) * phase)
        if kind == "tilt_yaw":
            return tilt(pixels, yaw_deg=40 * phase)
        if kind == "tilt_pitch":
            return tilt(pixels, pitch_deg=40 * abs(phase))
        if kind == "tilt_both":
            return tilt(pixels, yaw_deg=30 * phase, pitch_deg=30 * wobble)
        if kind == "wave":
            moved = similarity(pixels, shift=(40 * phase, 15 * wobble), angle_deg=10 * wobble, scale=1 + 0.1 * phase)
            return tilt(moved, yaw_deg=30 * phase, pitch_deg=20 * abs(wobble))
        raise ValueError(kind)

    return burst(frame_at, len(steps), seed=seed)


#: Kinds of :func:`moved_burst`.
MOVES = ("shift", "rotate", "scale", "tilt_yaw", "tilt_pitch", "tilt_both", "wave")


# ---------------------------------------------------------------------------
# Analysis (what the server does with a burst, without the database)

def observe(frames) -> list[liveness.Observation]:
    """The judge's view of ``frames`` (``(offset_ms, JPEG bytes)``): :func:`app.faces.liveness.observe` per frame."""
    return [liveness.observe(index, offset, services.load_image(data).pixels)
            for index, (offset, data) in enumerate(frames)]


_bursts: dict[tuple, list] = {}


def cached_burst(kind: str, photo: str, steps, **kwargs) -> list[tuple[int, bytes]]:
    """A burst made once per process and kept: ``kind`` ``live`` (:func:`live_burst`),
    ``static`` or a :data:`MOVES` kind (:func:`moved_burst`); ``photo`` relative to ``enroll/``
    (e.g. ``obama/obama.jpg``).  For tests that send the same footage several times."""
    key = (kind, photo, tuple(steps), tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                                   for k, v in kwargs.items())))
    if key not in _bursts:
        still = camera_still(ENROLL / photo)
        if kind == "live":
            _bursts[key] = live_burst(still, steps, **kwargs)
        elif kind == "static":
            _bursts[key] = static_burst(still, steps, **kwargs)
        else:
            _bursts[key] = moved_burst(still, steps, kind=kind, **kwargs)
    return _bursts[key]


_observed: dict[tuple, list] = {}


def cached_observations(kind: str, photo: str, steps, **kwargs) -> list[liveness.Observation]:
    """:func:`observe` of :func:`cached_burst`, kept per process as well."""
    key = (kind, photo, tuple(steps), tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                                   for k, v in kwargs.items())))
    if key not in _observed:
        _observed[key] = observe(cached_burst(kind, photo, steps, **kwargs))
    return _observed[key]
