#!/usr/bin/env python3
"""Face pipeline figures: detection + encoding per image, and 1:N matching cost.

A benchmark, not a test (no assertions): ``.venv/bin/python bench/faces.py``
(about a minute; ``--repeat N`` for more runs per figure).  Prints:

1. **Per image** of ``../shared/data/faces`` (enrolment photos and probes, plus a
   1280×720 frame made from a probe): the median time of detection and of
   encoding, with detection on the full image (face_recognition's defaults,
   HOG upsampled once: the naive pipeline) against the app's
   (:func:`app.faces.services.detect_faces`: longest side 640 px, no upsampling,
   encoding on the full-resolution image).
2. **Encoding on the downscaled copy** instead of the original: the distance
   between the two encodings of each face (is the original needed?).
3. **1:N matching** with 1,000 people × 3 synthetic encodings: reading the
   gallery from a fresh SQLite database (:func:`read_gallery`), the version
   lookup (:func:`gallery_version`) against the aggregate over every sample that
   the cache checked before the version existed, a cache hit of
   :func:`load_gallery`, and comparing one face with it (:func:`decide`).

Times are wall-clock seconds or milliseconds on one core (dlib and numpy run
single-threaded here); the machine is shared, so expect ±30 %.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FACES = ROOT.parent / "shared" / "data" / "faces"


def median_time(call, repeat: int) -> tuple[float, object]:
    """Median wall time (s) of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def images():
    """(label, pixels) of every shared photo, plus a 1280×720 frame made from a probe."""
    from PIL import Image

    from app.faces.services import load_image

    paths = sorted(FACES.glob("enroll/*/*")) + sorted(p for p in FACES.glob("probe/*") if p.suffix != ".json")
    for path in paths:
        yield path.relative_to(FACES).as_posix(), load_image(path.read_bytes()).pixels
    frame = Image.open(FACES / "probe" / "obama-480p.jpg").convert("RGB").resize((1280, 720))
    yield "probe/obama-480p.jpg as 1280x720", np.asarray(frame)


def per_image(repeat: int) -> None:
    """Section 1 and 2."""
    from app.faces.services import _face_recognition

    fr = _face_recognition()

    from app.faces import services

    print("1. detection + encoding per image (median of %d, seconds)" % repeat)
    print(f"{'image':36} {'size':>10} {'faces':>5} | {'naive det':>9} {'app det':>8} {'encode':>7} |"
          f" {'naive tot':>9} {'app tot':>8} {'ratio':>6}")
    drift = []
    for label, pixels in images():
        naive_detect, naive_boxes = median_time(lambda: fr.face_locations(pixels), repeat)
        app_detect, boxes = median_time(lambda: services.detect_faces(pixels), repeat)
        encode, faces = median_time(lambda: services.encode_faces(pixels, boxes), repeat)
        naive_total = naive_detect + encode * max(1, len(naive_boxes)) / max(1, len(boxes))
        app_total = app_detect + encode
        print(f"{label:36} {pixels.shape[1]:>4}x{pixels.shape[0]:<5} {len(boxes):>5} |"
              f" {naive_detect:9.3f} {app_detect:8.3f} {encode:7.3f} |"
              f" {naive_total:9.3f} {app_total:8.3f} {naive_total / app_total:5.1f}x")
        small, scale = services._downscaled(pixels, services.DETECT_MAX_SIDE_PX)
        if scale < 1 and boxes:
            small_boxes = [tuple(int(round(v * scale)) for v in box) for box in boxes]
            for face, small_face in zip(faces, services.encode_faces(small, small_boxes)):
                drift.append((label, float(np.linalg.norm(face.encoding - small_face.encoding))))
    print()
    print("2. encoding on the 640-px copy instead of the original: distance between the two encodings")
    for label, distance in drift:
        print(f"   {label:36} {distance:.3f}")
    if drift:
        values = [d for _, d in drift]
        print(f"   median {statistics.median(values):.3f}, max {max(values):.3f} "
              "(true matches in the data README: 0.06-0.52; tolerance 0.55)")
    print()


def matching(repeat: int, people: int = 1000, per_person: int = 3) -> None:
    """Section 3: load a 1000×3 gallery from SQLite and match one face against it."""
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.models import User
    from app.extensions import db
    from app.faces import services
    from app.faces.models import FaceSample
    from app.common import clock

    rng = np.random.default_rng(4)
    encodings = rng.normal(0, 0.09, size=(people * per_person, 128))  # dlib-like spread: norms ≈ 1
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "SECRET_KEY": "bench-secret-key-0123456789-0123456789", "TESTING": True,
                          "RATELIMIT_STORAGE_URI": "memory://"})
        with app.app_context():
            upgrade()
            now = clock.now()
            db.session.execute(db.insert(User), [
                {"name": f"Person {n}", "role": "pegawai", "npp": f"B{n:05d}", "password_hash": "x",
                 "created_at": now, "updated_at": now} for n in range(people)])
            ids = list(db.session.scalars(db.select(User.id).order_by(User.id)))
            db.session.execute(db.insert(FaceSample), [
                {"user_id": ids[i // per_person], "encoding": services.encoding_bytes(encodings[i]),
                 "photo_path": "faces/bench.jpg", "box_top": 0, "box_right": 10, "box_bottom": 10,
                 "box_left": 0, "created_at": now} for i in range(people * per_person)])
            db.session.commit()
            load, gallery = median_time(services.read_gallery, repeat * 5)
            version, _ = median_time(services.gallery_version, repeat * 5)
            aggregate = services._active_samples(  # the check load_gallery made before cache_versions
                db.func.count(FaceSample.id), db.func.max(FaceSample.id),
                db.func.coalesce(db.func.sum(FaceSample.id), 0), db.func.max(FaceSample.created_at))
            stamp, _ = median_time(lambda: db.session.execute(aggregate).one(), repeat * 5)
            services.load_gallery()
            cached, _ = median_time(services.load_gallery, repeat * 5)
            probe = services.Face((0, 10, 10, 0), encodings[1234] + rng.normal(0, 0.02, 128))
            match, result = median_time(lambda: services.decide(gallery, probe, 0.55, 0.05), repeat * 50)
            build, _ = median_time(lambda: services.Gallery.build(gallery.user_ids, gallery.matrix), repeat * 5)
            db.session.remove()
    print(f"3. 1:N matching, {people} people x {per_person} samples = {people * per_person} encodings"
          f" (float32, {gallery.matrix.nbytes // 1024} KiB)")
    print(f"   read_gallery() from SQLite:       {load * 1000:7.2f} ms (median of {repeat * 5})")
    print(f"     of which Gallery.build (numpy): {build * 1000:7.2f} ms")
    print(f"   gallery_version() (key lookup):   {version * 1000:7.2f} ms")
    print(f"   former aggregate stamp query:     {stamp * 1000:7.2f} ms")
    print(f"   load_gallery(), cache still valid:{cached * 1000:7.2f} ms")
    print(f"   decide() one face vs the gallery: {match * 1000:7.3f} ms (median of {repeat * 50});"
          f" found user {result.user_id} ({result.decision}, distance {result.distance})")


def main() -> None:
    """Parse the options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median), default 3")
    parser.add_argument("--skip-images", action="store_true", help="only the 1:N matching figures")
    args = parser.parse_args()
    if not args.skip_images:
        per_image(args.repeat)
    matching(args.repeat)


if __name__ == "__main__":
    main()
