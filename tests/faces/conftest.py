"""Fixtures for the face tests: the shared real photos, encoded once per session.

The photos and their ground truth are in ``../shared/data/faces`` beside the
repository (``README.md`` there).  dlib is slow (~0.1-0.6 s per photo on one
core), so :func:`_encode_once` memoises detection and encoding per image for
the whole session: every photo still goes through the real pipeline once, and
every test still calls the real services.
"""
from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from app.faces import services

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
ENROLL = FACES / "enroll"
PROBE = FACES / "probe"

if not (PROBE / "expected.json").is_file():  # pragma: no cover - the data travels with the repo's shared/
    raise RuntimeError(f"face test photos not found in {FACES}")


def people() -> list[str]:
    """Folder names of ``enroll/`` (one person each)."""
    return sorted(p.name for p in ENROLL.iterdir() if p.is_dir())


def enrol_photos(person: str) -> list[Path]:
    """The photos of ``person`` in ``enroll/``."""
    return sorted(p for p in (ENROLL / person).iterdir() if p.is_file())


def expected() -> dict[str, list[str]]:
    """``probe/expected.json``: probe file → people visible in it."""
    return json.loads((PROBE / "expected.json").read_text())


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with almost no pixel data.

    Built by hand (signature, IHDR, a tiny IDAT, IEND) so that a 30000×30000
    image costs a few bytes instead of 2.7 GB.
    """
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + chunk(b"IEND", b""))


@pytest.fixture(autouse=True)
def _encode_once(memoised_face_pipeline):
    """Detection and encoding memoised per image content (``tests/conftest.py``)."""
    return memoised_face_pipeline




@pytest.fixture
def enrolled(app, factory):
    """Enrol every person of ``enroll/`` (except those in ``skip``) with the real service.

    Returns ``enrol_all(skip=())`` → ``{person folder: user id}``.
    """
    from app.extensions import db
    from app.accounts.models import User

    def enrol_all(skip=()):
        ids = {}
        for n, person in enumerate(people()):
            if person in skip:
                continue
            user = factory.user(name=person, email=f"{person}@example.test", npp=f"9{n:04d}")
            with app.app_context():
                row = db.session.get(User, user.id)
                for photo in enrol_photos(person):
                    services.enrol(row, services.load_image(photo.read_bytes()))
                db.session.commit()
            ids[person] = user.id
        return ids

    return enrol_all
