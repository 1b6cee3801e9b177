"""Cross-site requests, errors inside the mount, and the self check-in page."""
from __future__ import annotations

from .conftest import API, login


def test_a_state_changing_request_from_another_site_is_refused(app, client, person):
    login(client, "obama@example.test")
    for method, path, payload in (("put", "/profile", {"name": "Hacked"}), ("post", "/logout", None),
                                  ("post", "/attendance", {"image": "x"}), ("post", "/login",
                                                                              {"email": "obama@example.test",
                                                                               "password": "password123"})):
        response = getattr(client, method)(f"{API}{path}", json=payload, headers={"Origin": "https://evil.example"})
        assert response.status_code == 403, path
        assert response.get_json() == {"message": "Anda tidak memiliki akses"}
    assert client.get(f"{API}/profile").get_json()["user"]["name"] == "Barack Obama"
    # the same origin (and requests without Origin, e.g. curl) pass
    response = client.put(f"{API}/profile", json={"name": "B. Obama"}, headers={"Origin": "http://localhost"})
    assert response.status_code == 200
    # reading is not state-changing: GET with a foreign Origin is answered (CORS keeps the body from the other site)
    assert client.get(f"{API}/profile", headers={"Origin": "https://evil.example"}).status_code == 200


def test_allowed_origins_can_be_configured(app, client, person, monkeypatch):
    monkeypatch.setitem(app.config, "FACE_ALLOWED_ORIGINS", ["https://absen.example"])
    response = client.post(f"{API}/login", json={"email": "obama@example.test", "password": "password123"},
                           headers={"Origin": "https://absen.example"})
    assert response.status_code == 200


def test_a_form_post_cannot_change_anything(client, person):
    login(client, "obama@example.test")
    response = client.put(f"{API}/profile", data="name=Hacked", content_type="text/plain")
    assert response.status_code == 415
    assert client.get(f"{API}/profile").get_json()["user"]["name"] == "Barack Obama"


def test_errors_inside_the_mount_use_the_contracts_shape(client):
    response = client.get(f"{API}/nope")
    assert response.status_code == 404
    assert response.get_json() == {"message": "Endpoint tidak ditemukan"}
    response = client.delete(f"{API}/profile")
    assert response.status_code == 405
    assert response.get_json() == {"message": "Metode tidak diizinkan"}
    assert "GET" in response.headers["Allow"] and "PUT" in response.headers["Allow"]
    response = client.post(f"{API}/login", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"message": "Ukuran permintaan terlalu besar"}


def test_the_dialect_has_its_own_rate_budget(app, client, person):
    login(client, "obama@example.test")
    codes = [client.get(f"{API}/profile").status_code for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429


def test_the_check_in_page_is_served_and_points_at_the_api(client):
    response = client.get("/face/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-login-url="/face/api/login"' in html
    assert 'data-attendance-url="/face/api/attendance"' in html
    assert "face/checkin.js" in html and 'lang="id"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/static/face/checkin.js").status_code == 200
