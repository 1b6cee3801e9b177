"""The database unreachable: every app answers 503 with ``Retry-After`` in its own body, the admin
a friendly page, ``/healthz`` 503 — never 500.

Two unreachable databases: PostgreSQL on a closed port of 127.0.0.1 (connection refused)
and an SQLite file in a folder that does not exist (cannot be opened).  And a database that
goes away between the work and the commit (the boundary's commit fails).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/hadir",
    "sqlite": "sqlite:////nonexistent-hadir-folder/hadir.sqlite3",
}


@pytest.fixture(scope="module", params=list(UNREACHABLE))
def down_app(request):
    app = create_app({"TESTING": True, "SECRET_KEY": "down-secret-key-0123456789abcdef0123456789",
                      "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param], "RATELIMIT_STORAGE_URI": "memory://",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                    **({"connect_args": {"connect_timeout": 2}}
                                                       if request.param == "postgresql" else {})}})
    yield app
    with app.app_context():
        db.engine.dispose()


def _retry_after(response) -> int:
    value = int(response.headers["Retry-After"])
    assert 1 <= value <= 60
    return value


#: app → (method, path, request kwargs, check of the body)
JSON_REQUESTS = {
    "mobile": ("POST", "/api/login", {"json": {"npp": "10001", "password": "x" * 8, "device_id": "d"}},
               lambda b: b["rcode"] == "99" and "unavailable" in b["message"]),
    "school": ("POST", "/api/auth/login", {"json": {"nisn_nip_nik": "5001", "password": "x" * 8}},
               lambda b: b == {"success": False, "message": "Layanan sedang tidak tersedia. Coba lagi nanti."}),
    "school token": ("GET", "/api/user", {"headers": {"Authorization": "Bearer 1|secret"}},
                     lambda b: b["success"] is False and "tidak tersedia" in b["message"]),
    "face": ("POST", "/face/api/login", {"json": {"email": "a@hadir.test", "password": "x" * 8}},
             lambda b: b == {"message": "Layanan sedang tidak tersedia. Coba lagi nanti."}),
    "igd": ("POST", "/igd/api/auth/login", {"json": {"email": "a@hadir.test", "password": "x" * 8}},
            lambda b: b == {"message": "Service Unavailable"}),
    "igd session": ("GET", "/igd/api/sanctum/csrf-cookie", {}, lambda b: b == {"message": "Service Unavailable"}),
    "clinic": ("POST", "/api/v2/auth/login", {"json": {"email": "a@hadir.test", "password": "x" * 8}},
               lambda b: b["success"] is False and b["message"] == "Service Unavailable"
               and b["errors"] == {"server": ["The service is temporarily unavailable. Please try again later."]}
               and b["meta"]["request_id"]),
    "clinic token": ("GET", "/api/v2/auth/me", {"headers": {"Authorization": "Bearer 1|secret"}},
                     lambda b: b["message"] == "Service Unavailable"),
    "kiosk": ("GET", "/kiosk/qr.json", {"headers": {"Accept": "application/json"}, "cookie": ("hadir_kiosk", "1.secret")},
              lambda b: b["error"] == "unavailable" and b["message"]),
}


@pytest.mark.parametrize("name", list(JSON_REQUESTS))
def test_each_app_answers_503_in_its_own_body(down_app, name):
    method, path, kwargs, check = JSON_REQUESTS[name]
    client = down_app.test_client()
    kwargs = dict(kwargs)
    if "cookie" in kwargs:
        client.set_cookie(*kwargs.pop("cookie"), path="/kiosk")
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    _retry_after(response)
    assert check(response.get_json()), response.get_json()


def test_healthz_checks_the_database(down_app, app):
    down = down_app.test_client().get("/healthz")
    assert down.status_code == 503
    assert down.get_json() == {"status": "unavailable", "database": "unreachable"}
    _retry_after(down)
    up = app.test_client().get("/healthz")
    assert up.status_code == 200 and up.get_json() == {"status": "ok"}


def test_admin_pages_show_a_friendly_503(down_app):
    client = down_app.test_client()
    login = client.get("/admin/login")  # the form itself needs no database
    assert login.status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.get_data(as_text=True)).group(1)
    refused = client.post("/admin/login", data={"csrf_token": token, "identifier": "admin@hadir.test",
                                                "password": "x" * 8})
    with client.session_transaction() as session:  # a browser that was signed in before the outage
        session["_user_id"] = "1"
        session["_fresh"] = True
    dashboard = client.get("/admin/")
    for response in (refused, dashboard):
        assert response.status_code == 503
        _retry_after(response)
        page = response.get_data(as_text=True)
        assert "Sementara tidak tersedia" in page and "tidak dapat menghubungi basis datanya" in page
        assert 'class="sidebar"' not in page  # the signed-in shell needs the database
    assert "Coba lagi" in dashboard.get_data(as_text=True)


def test_a_commit_that_fails_is_503_and_nothing_is_kept(app, factory, monkeypatch):
    """The database goes away after the work, at the boundary's commit."""
    from app.accounts.models import ApiToken

    factory.user(role="admin", email="admin@hadir.test", nisn_nip_nik="5001")

    def gone():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(db.session, "commit", gone)
    # as in production: an error after the view (in the boundary's after_request) is not re-raised
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = app.test_client().post("/api/auth/login", json={"nisn_nip_nik": "5001", "password": "password123"})
    monkeypatch.undo()
    assert response.status_code == 503
    _retry_after(response)
    assert response.get_json()["message"] == "Layanan sedang tidak tersedia. Coba lagi nanti."
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0
