"""Settings read from environment variables, with safe defaults.

Every setting has a default that runs the embedded deployment (SQLite in
``instance/``, in-process rate-limit storage).  Production sets
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from .common.pool_check import CheckedQueuePool

#: Where each JSON dialect is mounted by default (DESIGN.md, "The five client APIs").
DEFAULT_DIALECT_MOUNTS = {
    "mobile": "/api",
    "school": "/api",
    "igd": "/igd/api",
    "face": "/face/api",
    "clinic": "/api/v2",
}


def _secret_key(instance_path: Path) -> str:
    """Return ``SECRET_KEY`` from the environment, else one kept in ``instance/``.

    The key is generated once with :func:`secrets.token_urlsafe` (48 bytes) and
    stored in ``instance/secret_key`` (mode 0600), so sessions and JWTs survive a
    restart and no constant key ever lives in the code.
    """
    env = os.environ.get("SECRET_KEY")
    if env:
        return env
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _normalise_db_url(url: str) -> str:
    """Map ``postgres://``/``postgresql://`` URLs onto the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _engine_options(url: str) -> dict:
    """SQLAlchemy engine options.  For PostgreSQL: the pool
    :class:`~app.common.pool_check.CheckedQueuePool` (a connection the server closed, or one
    silent for more than a few seconds and then found dead by a ping, is replaced, not used;
    a connection used a moment ago costs no round trip, unlike ``pool_pre_ping``) and a
    ``connect_timeout`` of ``DB_CONNECT_TIMEOUT_S`` seconds (default 5), so an unreachable
    server makes requests and ``/healthz`` answer 503 within seconds instead of waiting for the
    operating system's TCP timeout (minutes).  SQLite needs neither: a file has no connection
    to lose."""
    options: dict = {}
    if url.startswith("postgresql"):
        options["poolclass"] = CheckedQueuePool
        options["connect_args"] = {"connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT_S", 5))}
    return options


def _dialect_mounts() -> dict[str, str]:
    """Dialect mounts: defaults overridden by ``MOUNT_<DIALECT>`` variables.

    ``MOUNT_MOBILE=/api`` mounts the mobile dialect at ``/api``;
    ``MOUNT_MOBILE=off`` leaves it unmounted.
    """
    mounts = {}
    for name, default in DEFAULT_DIALECT_MOUNTS.items():
        value = os.environ.get(f"MOUNT_{name.upper()}", default).strip()
        if value.lower() in {"", "off", "none", "false"}:
            continue
        mounts[name] = "/" + value.strip("/") if value != "/" else ""
    return mounts


def load_config(instance_path: Path) -> dict:
    """Build the Flask config mapping from the environment.

    Keys: ``SQLALCHEMY_DATABASE_URI``, ``SECRET_KEY``, ``REDIS_URL`` (or None),
    ``TIMEZONE`` (IANA name, default ``Asia/Jakarta``), ``ORGANISATION_NAME`` (the header of printed
    reports such as the monthly recap; default the ``school_name`` setting), ``DIALECT_MOUNTS``
    (dialect → URL prefix), ``JWT_ACCESS_TTL_S`` (seconds, default 12 h),
    ``TRUSTED_PROXIES`` (how many reverse proxies set ``X-Forwarded-*``; 0 = none),
    ``LOGIN_ADDRESS_LIMIT`` (refused sign-ins per client address across accounts and apps,
    Flask-Limiter syntax, default ``20 per minute``: :func:`app.common.ratelimit.login_address_limit`),
    ``UPLOAD_FOLDER`` (photos; default ``instance/uploads``),
    ``CLINIC_SESSION_DAYS`` / ``CLINIC_REMEMBER_ME_DAYS`` (clinic token lifetimes in
    days, default 30 / 90), ``FACE_ENROL_ON_FIRST_USE`` (bool, default off) and ``FACE_ALLOWED_ORIGINS``
    (list of origins) of the ``face`` dialect (:mod:`app.api.face.settings`), and
    the extension settings derived from them.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'hadir.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(_normalise_db_url(db_url)),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        "LOGIN_ADDRESS_LIMIT": os.environ.get("LOGIN_ADDRESS_LIMIT") or "20 per minute",
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Jakarta"),
        "ORGANISATION_NAME": os.environ.get("ORGANISATION_NAME") or None,
        "DIALECT_MOUNTS": _dialect_mounts(),
        "JWT_ACCESS_TTL_S": int(os.environ.get("JWT_ACCESS_TTL_S", 12 * 3600)),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(instance_path / "uploads"),
        "CLINIC_SESSION_DAYS": int(os.environ.get("CLINIC_SESSION_DAYS", 30)),
        "CLINIC_REMEMBER_ME_DAYS": int(os.environ.get("CLINIC_REMEMBER_ME_DAYS", 90)),
        "FACE_ENROL_ON_FIRST_USE": os.environ.get("FACE_ENROL_ON_FIRST_USE", "0").strip().lower()
        in ("1", "true", "yes", "on"),
        "FACE_ALLOWED_ORIGINS": [o.strip() for o in os.environ.get("FACE_ALLOWED_ORIGINS", "").split(",")
                                 if o.strip()],
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_SUPPORTED_LOCALES": ["id", "en"],
        "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Flask-Login's "keep me signed in" cookie; Secure over HTTPS: app.common.cookies
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
    }
