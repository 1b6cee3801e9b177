#!/usr/bin/env python3
"""Liveness figures: false accepts and false rejects of :func:`app.faces.liveness.judge`.

A benchmark, not a test (no assertions): ``.venv/bin/python bench/liveness.py``
(5-15 minutes on this shared machine; ``--photos N`` for the first N photos
only).  Footage is synthetic, built from every shared enrolment photo by
``tests/faces/liveness_footage.py`` (see its docstring): per photo,

- **live** footage: a person doing blink-then-turn-left, blink-then-turn-right,
  turn-left-then-blink, turn-right-then-blink, blinking twice, and turning left
  then right;
- **static**: the photo held still;
- **moved**: the photo moved as a whole — shifted, rotated, scaled, tilted in
  perspective about either axis or both, and all at once (``MOVES``).

Every footage is judged against each of the four challenges (one blink and one
turn, in either order).  A **false reject** is live footage refused by the
challenge it follows; a **false accept** is any other pair accepted (a photo,
or a live person not doing what was asked).  The figures printed are counts
and rates per kind of footage, the reasons given, and the margins of each
measure against its threshold (how close the negatives came), from which the
thresholds in :mod:`app.faces.liveness` were chosen.  The machine's load
average is printed before and after: the timings (per frame: detection and
landmarks) grow with it; the verdicts do not.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHALLENGES = (("blink", "turn_left"), ("blink", "turn_right"), ("turn_left", "blink"), ("turn_right", "blink"))
LIVE_ACTIONS = CHALLENGES + (("blink", "blink"), ("turn_left", "turn_right"))


def signals(observations) -> dict:
    """The best value each measure reached over a burst, against the judge's reference frame.

    ``blink``: lowest rectified EAR ratio (frames stretched unevenly left out, as the
    judge does); ``turn_left`` / ``turn_right``: over the frames the judge would
    accept as not steeply tilted, the largest margin min(yaw / TURN_YAW,
    parallax / TURN_PARALLAX) towards that side (≥ 1: the turn is seen), with the
    yaw and parallax of that frame.
    """
    from app.faces import liveness as L

    usable = sorted((o for o in observations if o.points is not None), key=lambda o: o.offset_ms)
    if not usable:
        return {}
    reference = L.reference_frame(usable).points
    base_ear, base_yaw = L.eye_aspect_ratio(reference), L.yaw_ratio(reference)
    out = {"blink": min((L.rectified_ear(reference, o.points) / base_ear for o in usable
                         if L.anisotropy(reference, o.points) >= L.MIN_BLINK_ANISOTROPY), default=None)}
    for step in (L.TURN_LEFT, L.TURN_RIGHT):
        sign = 1.0 if step == L.TURN_LEFT else -1.0
        best = None
        for o in usable:
            if L.anisotropy(reference, o.points) < L.MIN_TURN_ANISOTROPY:
                continue
            yaw = sign * (L.yaw_ratio(o.points) - base_yaw)
            parallax = sign * L.nose_parallax(reference, o.points)
            margin = min(yaw / L.TURN_YAW, parallax / L.TURN_PARALLAX)
            if best is None or margin > best[0]:
                best = (margin, yaw, parallax)
        out[step] = best
    return out


def evidence_distances(frames, observations, judgement) -> list[float]:
    """Descriptor distance from the reference frame's face to each evidence frame's face."""
    from app.faces import services

    def encoding(index):
        pixels = services.load_image(frames[index][1]).pixels
        return services.encode_faces(pixels, [observations[index].box])[0].encoding

    reference = encoding(judgement.reference)
    return [float(np.linalg.norm(encoding(i) - reference)) for i in judgement.evidence]


def spread(values) -> str:
    """``min / median / max`` of ``values`` (or ``-``)."""
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=0, help="only the first N enrolment photos (default: all)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the camera noise")
    parser.add_argument("--turn", type=float, default=0.15, help="synthetic head turn, in face widths of nose movement")
    args = parser.parse_args()

    from app.faces import liveness as L
    from app.faces.services import DEFAULT_TOLERANCE
    from tests.faces import liveness_footage as F

    photos = F.enrolment_photos()
    if args.photos:
        photos = photos[:args.photos]
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"thresholds: BLINK_RATIO={L.BLINK_RATIO} REOPEN_RATIO={L.REOPEN_RATIO} "
          f"MIN_BLINK_ANISOTROPY={L.MIN_BLINK_ANISOTROPY} TURN_YAW={L.TURN_YAW} TURN_PARALLAX={L.TURN_PARALLAX} "
          f"MIN_TURN_ANISOTROPY={L.MIN_TURN_ANISOTROPY} MAX_REFERENCE_YAW={L.MAX_REFERENCE_YAW}")
    print(f"footage: {len(photos)} photos, synthetic turn {args.turn} face widths, "
          f"{len(F.offsets(2))} frames per burst ({F.LEAD_MS} ms lead-in, one every {L.FRAME_INTERVAL_MS} ms)\n")

    print("real poses: the two enrolment photos of one person, one as the reference, the other as the frame")
    by_person = defaultdict(list)
    for path in photos:
        by_person[path.parent.name].append(F.camera_still(path))
    for person, stills in sorted(by_person.items()):
        if len(stills) == 2:
            a, b = stills
            print(f"  {person:16s} yaw {L.yaw_ratio(a.points):+.2f} -> {L.yaw_ratio(b.points):+.2f}: change "
                  f"{L.yaw_ratio(b.points) - L.yaw_ratio(a.points):+.3f}, parallax {L.nose_parallax(a.points, b.points):+.4f},"
                  f" anisotropy {L.anisotropy(a.points, b.points):.3f}")
    print()

    verdicts = defaultdict(list)     # category -> [(photo, footage, challenge, judgement)]
    distances = []                   # positives: descriptor distance, reference frame to each evidence frame
    measured = defaultdict(list)     # footage kind -> [signals]
    frame_times, started = [], time.perf_counter()
    for n, path in enumerate(photos):
        still = F.camera_still(path)
        frontal = abs(L.yaw_ratio(still.points)) <= L.MAX_REFERENCE_YAW
        footages = [(f"live {'+'.join(a)}", a, lambda a=a: F.live_burst(still, a, turn=args.turn, seed=args.seed + n))
                    for a in LIVE_ACTIONS]
        footages.append(("static", None, lambda: F.static_burst(still, CHALLENGES[0], seed=args.seed + n)))
        footages += [(f"moved {kind}", None, lambda kind=kind: F.moved_burst(still, CHALLENGES[0], kind=kind,
                                                                              seed=args.seed + n))
                     for kind in F.MOVES]
        for label, actions, make in footages:
            frames = make()
            clock = time.perf_counter()
            observations = F.observe(frames)
            frame_times.append((time.perf_counter() - clock) / len(frames))
            measured[label].append(signals(observations))
            for challenge in CHALLENGES:
                judgement = L.judge(challenge, observations)
                if actions is not None and tuple(actions) == challenge:
                    category = "positive" if frontal else "positive (photo not frontal)"
                    if judgement.passed:
                        distances.extend(evidence_distances(frames, observations, judgement))
                elif actions is not None:
                    category = "negative: live, not the challenge"
                else:
                    category = f"negative: {label}"
                verdicts[category].append((still.name, label, challenge, judgement))
        print(f"  {still.name:28s} frontal={'yes' if frontal else 'no '} yaw={L.yaw_ratio(still.points):+.2f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)

    print("\nverdicts (accepted / judged; reasons)")
    for category in sorted(verdicts):
        rows = verdicts[category]
        accepted = sum(1 for r in rows if r[3].passed)
        reasons = Counter(r[3].reason for r in rows)
        print(f"  {category:40s} {accepted:4d} / {len(rows):4d}  {dict(reasons.most_common())}")
    positives = verdicts["positive"]
    negatives = [r for c, rows in verdicts.items() if c.startswith("negative") for r in rows]
    false_rejects = [r for r in positives if not r[3].passed]
    false_accepts = [r for r in negatives if r[3].passed]
    print(f"\nFRR (frontal photos): {len(false_rejects)} / {len(positives)} = "
          f"{len(false_rejects) / max(1, len(positives)):.1%}")
    print(f"FAR (every negative): {len(false_accepts)} / {len(negatives)} = "
          f"{len(false_accepts) / max(1, len(negatives)):.1%}")
    for row in false_rejects + false_accepts:
        print(f"    {'FR' if row in false_rejects else 'FA'} {row[0]} · {row[1]} · challenge {'+'.join(row[2])} · "
              f"{row[3].reason} {row[3].figures}")
    moved = [r for r in negatives if r[1].startswith(("static", "moved"))]
    print(f"FAR (photos static or moved as a whole): {sum(r[3].passed for r in moved)} / {len(moved)}")

    print("\nmeasures per footage (min / median / max over photos)")
    print("  blink: lowest rectified EAR ratio (blink seen at <= "
          f"{L.BLINK_RATIO}); turn: margin = min(yaw/{L.TURN_YAW}, parallax/{L.TURN_PARALLAX}) (seen at >= 1)")
    for kind in sorted(measured):
        rows = measured[kind]
        left = [r.get("turn_left") for r in rows]
        right = [r.get("turn_right") for r in rows]
        print(f"  {kind:34s} blink {spread(r.get('blink') for r in rows)}"
              f" | left margin {spread(x[0] if x else None for x in left)}"
              f" | right margin {spread(x[0] if x else None for x in right)}")
    print("\n  yaw and parallax of the positives' turns (towards the asked side):")
    for direction in ("turn_left", "turn_right"):
        picked = [r[direction] for kind, rows in measured.items() if direction in kind for r in rows if r.get(direction)]
        print(f"    {direction:10s} yaw {spread(p[1] for p in picked)} | parallax {spread(p[2] for p in picked)}")
    print(f"\nsame person on the frames used (passed positives): descriptor distance from the reference frame "
          f"to each evidence frame {spread(distances)} (kiosk tolerance {DEFAULT_TOLERANCE})")
    print(f"\ndetection + landmarks per frame: median {statistics.median(frame_times) * 1000:.0f} ms "
          f"(max {max(frame_times) * 1000:.0f} ms); total {time.perf_counter() - started:.0f} s")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
