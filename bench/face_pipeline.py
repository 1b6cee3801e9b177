#!/usr/bin/env python3
"""Identify one face in a 1280×720 frame: Hadir's pipeline against the naive one.

A benchmark, not a test (no assertions on time; figures only)::

    .venv/bin/python bench/face_pipeline.py            # ~1-3 minutes on the shared 2 cores
    .venv/bin/python bench/face_pipeline.py --quick    # fewer repetitions, ~1 minute

The two pipelines, timed alternately in the same run from the same decoded pixels:

- **ours**: :func:`app.faces.services.detect_faces` (HOG on a copy whose longest
  side is 640 px, no upsampling), :func:`~app.faces.services.encode_faces` on
  the original pixels, then :func:`~app.faces.services.decide` against a
  :class:`~app.faces.services.Gallery` (one BLAS product, exact re-check of
  the two nearest people; tolerance 0.55, margin 0.05).
- **naive**: ``face_recognition.face_locations`` (defaults: HOG, upsampled
  once) and ``face_encodings`` on the full frame, then a linear match
  (``face_recognition.face_distance`` over every encoding, the nearest one
  named when within the library's default tolerance 0.6).

The frame is ``probe/obama-480p.jpg`` (853×480) pasted unscaled in the middle of a
grey 1280×720 canvas: exactly one real face.  The galleries hold the 9 real
encodings of ``enroll/`` (5 people, encoded by each pipeline its own way) plus
synthetic people (3 samples each) drawn around the mean of the real encodings,
every synthetic sample kept at more than 0.7 from every real encoding (enrolled
and probe), like a stranger in the data README.  Sizes: 10, 1,000 and 100,000
encodings in all.

Printed: median and p95 (nearest rank) wall time in ms of one identification
per gallery size and the ratio naive/ours; matching alone (ours ``decide``
against the naive linear match); and the accuracy on the probe set for both
pipelines at every size: every probe face named correctly, and, enrolling
everyone but one person in turn, that person's faces never named.  Nothing
touches a database: the pure functions are called directly.

BLAS threads: ``--blas-threads`` (default 1) sets ``OPENBLAS_NUM_THREADS``
before numpy is imported (a sync gunicorn worker serves one request at a time;
on 2 shared cores a second BLAS thread only waits for a core).  ``0`` leaves
the environment as it is (OpenBLAS then uses every core).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "data" / "faces"
SIZES = (10, 1_000, 100_000)
NAIVE_TOLERANCE = 0.6  # face_recognition.compare_faces' default
SYNTHETIC_MIN_DISTANCE = 0.7


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (5 frames, 30/10 matches)")
    parser.add_argument("--repeat", type=int, default=None, help="identifications per pipeline and size (default 15)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="OPENBLAS_NUM_THREADS for this run (default 1; 0 keeps the environment)")
    parser.add_argument("--seed", type=int, default=4, help="seed of the synthetic encodings")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.blas_threads > 0:
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.blas_threads)

import json  # noqa: E402  (numpy must see OPENBLAS_NUM_THREADS first)

import numpy as np  # noqa: E402

sys.path.insert(0, str(ROOT))


def percentile(values, fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(fraction * len(ordered))) - 1))]


def timed(call) -> tuple[float, object]:
    """Wall time of one call in ms, and its result."""
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def load_pixels(path: Path) -> np.ndarray:
    """(H, W, 3) uint8 RGB pixels of a photo, through the app's checked decoder."""
    from app.faces.services import load_image

    return load_image(path.read_bytes()).pixels


def make_frame() -> np.ndarray:
    """(720, 1280, 3) uint8: ``probe/obama-480p.jpg`` pasted unscaled in the middle of a grey canvas."""
    from PIL import Image

    photo = Image.fromarray(load_pixels(FACES / "probe" / "obama-480p.jpg"))
    canvas = Image.new("RGB", (1280, 720), (128, 128, 128))
    canvas.paste(photo, ((1280 - photo.width) // 2, (720 - photo.height) // 2))
    return np.asarray(canvas)


class Ours:
    """Hadir's pipeline (``app.faces.services``)."""

    label = "ours"

    def __init__(self):
        from app.faces import services

        self.services = services

    def faces(self, pixels):
        """(128,) float64 encodings of the faces of ``pixels``."""
        return [face.encoding for face in self.services.find_faces(self.services.FaceImage(pixels, b"", "jpg"))]

    def gallery(self, user_ids, encodings):
        """A :class:`Gallery` of (N,) ids and (N, 128) encodings."""
        return self.services.Gallery.build(user_ids, encodings)

    def match(self, gallery, encoding):
        """The user id named for ``encoding``, or None (unknown or ambiguous)."""
        face = self.services.Face((0, 1, 1, 0), encoding)
        return self.services.decide(gallery, face, self.services.DEFAULT_TOLERANCE,
                                    self.services.DEFAULT_MARGIN).user_id

    def identify(self, pixels, gallery):
        """Detect, encode and match every face of ``pixels``: the ids named."""
        return [self.match(gallery, encoding) for encoding in self.faces(pixels)]


class Naive:
    """face_recognition's README recipe: full-frame detection and a linear match."""

    label = "naive"

    def __init__(self):
        from app.faces.services import _face_recognition

        self.fr = _face_recognition()

    def faces(self, pixels):
        """(128,) float64 encodings of the faces of ``pixels`` (defaults: HOG upsampled once)."""
        return self.fr.face_encodings(pixels, self.fr.face_locations(pixels))

    def gallery(self, user_ids, encodings):
        """(ids, (N, 128) float64 matrix), as a list of known encodings would be."""
        return np.asarray(user_ids), np.asarray(encodings, dtype=np.float64)

    def match(self, gallery, encoding):
        """The id of the nearest encoding if within 0.6, else None."""
        user_ids, matrix = gallery
        distances = self.fr.face_distance(matrix, encoding)
        best = int(np.argmin(distances))
        return int(user_ids[best]) if distances[best] <= NAIVE_TOLERANCE else None

    def identify(self, pixels, gallery):
        """Detect, encode and match every face of ``pixels``: the ids named."""
        return [self.match(gallery, encoding) for encoding in self.faces(pixels)]


def real_data(pipelines):
    """Encodings of the enrolment photos and of the probes, per pipeline.

    :returns: ``(people, enrolled, probes)``: people → user id (1..5);
        ``enrolled[label]`` = (ids, (9, 128) array); ``probes[label]`` =
        {file: [encodings]}.
    :raises RuntimeError: an enrolment photo without exactly one face.
    """
    people = {name: n + 1 for n, name in enumerate(sorted(p.name for p in (FACES / "enroll").iterdir()))}
    expected = json.loads((FACES / "probe" / "expected.json").read_text())
    enrolled, probes = {}, {}
    for pipeline in pipelines:
        ids, encodings = [], []
        for path in sorted((FACES / "enroll").glob("*/*")):
            faces = pipeline.faces(load_pixels(path))
            if len(faces) != 1:
                raise RuntimeError(f"{pipeline.label}: {len(faces)} faces in {path}")
            ids.append(people[path.parent.name])
            encodings.append(faces[0])
        enrolled[pipeline.label] = (np.array(ids), np.array(encodings))
        probes[pipeline.label] = {name: pipeline.faces(load_pixels(FACES / "probe" / name)) for name in expected}
    return people, expected, enrolled, probes


def synthetic(count: int, real: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """``count`` synthetic encodings, 3 per made-up person (ids from 1,000), all > 0.7 from every ``real`` row.

    People are drawn around the mean of ``real`` ((R, 128)) with σ = 0.056 per
    component (two people ≈ 0.9 apart, like two real strangers), their samples
    0.02 per component around the person; too-close samples are redrawn.
    """
    centre = real.mean(axis=0)
    people = -(-count // 3)
    anchors = centre + rng.normal(0, 0.056, size=(people, 128))
    ids = np.repeat(np.arange(people) + 1000, 3)[:count]
    encodings = anchors[ids - 1000] + rng.normal(0, 0.02, size=(count, 128))
    real_sq = (real ** 2).sum(axis=1)
    while True:
        nearest = np.sqrt(np.maximum(0, (encodings ** 2).sum(axis=1)[:, None] - 2 * encodings @ real.T
                                     + real_sq[None, :]).min(axis=1))
        close = np.flatnonzero(nearest <= SYNTHETIC_MIN_DISTANCE)
        if close.size == 0:
            return ids, encodings
        encodings[close] = centre + rng.normal(0, 0.056, size=(close.size, 128))


def accuracy(pipeline, gallery_of, people, expected, probe_faces) -> str:
    """``"ok"`` or what went wrong: all probe faces named right, a left-out person never named."""
    problems = []
    full = gallery_of(None)
    for name, persons in expected.items():
        named = sorted(str(pipeline.match(full, e)) for e in probe_faces[name])
        want = sorted(str(people[p]) for p in persons)
        if named != want:
            problems.append(f"{name}: named {named}, expected {want}")
    for left_out, left_id in people.items():
        partial = gallery_of(left_id)
        for name, persons in expected.items():
            named = sorted(str(pipeline.match(partial, e)) for e in probe_faces[name])
            want = sorted([str(people[p]) for p in persons if p != left_out] + ["None"] * persons.count(left_out))
            if named != want:
                problems.append(f"without {left_out}, {name}: named {named}, expected {want}")
    return "ok" if not problems else "; ".join(problems)


def main() -> None:
    """Build the data, time both pipelines at each gallery size and print the figures."""
    args = ARGS or _parse_args()
    frames = args.repeat or (5 if args.quick else 15)
    matches_ours, matches_naive = (30, 10) if args.quick else (200, 40)
    rng = np.random.default_rng(args.seed)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average before: {' '.join(load_before)}; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}; numpy {np.__version__}; "
          f"{os.cpu_count()} cores")

    ours, naive = Ours(), Naive()
    pipelines = (ours, naive)
    started = time.perf_counter()
    people, expected, enrolled, probes = real_data(pipelines)
    frame = make_frame()
    frame_faces = {p.label: len(p.faces(frame)) for p in pipelines}
    print(f"real data encoded in {time.perf_counter() - started:.1f} s: {len(people)} people, "
          f"{len(enrolled['ours'][0])} enrolment photos, {len(expected)} probes; faces found in the "
          f"1280x720 frame: ours {frame_faces['ours']}, naive {frame_faces['naive']}")
    probe_frame = np.asarray(probes["ours"]["obama-480p.jpg"][0])
    real_all = np.vstack([enrolled[p.label][1] for p in pipelines]
                         + [np.asarray(e) for p in pipelines for faces in probes[p.label].values() for e in faces])

    rows, match_rows, accuracy_rows = [], [], []
    for size in SIZES:
        extra_ids, extra = synthetic(size - len(enrolled["ours"][0]), real_all, rng)
        galleries = {}
        for pipeline in pipelines:
            ids = np.concatenate([enrolled[pipeline.label][0], extra_ids])
            encodings = np.vstack([enrolled[pipeline.label][1], extra])
            galleries[pipeline.label] = pipeline.gallery(ids, encodings)

            def gallery_of(left_out, ids=ids, encodings=encodings, pipeline=pipeline):
                keep = ids != left_out
                return pipeline.gallery(ids[keep], encodings[keep])

            accuracy_rows.append((size, pipeline.label,
                                  accuracy(pipeline, gallery_of, people, expected, probes[pipeline.label])))
        build_ms = min(timed(lambda: ours.gallery(np.concatenate([enrolled["ours"][0], extra_ids]),
                                                  np.vstack([enrolled["ours"][1], extra])))[0] for _ in range(3))

        # Whole identification, ours and naive alternately (the first of each run is a warm-up).
        times = {"ours": [], "naive": []}
        named = {"ours": set(), "naive": set()}
        for n in range(frames + 1):
            order = pipelines if n % 2 == 0 else pipelines[::-1]
            for pipeline in order:
                elapsed, result = timed(lambda: pipeline.identify(frame, galleries[pipeline.label]))
                named[pipeline.label].add(tuple(result))
                if n:
                    times[pipeline.label].append(elapsed)
        rows.append((size, times, named))

        # Matching only: one probe encoding (obama in the frame) against the gallery.
        matching = {}
        for pipeline, count in ((ours, matches_ours), (naive, matches_naive)):
            samples = [timed(lambda: pipeline.match(galleries[pipeline.label], probe_frame))[0]
                       for _ in range(count + 1)][1:]
            matching[pipeline.label] = samples
        per_person = [timed(lambda: galleries["ours"].person_distances(probe_frame))[0]
                      for _ in range(min(matches_ours, 50) + 1)][1:]
        match_rows.append((size, matching, per_person, build_ms))
        print(f"  size {size:,} done ({time.perf_counter() - started:.0f} s)", flush=True)

    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print()
    print(f"1. Identify one face in a 1280x720 frame ({frames} runs per pipeline and size, alternating; ms)")
    print("| gallery size | ours median / p95 | naive median / p95 | ratio (naive / ours, medians) | named |")
    print("|---:|---:|---:|---:|---|")
    for size, times, named in rows:
        o, v = times["ours"], times["naive"]
        print(f"| {size:,} | {statistics.median(o):.0f} / {percentile(o, .95):.0f} | "
              f"{statistics.median(v):.0f} / {percentile(v, .95):.0f} | "
              f"{statistics.median(v) / statistics.median(o):.2f}x | "
              f"ours {sorted(named['ours'])}, naive {sorted(named['naive'])} |")
    print()
    print(f"2. Matching only, one encoding against the gallery (ours decide(): {matches_ours} runs; "
          f"naive face_distance + argmin: {matches_naive} runs; ms)")
    print("| gallery size | ours median / p95 | naive median / p95 | ratio | ours person_distances() (all P) median |"
          " Gallery.build |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, matching, per_person, build_ms in match_rows:
        o, v = matching["ours"], matching["naive"]
        print(f"| {size:,} | {statistics.median(o):.3f} / {percentile(o, .95):.3f} | "
              f"{statistics.median(v):.3f} / {percentile(v, .95):.3f} | "
              f"{statistics.median(v) / statistics.median(o):.1f}x | {statistics.median(per_person):.3f} | "
              f"{build_ms:.1f} |")
    print()
    print("3. Accuracy on the probe set (every face named right; each person left out in turn never named)")
    for size, label, verdict in accuracy_rows:
        print(f"   {size:>7,} {label:5}: {verdict}")
    print()
    print(f"load average before / after: {' '.join(load_before)} / {' '.join(load_after)}; "
          f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
