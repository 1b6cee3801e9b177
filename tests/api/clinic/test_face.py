"""Contract 000 "Face Recognition Endpoints": register, verify (with confidence), status, update.

Real photos from ``../shared/data/faces``; detection and encoding are memoised per
image for the session (``memoised_face_pipeline``).  Face endpoints share the
``face_recognition`` budget of 3 requests per minute per token, so each test signs
in again (a new token) when it needs more calls.
"""
from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from app.api.clinic.routes_face import confidence
from app.extensions import db, limiter
from app.faces.models import FaceSample

from .conftest import BASE, assert_envelope, auth

FACES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "faces"
FR = f"{BASE}/face-recognition"
OBAMA = FACES / "enroll" / "obama" / "obama.jpg"
OBAMA_2 = FACES / "enroll" / "obama" / "obama2.jpg"
OBAMA_PROBE = FACES / "probe" / "obama-480p.jpg"
BIDEN = FACES / "enroll" / "biden" / "biden.jpg"
TWO_PEOPLE = FACES / "probe" / "two_people.jpg"

if not OBAMA.is_file():  # pragma: no cover - the data travels with shared/
    raise RuntimeError(f"face test photos not found in {FACES}")


@pytest.fixture(autouse=True)
def _encode_once(memoised_face_pipeline):
    """Detection and encoding memoised per image content (``tests/conftest.py``)."""
    return memoised_face_pipeline


def b64(path: Path, *, data_url: bool = False) -> str:
    text = base64.b64encode(path.read_bytes()).decode()
    return f"data:image/jpeg;base64,{text}" if data_url else text


def blank_png() -> str:
    """A 64×64 grey PNG: a valid image without a face."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (128, 128, 128)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def person(staff):
    return staff(role="paramedis", name="Barack Obama")


@pytest.fixture
def token(person, login):
    """A fresh token of ``person`` (a new face_recognition budget each call)."""
    return lambda: login(person)


def samples(app, user) -> list[FaceSample]:
    with app.app_context():
        return list(db.session.scalars(db.select(FaceSample).filter_by(user_id=user.id).order_by(FaceSample.id)))


def test_confidence_is_a_documented_function_of_distance_and_tolerance():
    assert confidence(0.0, 0.55) == 1.0
    assert confidence(0.55, 0.55) == 0.5  # the accept/refuse boundary
    assert confidence(0.06, 0.55) == 0.95
    assert confidence(1.1, 0.55) == 0.0 and confidence(3.0, 0.55) == 0.0
    assert confidence(0.3, 0.6) == 0.75


def test_register_status_and_verify_the_same_person(client, token, person, app):
    first = token()
    status = client.get(f"{FR}/status", headers=auth(first))
    assert status.status_code == 200
    assert status.get_json()["data"] == {"user_id": person.id, "registered": False, "samples": 0,
                                         "registered_at": None, "updated_at": None, "tolerance": 0.55}
    response = client.post(f"{FR}/register", headers=auth(first),
                           json={"face_image": b64(OBAMA, data_url=True), "device_id": "dev-1"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert_envelope(body, success=True)
    data = body["data"]
    assert data["user_id"] == person.id and data["registered"] is True and data["device_id"] == "dev-1"
    assert set(data["face_box"]) == {"top", "right", "bottom", "left"}
    stored = samples(app, person)
    assert len(stored) == 1 and stored[0].id == data["sample_id"] and stored[0].created_by_id == person.id
    now = client.get(f"{FR}/status", headers=auth(first)).get_json()["data"]
    assert now["registered"] is True and now["samples"] == 1 and now["registered_at"].endswith("Z")

    second = token()
    verify = client.post(f"{FR}/verify", headers=auth(second), json={"face_image": b64(OBAMA_PROBE),
                                                                      "device_id": "dev-1"})
    assert verify.status_code == 200, verify.get_json()
    result = verify.get_json()
    assert result["message"] == "Face verified"
    assert result["data"]["verified"] is True and result["data"]["user_id"] == person.id
    assert 0.5 <= result["data"]["confidence"] <= 1.0
    assert result["data"]["verification_time"].endswith("Z")


def test_verify_someone_else_is_not_verified(client, token, person, app):
    first = token()
    assert client.post(f"{FR}/register", headers=auth(first), json={"face_image": b64(OBAMA)}).status_code == 201
    response = client.post(f"{FR}/verify", headers=auth(first), json={"face_image": b64(BIDEN)})
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"] == "Face not verified"
    assert body["data"]["verified"] is False and body["data"]["confidence"] < 0.5


def test_register_twice_is_refused(client, token, person, app):
    first = token()
    assert client.post(f"{FR}/register", headers=auth(first), json={"face_image": b64(OBAMA)}).status_code == 201
    again = client.post(f"{FR}/register", headers=auth(first), json={"face_image": b64(OBAMA_2)})
    assert again.status_code == 422
    assert list(again.get_json()["errors"]) == ["face_recognition"]
    assert len(samples(app, person)) == 1


def test_update_replaces_the_face_data(client, token, person, app):
    first = token()
    assert client.post(f"{FR}/register", headers=auth(first), json={"face_image": b64(OBAMA)}).status_code == 201
    old_paths = [s.photo_path for s in samples(app, person)]
    response = client.put(f"{FR}/update", headers=auth(first), json={"face_image": b64(OBAMA_2)})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["replaced_samples"] == 1 and data["registered"] is True
    now = samples(app, person)
    assert [s.id for s in now] == [data["sample_id"]]  # (SQLite may reuse the deleted row's id)
    assert now[0].photo_path not in old_paths


def test_update_with_a_refused_image_keeps_the_old_face(client, token, person, app):
    first = token()
    assert client.post(f"{FR}/register", headers=auth(first), json={"face_image": b64(OBAMA)}).status_code == 201
    before = [s.id for s in samples(app, person)]
    response = client.put(f"{FR}/update", headers=auth(first), json={"face_image": b64(TWO_PEOPLE)})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "face_image": ["More than one face was found in the image; it must show one person only."]}
    assert [s.id for s in samples(app, person)] == before


def test_verify_and_update_without_a_registered_face(client, token):
    first = token()
    for method, url in (("post", f"{FR}/verify"), ("put", f"{FR}/update")):
        response = getattr(client, method)(url, headers=auth(first), json={"face_image": b64(OBAMA)})
        assert response.status_code == 422, url
        assert response.get_json()["errors"] == {
            "face_recognition": ["No face is registered for this account. Register one first."]}


def test_image_refusals(client, token, person, app):
    cases = [
        ({}, {"face_image": ["The face image field is required."]}),
        ({"face_image": "not base64!!"}, {"face_image": ["The photo must be a base64 encoded image."]}),
        ({"face_image": base64.b64encode(b"GIF89a not an image").decode()},
         {"face_image": ["The photo must be a JPEG or PNG image (this one is unreadable or truncated)."]}),
        ({"face_image": blank_png()}, {"face_image": ["No face was found in the image."]}),
        ({"face_image": b64(TWO_PEOPLE)},
         {"face_image": ["More than one face was found in the image; it must show one person only."]}),
        ({"face_image": b64(OBAMA), "device_id": "x" * 192},
         {"device_id": ["The device id must not be greater than 191 characters."]}),
    ]
    current = None
    for index, (body, errors) in enumerate(cases):
        if index % 3 == 0:
            current = token()
        response = client.post(f"{FR}/register", headers=auth(current), json=body)
        assert response.status_code == 422, body
        payload = response.get_json()
        assert_envelope(payload, success=False)
        assert payload["errors"] == errors, body
    assert samples(app, person) == []


def test_face_endpoints_need_a_token(client, app):
    for method, url in (("post", "register"), ("post", "verify"), ("get", "status"), ("put", "update")):
        with app.app_context():
            limiter.reset()  # without a token the budget is the client address's: 3 calls
        response = getattr(client, method)(f"{FR}/{url}", json={} if method != "get" else None)
        assert response.status_code == 401
        assert response.get_json()["errors"] == {"token": ["Token expired or invalid"]}


def test_each_user_registers_and_verifies_only_their_own_face(client, staff, login, person, app):
    """The face registered is the caller's; another person's token verifies against their own samples."""
    assert client.post(f"{FR}/register", headers=auth(login(person)),
                       json={"face_image": b64(OBAMA)}).status_code == 201
    other = staff(role="dokter", name="Joe Biden")
    other_token = login(other)
    response = client.post(f"{FR}/verify", headers=auth(other_token), json={"face_image": b64(OBAMA)})
    assert response.status_code == 422  # Biden has no face registered: Obama's samples are not his
    status = client.get(f"{FR}/status", headers=auth(other_token)).get_json()["data"]
    assert status["user_id"] == other.id and status["registered"] is False
    assert len(samples(app, person)) == 1 and samples(app, other) == []


def test_face_recognition_rate_limit_is_3_per_minute(client, token):
    headers = auth(token())
    for remaining in ("2", "1", "0"):
        response = client.get(f"{FR}/status", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Remaining"] == remaining
    blocked = client.post(f"{FR}/verify", headers=headers, json={"face_image": b64(OBAMA)})
    assert blocked.status_code == 429
    body = blocked.get_json()
    assert_envelope(body, success=False)
    assert body["errors"] == {"rate_limit": ["Exceeded 3 requests per minute limit"]}
    assert 0 < body["retry_after"] <= 60 and blocked.headers["Retry-After"]
