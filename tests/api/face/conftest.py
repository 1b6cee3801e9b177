"""Fixtures of the ``face`` dialect tests (contract 003, mounted at ``/face/api``).

The real photos are ``../shared/data/faces`` beside the repository.  Face
detection and encoding are memoised per image content for the session (the
real dlib pipeline still runs once per photo), so the suite stays fast.
"""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from app.accounts.models import User
from app.extensions import db
from app.faces import services as faces

FACES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "faces"
API = "/face/api"

if not (FACES / "probe" / "expected.json").is_file():  # pragma: no cover - the data travels with shared/
    raise RuntimeError(f"face test photos not found in {FACES}")


def b64(path: Path, *, data_url: bool = False) -> str:
    """The base64 text of the file at ``path`` (as a ``data:image/jpeg;base64,`` URL when asked)."""
    text = base64.b64encode(path.read_bytes()).decode()
    return f"data:image/jpeg;base64,{text}" if data_url else text


@pytest.fixture(autouse=True)
def _encode_once(memoised_face_pipeline):
    """Detection and encoding memoised per image content (``tests/conftest.py``)."""
    return memoised_face_pipeline




@pytest.fixture
def all_day(factory):
    """A work schedule whose check-in window is open all day (tests do not depend on the hour)."""
    return factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")


@pytest.fixture
def person(factory):
    """An ordinary employee with an email (password ``password123``)."""
    return factory.user(name="Barack Obama", email="obama@example.test")


@pytest.fixture
def admin(factory):
    return factory.user(role="admin", name="Admin HRD", email="admin@example.test")


def login(client, email: str, password: str = "password123"):
    """POST /login; the test client keeps the ``token`` cookie."""
    return client.post(f"{API}/login", json={"email": email, "password": password})


def enrol(app, user, *paths: Path) -> None:
    """Enrol ``user`` with the photos at ``paths`` through the real service."""
    with app.app_context():
        row = db.session.get(User, user.id)
        for path in paths:
            faces.enrol(row, faces.load_image(path.read_bytes()))
        db.session.commit()


@pytest.fixture
def enrolled_obama(app, person):
    """``person`` enrolled with both photos of ``enroll/obama``."""
    enrol(app, person, *sorted((FACES / "enroll" / "obama").iterdir()))
    return person
