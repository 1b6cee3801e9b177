"""Envelope, request id, errors inside the mount, rate limits (contract 000 "Struktur Response",
"Error Handling", "Rate Limiting")."""
from __future__ import annotations

import uuid

import pytest

from app.api.clinic.envelope import REQUEST_ID_HEADER

from .conftest import BASE, assert_envelope, auth


def test_request_id_is_a_fresh_uuid_and_the_header(client):
    ids = []
    for _ in range(2):
        response = client.get(f"{BASE}/system/version")
        body = response.get_json()
        assert_envelope(body, success=True)
        assert response.headers[REQUEST_ID_HEADER] == body["meta"]["request_id"]
        assert uuid.UUID(body["meta"]["request_id"]).version == 4
        ids.append(body["meta"]["request_id"])
    assert ids[0] != ids[1]


def test_unknown_path_in_mount_answers_in_the_envelope(client):
    response = client.get(f"{BASE}/nope")
    assert response.status_code == 404
    body = response.get_json()
    assert_envelope(body, success=False)
    assert response.headers[REQUEST_ID_HEADER] == body["meta"]["request_id"]


def test_unknown_path_under_api_stays_with_mobile_and_school(client):
    response = client.get("/api/nope")
    assert response.status_code == 404
    body = response.get_json()
    assert "meta" not in body and REQUEST_ID_HEADER not in response.headers
    assert body.get("rcode") == "81" or set(body) == {"success", "message"}
    response = client.get("/api/nope", headers={"Authorization": "Bearer 1|abc"})
    assert response.status_code == 404 and "meta" not in response.get_json()


def test_405_names_the_allowed_methods(client):
    response = client.delete(f"{BASE}/auth/login")
    assert response.status_code == 405
    body = response.get_json()
    assert_envelope(body, success=False)
    assert "POST" in response.headers["Allow"]
    assert "method" in body["errors"]


def test_401_body_as_documented(client):
    response = client.get(f"{BASE}/auth/me")
    assert response.status_code == 401
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "Unauthenticated."
    assert body["errors"] == {"token": ["Token expired or invalid"]}


def test_malformed_and_foreign_tokens_are_401(client, staff):
    from app.accounts.api_tokens import issue_token
    from app.accounts.models import User
    from app.extensions import db

    user = staff()
    with client.application.app_context():
        school_token, _ = issue_token(db.session.get(User, user.id), "school")
        db.session.commit()
    for token in ("garbage", "1|", "999|secret", school_token, "x" * 5000):
        assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 401


def test_non_json_body_is_415_and_malformed_json_400(client):
    response = client.post(f"{BASE}/auth/login", data="email=a", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert_envelope(response.get_json(), success=False)
    response = client.post(f"{BASE}/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert_envelope(response.get_json(), success=False)
    response = client.post(f"{BASE}/auth/login", json=[1, 2])
    assert response.status_code == 422
    assert "body" in response.get_json()["errors"]


def test_huge_body_is_413_in_the_envelope(client):
    response = client.post(f"{BASE}/auth/login", data="x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert_envelope(response.get_json(), success=False)


def test_server_error_is_500_in_the_envelope_without_details(client, monkeypatch):
    from app.common import database

    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(database, "text", boom)  # the health query itself fails
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get(f"{BASE}/system/health")
    finally:
        client.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    body = response.get_json()
    assert_envelope(body, success=False)
    assert "secret detail" not in response.get_data(as_text=True)


def test_rate_limit_headers_and_general_budget(client):
    response = client.get(f"{BASE}/system/version")
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert response.headers["X-RateLimit-Remaining"] == "59"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_authentication_budget_is_5_and_429_body(client):
    for _ in range(5):
        response = client.post(f"{BASE}/auth/login", json={"email": "a@b.test", "password": "wrong-pass"})
        assert response.status_code == 401
        assert response.headers["X-RateLimit-Limit"] == "5"
    response = client.post(f"{BASE}/auth/login", json={"email": "a@b.test", "password": "wrong-pass"})
    assert response.status_code == 429
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "Too many requests. Please try again later."
    assert body["errors"] == {"rate_limit": ["Exceeded 5 requests per minute limit"]}
    assert 1 <= body["retry_after"] <= 60
    # the header is written by Flask-Limiter a moment later from the same reset time
    assert abs(int(response.headers["Retry-After"]) - body["retry_after"]) <= 1
    assert response.headers["X-RateLimit-Remaining"] == "0"
    # another type's budget is untouched
    assert client.get(f"{BASE}/system/version").status_code == 200


def test_rate_limit_types_are_defined_once():
    from app.api.clinic.ratelimit import LIMITS, rate_limit

    assert LIMITS == {"authentication": "5 per minute", "attendance": "10 per minute",
                      "face_recognition": "3 per minute", "bulk": "2 per minute", "general": "60 per minute"}
    with pytest.raises(KeyError):
        rate_limit("nope")


def test_login_budget_is_per_address_and_account(client):
    for _ in range(5):
        client.post(f"{BASE}/auth/login", json={"email": "a@b.test", "password": "wrong-pass"})
    assert client.post(f"{BASE}/auth/login", json={"email": "a@b.test", "password": "x"}).status_code == 429
    assert client.post(f"{BASE}/auth/login", json={"email": "c@d.test", "password": "x"}).status_code == 401


def test_a_json_null_body_is_a_validation_error(client):
    response = client.post(f"{BASE}/auth/login", data="null", content_type="application/json")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"body"}
