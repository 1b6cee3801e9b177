"""Application factory: configuration from the environment, mounts, the secret key."""
import pytest
from flask import Blueprint, Flask

from app import create_app
from app.api import MountConflict, check_conflicts
from app.config import _secret_key, load_config


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = _secret_key(tmp_path)
    assert len(first) >= 48
    assert _secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert _secret_key(tmp_path) == "from-the-environment"


def test_environment_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("TIMEZONE", "Asia/Makassar")
    monkeypatch.setenv("MOUNT_MOBILE", "/mobile/api/")
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert config["TIMEZONE"] == "Asia/Makassar"
    assert config["DIALECT_MOUNTS"] == {"mobile": "/mobile/api", "school": "/api", "face": "/face/api",
                                       "igd": "/igd/api", "clinic": "/api/v2"}


def test_defaults_are_the_embedded_deployment(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "TIMEZONE", "MOUNT_MOBILE", "MOUNT_SCHOOL", "MOUNT_FACE", "MOUNT_IGD"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'hadir.sqlite3'}"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["TIMEZONE"] == "Asia/Jakarta"
    assert config["DIALECT_MOUNTS"] == {"mobile": "/api", "school": "/api", "face": "/face/api", "igd": "/igd/api",
                                       "clinic": "/api/v2"}


def test_a_dialect_can_be_moved_to_another_prefix(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "DIALECT_MOUNTS": {"mobile": "/m", "school": "/api"}, "SECRET_KEY": "x" * 32})
    client = app.test_client()
    assert client.post("/m/login", json={}).status_code == 422
    assert client.post("/api/login", json={}).status_code == 404
    assert client.post("/api/auth/login", json={}).status_code == 422  # school stays at /api


def _two_blueprints(method_a="POST", method_b="POST"):
    app = Flask("t")
    a, b = Blueprint("dialect_a", "t"), Blueprint("dialect_b", "t")
    a.add_url_rule("/login", "login", lambda: "", methods=[method_a])
    b.add_url_rule("/login", "login", lambda: "", methods=[method_b])
    app.register_blueprint(a, url_prefix="/api")
    app.register_blueprint(b, url_prefix="/api")
    return app


def test_two_dialects_claiming_one_route_refuse_to_start_naming_both():
    app = _two_blueprints()
    with pytest.raises(MountConflict) as info:
        check_conflicts(app, {"dialect_a": "a", "dialect_b": "b"})
    message = str(info.value)
    assert "POST /api/login" in message
    assert "dialect_a.login" in message and "dialect_b.login" in message


def test_different_methods_on_one_path_do_not_conflict():
    check_conflicts(_two_blueprints("GET", "POST"), {"dialect_a": "a", "dialect_b": "b"})


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_the_root_opens_the_admin_app(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")


def test_behind_a_trusted_proxy_login_limits_are_per_client_address(database_url):
    """With TRUSTED_PROXIES=1 two clients behind the proxy get their own login budget."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "SECRET_KEY": "x" * 32, "TRUSTED_PROXIES": 1, "RATELIMIT_STORAGE_URI": "memory://",
                      "RATELIMIT_KEY_PREFIX": "proxy-test"})
    client = app.test_client()
    body = {"npp": "55555", "password": "whatever-pass", "device_id": "d"}

    def login(addr):
        return client.post("/api/login", json=body, headers={"X-Forwarded-For": addr}).status_code

    assert [login("10.0.0.1") for _ in range(5)] == [404] * 5
    assert login("10.0.0.1") == 429
    assert login("10.0.0.2") == 404


def test_the_favicon_is_the_logo_and_every_admin_page_names_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg") and "max-age=86400" in response.headers["Cache-Control"]
    login = client.get("/admin/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/logo.svg" type="image/svg+xml">' in login
    assert client.get("/static/logo.svg").status_code == 200
    face = client.get("/face/").get_data(as_text=True)          # one logo: the face page's too
    assert '<img class="face-logo" src="/static/logo.svg"' in face and '>H</span>' not in face
