"""Contract 004 "Common Error Responses" inside the /igd/api mount: 404, 405, 413, 415, 419, 429."""
import pytest

from app.attendance import photos

from .conftest import API, escort_body


def test_unknown_route_is_route_not_found(client):
    for path in ("/nonexistent-endpoint", "/escort/abc", "/escort/1/nothing"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 404
        assert response.json == {"message": "Route not found."}


def test_wrong_method_names_the_supported_ones(client, staff):
    _user, headers = staff()
    response = client.post(f"{API}/escort/123", headers=headers)
    assert response.status_code == 405
    assert response.json == {"message": "The POST method is not supported for this route. "
                                        "Supported methods: GET, HEAD, PUT, PATCH, DELETE."}
    assert response.headers["Allow"] == "GET, HEAD, PUT, PATCH, DELETE"
    response = client.delete(f"{API}/session-stats")
    assert response.json == {"message": "The DELETE method is not supported for this route. "
                                        "Supported methods: GET, HEAD."}
    assert client.get(f"{API}/auth/login").status_code == 405


def test_payload_too_large(client, staff):
    _user, headers = staff()
    big = "A" * (photos.MAX_REQUEST_BYTES + 1)
    response = client.post(f"{API}/escort", data=big, headers=headers, content_type="application/json")
    assert response.status_code == 413
    assert response.json == {"message": "The payload is too large"}
    # Routes without a photo keep the 1 MiB limit.
    response = client.post(f"{API}/auth/login", data="A" * (1024 * 1024 + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.json == {"message": "The payload is too large"}


def test_unsupported_media_type(client, staff):
    _user, headers = staff()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = client.post(f"{API}/escort", data="kategori=Polisi", headers=headers, content_type=content_type)
        assert response.status_code == 415, content_type
        assert response.json == {"message": "The request content type is not supported"}
    response = client.put(f"{API}/escort/1", data="x", headers=headers, content_type="text/plain")
    assert response.status_code == 415
    # Body-less requests need no content type.
    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 200


def test_csrf_mismatch_for_cookie_sessions(client):
    client.get(f"{API}/sanctum/csrf-cookie")
    for method, path in (("post", "/escort"), ("put", "/escort/1"), ("patch", "/escort/1/status"),
                         ("delete", "/escort/1"), ("post", "/auth/logout"), ("post", "/auth/login")):
        response = getattr(client, method)(f"{API}{path}", json=escort_body())
        assert response.status_code == 419, path
        assert response.json == {"message": "CSRF token mismatch"}
    # Safe methods pass the check (and then need a sign-in).
    assert client.get(f"{API}/escort").status_code == 401


def test_login_is_rate_limited_with_retry_after(client):
    for _ in range(5):
        assert client.post(f"{API}/auth/login", json={"email": "a@igd.com", "password": "x"}).status_code == 401
    response = client.post(f"{API}/auth/login", json={"email": "a@igd.com", "password": "x"})
    assert response.status_code == 429
    assert response.json["message"] == "Too Many Attempts."
    assert 1 <= response.json["retry_after"] <= 60
    assert abs(int(response.headers["Retry-After"]) - response.json["retry_after"]) <= 1


def test_registrations_are_rate_limited(app):
    # Ten registrations a minute per address (each from a new cookie-less client), then 429.
    codes = [app.test_client().post(f"{API}/escort", json={}).status_code for _ in range(11)]
    assert codes == [422] * 10 + [429]
    response = app.test_client().post(f"{API}/escort", json=escort_body())
    assert response.status_code == 429
    assert response.json["message"] == "Too Many Attempts." and response.json["retry_after"] >= 1


@pytest.mark.parametrize("path", ["/escort", "/dashboard/stats", "/auth/check", "/escort/1"])
def test_protected_reads_without_credentials_are_401(client, path):
    response = client.get(f"{API}{path}")
    assert response.status_code == 401
    assert response.json == {"message": "Unauthenticated."}
