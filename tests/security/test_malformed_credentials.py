"""Tampered and malformed credentials are "no credential": each dialect's 401, never a 5xx.

Opaque tokens ``<id>|<secret>`` (school, clinic, igd bearer; the face ``token`` cookie),
the kiosk cookie ``<id>.<secret>``, the mobile JWT and ids in URL paths, with ids of 20+
digits, beyond the database's integer, non-ASCII digits (``²``, ``١``, ``１``), empty parts
and huge strings.  The answer to a malformed credential is compared with the dialect's
answer to a well-formed unknown token (``1|wrong``): same status, same body.
"""
from __future__ import annotations

import pytest

MALFORMED_TOKENS = [
    "99999999999999999999|x",       # 20 digits: beyond SQLite's and PostgreSQL's integers
    "9223372036854775808|x",        # 2**63
    "2147483648|x",                 # 2**31: beyond PostgreSQL integer
    "²|x", "١٢|x", "１|x",          # digits that str.isdigit() accepts and int() refuses or reads
    "-1|x", "0|x", "+1|x", " 1|x", "1 |x",
    "|x", "1|", "|", "||", "x|y", "1",
    "1|" + "a" * 3000,               # huge secret (a cookie stays under the browsers' 4 KB)
    "9" * 3000 + "|x",               # huge id
]

#: dialect → (method, path, how the credential is sent, fields of the body that must match the reference)
TARGETS = {
    "school": ("GET", "/api/user", "bearer", ("success", "message")),
    "clinic": ("GET", "/api/v2/auth/me", "bearer", ("success", "message", "errors")),
    "igd": ("GET", "/igd/api/auth/check", "bearer", ("message",)),
    "face": ("GET", "/face/api/profile", "face-cookie", ("message",)),
    "mobile": ("GET", "/api/jam-absensi/active", "bearer", ("message",)),
}


def _send(client, method, path, how, token):
    if how == "bearer":
        return client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})
    client.set_cookie("token", token, path="/face/api")
    try:
        return client.open(path, method=method)
    finally:
        client.delete_cookie("token", path="/face/api")


@pytest.mark.parametrize("dialect", list(TARGETS))
def test_malformed_tokens_get_the_dialects_401(app, dialect):
    method, path, how, fields = TARGETS[dialect]
    client = app.test_client()
    reference = _send(client, method, path, how, "1|wrong")
    assert reference.status_code == 401
    expected = {k: reference.get_json()[k] for k in fields}
    answers = {}
    for token in MALFORMED_TOKENS:
        response = _send(client, method, path, how, token)
        answers[token[:30]] = (response.status_code, {k: (response.get_json() or {}).get(k) for k in fields})
    wrong = {t: a for t, a in answers.items() if a != (401, expected)}
    assert wrong == {}, f"{dialect}: expected 401 {expected}"


def test_a_malformed_face_cookie_on_a_state_changing_request_is_401(app):
    client = app.test_client()
    for token in ("²|x", "99999999999999999999|x"):
        client.set_cookie("token", token, path="/face/api")
        response = client.post("/face/api/attendance", json={"image": "data:image/jpeg;base64,AAAA"})
        assert response.status_code == 401, token
        assert response.get_json() == {"message": "Anda belum login"}


@pytest.mark.parametrize("cookie", ["².x", "99999999999999999999.x", "2147483648.x", ".x", "1.", "x.y",
                                    "1." + "a" * 3000], ids=lambda c: c[:24])
def test_malformed_kiosk_cookies_are_unpaired(app, cookie):
    client = app.test_client()
    client.set_cookie("hadir_kiosk", cookie, path="/kiosk")
    page = client.get("/kiosk/")
    assert page.status_code == 302 and page.headers["Location"].endswith("/kiosk/pair")
    api = client.get("/kiosk/qr.json", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.get_json()["error"] == "unpaired"


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/api/v2/auth/sessions/99999999999999999999"),  # clinic: a session id in the path
    ("GET", "/api/users/99999999999999999999"),                # school: <int:user_id>
    ("GET", "/igd/api/escort/99999999999999999999"),           # igd: <int:escort_id>
])
def test_ids_beyond_the_database_integer_in_paths_are_not_5xx(app, method, path):
    client = app.test_client()
    response = client.open(path, method=method, headers={"Authorization": "Bearer 1|wrong"})
    assert response.status_code in (401, 404), response.get_data(as_text=True)[:200]


def test_a_huge_id_in_a_path_is_the_dialects_404_for_a_signed_in_user(app, factory):
    """School admin asks for user 10**20: ``404 Data tidak ditemukan`` (no route matches), not 500."""
    factory.user(role="admin", nisn_nip_nik="9001")
    client = app.test_client()
    login = client.post("/api/auth/login", json={"nisn_nip_nik": "9001", "password": "password123"})
    token = login.get_json()["data"]["token"]
    response = client.get("/api/users/100000000000000000000", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.get_json()["success"] is False
