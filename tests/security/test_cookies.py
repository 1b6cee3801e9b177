"""Every cookie the app sets is ``Secure`` when the request came over HTTPS — directly or through
a trusted proxy (``TRUSTED_PROXIES`` + ``X-Forwarded-Proto: https``) — and carries ``SameSite``.

The cookies: the admin ``session`` and ``remember_token``, the igd ``igd_session`` and
``XSRF-TOKEN``, the face ``token``, the kiosk ``hadir_kiosk``.
"""
from __future__ import annotations

import pytest

from app import create_app
from tests.helpers import AdminSession, csrf_from
from tests.kiosk.conftest import code_of, register

from .conftest import PASSWORD

EXPECTED = {"session", "remember_token", "igd_session", "XSRF-TOKEN", "token", "hadir_kiosk"}
HTTPONLY = {"session", "remember_token", "igd_session", "token", "hadir_kiosk"}


def _cookies(response) -> dict[str, dict[str, str | bool]]:
    """name → attributes (lower-case keys; flags as True) of each Set-Cookie of ``response``."""
    result = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        attributes = {}
        for part in header.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            attributes[key.lower()] = value or True
        result[name] = attributes
    return result


def _collect(app, factory, headers: dict, base_url: str) -> dict:
    """Sign in to each app and pair a kiosk; returns every cookie set, by name.

    Form posts carry the ``Referer`` a browser sends (Flask-WTF checks it over HTTPS)."""
    origin = "http://localhost" if base_url.startswith("http:") and not headers else "https://localhost"
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001")
    seen: dict = {}
    browser = AdminSession(app.test_client())
    page = "/admin/login"
    token = csrf_from(browser.client.get(page, base_url=base_url, headers=headers).get_data(as_text=True))
    login = browser.client.post(page, base_url=base_url, headers=dict(headers, Referer=f"{origin}{page}"),
                                data={"csrf_token": token, "identifier": "admin@hadir.test",
                                      "password": PASSWORD, "remember": "y"})
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    seen.update(_cookies(login))

    client = app.test_client()
    seen.update(_cookies(client.get("/igd/api/sanctum/csrf-cookie", base_url=base_url, headers=headers)))
    face = client.post("/face/api/login", base_url=base_url, headers=headers,
                       json={"email": "admin@hadir.test", "password": PASSWORD})
    assert face.status_code == 200
    seen.update(_cookies(face))

    admin = AdminSession(app.test_client())
    assert admin.login("admin@hadir.test").status_code == 302
    code = code_of(register(admin))
    tablet = app.test_client()
    form = tablet.get("/kiosk/pair", base_url=base_url, headers=headers)
    paired = tablet.post("/kiosk/pair", base_url=base_url,
                         headers=dict(headers, Referer=f"{origin}/kiosk/pair"),
                         data={"code": code, "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert paired.status_code == 303
    seen.update(_cookies(paired))
    return seen


@pytest.fixture(scope="module")
def proxied_app(app):
    """The app as deployed behind one reverse proxy (``TRUSTED_PROXIES=1``), on the test database."""
    return create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI",
                                                     "RATELIMIT_STORAGE_URI")},
                       "TRUSTED_PROXIES": 1})


@pytest.mark.parametrize("how", ["https", "proxy"])
def test_every_cookie_is_secure_over_https_with_samesite(app, proxied_app, factory, how):
    if how == "https":
        cookies = _collect(app, factory, {}, "https://localhost")
    else:
        cookies = _collect(proxied_app, factory, {"X-Forwarded-Proto": "https"}, "http://localhost")
    assert EXPECTED <= set(cookies)
    for name in EXPECTED:
        attributes = cookies[name]
        assert attributes.get("secure") is True, (name, attributes)
        assert str(attributes.get("samesite", "")).lower() in ("lax", "strict"), (name, attributes)
        assert (attributes.get("httponly") is True) == (name in HTTPONLY), (name, attributes)


def test_over_plain_http_cookies_are_not_secure_but_have_samesite(app, factory):
    """``make run`` on http://127.0.0.1: a Secure cookie would be dropped by the browser."""
    cookies = _collect(app, factory, {}, "http://localhost")
    assert EXPECTED <= set(cookies)
    for name in EXPECTED:
        assert "secure" not in cookies[name], name
        assert str(cookies[name].get("samesite", "")).lower() == "lax", name


def test_a_forwarded_proto_is_ignored_without_trusted_proxies(app, factory):
    """Without TRUSTED_PROXIES anyone could send the header; the scheme stays the connection's."""
    client = app.test_client()
    response = client.get("/igd/api/sanctum/csrf-cookie", headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in _cookies(response)["igd_session"]


def test_signing_out_clears_the_cookies_with_the_same_flags(app, factory):
    factory.user(role="pegawai", email="andi@hadir.test")
    client = app.test_client()
    client.post("/face/api/login", base_url="https://localhost", json={"email": "andi@hadir.test", "password": PASSWORD})
    out = client.post("/face/api/logout", base_url="https://localhost")
    token = _cookies(out)["token"]
    assert token.get("secure") is True and str(token.get("max-age")) == "0"
