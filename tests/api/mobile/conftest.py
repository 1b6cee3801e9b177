"""Fixtures for the ``mobile`` dialect's contract tests (contract 001, mounted at ``/api``).

Everything is exercised through HTTP (the Flask test client).  ``factory``
is extended with the rows the contract reads but the shared factory does not
make (posts, notifications, app versions); ``auth`` logs a user in through
``POST /api/login`` and returns the ``Authorization`` header.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest

from app.extensions import db
from app.notify.models import Notification
from app.posts.models import Post
from app.system.models import AppVersion
from tests import helpers
from tests.conftest import PASSWORD, Factory

#: How contract 001 prints timestamps: ``2026-01-30T10:00:00.000000Z``.
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
#: ``jam-absensi`` times: ``HH:MM:SS``.
HMS_RE = re.compile(r"^\d{2}:\d{2}:\d{2}$")

#: The office of the contract's examples and a position right at its centre.
OFFICE_LAT, OFFICE_LON = -6.2088, 106.8456
AT_OFFICE = {"latitude": "-6.2088", "longitude": "106.8456"}


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


class MobileFactory(Factory):
    """:class:`tests.conftest.Factory` plus posts, notifications and app versions."""

    def post(self, title="Pengumuman Libur Tahun Baru", slug=None, *, status="published", published_at=None,
             category="announcement", is_featured=False, is_pinned=False, author=None, **kw):
        self._n += 1
        if published_at is None and status == "published":
            published_at = now_utc() - timedelta(days=1, minutes=self._n)
        return self._commit(Post(
            title=title, slug=slug or f"post-{self._n}", status=status, published_at=published_at,
            category=category, is_featured=is_featured, is_pinned=is_pinned,
            author_id=author.id if author else None,
            excerpt=kw.pop("excerpt", "Diberitahukan kepada seluruh karyawan..."),
            content=kw.pop("content", "<p>Dengan hormat, diberitahukan kepada seluruh karyawan...</p>"),
            image=kw.pop("image", "blogs/image-1.jpg"),
            image_thumbnail=kw.pop("image_thumbnail", "blogs/thumbnail-1.jpg"),
            **kw))

    def notification(self, user, *, type="reminder", title="Reminder Absen",
                     body="Jangan lupa absen masuk hari ini!", is_read=False, created_at=None):
        self._n += 1
        return self._commit(Notification(
            user_id=user.id, type=type, title=title, body=body, is_read=is_read,
            read_at=now_utc() if is_read else None,
            created_at=created_at or now_utc() - timedelta(minutes=100 - self._n)))

    def app_version(self, platform="android", *, version_code="2.1.0", build_number=20, min_version_code="2.0.0",
                    min_build_number=15, maintenance_mode=False, maintenance_message=None, **kw):
        kw.setdefault("store_url", "https://play.google.com/store/apps/details?id=com.app.absensi")
        kw.setdefault("changelog", "- New features\n- Bug fixes")
        kw.setdefault("update_message", "Versi baru tersedia dengan fitur-fitur terbaru!")
        return self._commit(AppVersion(
            platform=platform, version_code=version_code, build_number=build_number,
            min_version_code=min_version_code, min_build_number=min_build_number,
            maintenance_mode=maintenance_mode, maintenance_message=maintenance_message, **kw))


@pytest.fixture
def factory(app, password_hash):
    return MobileFactory(app, password_hash)


def login(client, npp, device_id=None, password=PASSWORD, *, remote_addr="127.0.0.1"):
    """``POST /api/login`` from ``remote_addr``; returns the response."""
    return client.post("/api/login", json={"npp": npp, "password": password, "device_id": device_id or f"dev-{npp}"},
                       environ_base={"REMOTE_ADDR": remote_addr})


@pytest.fixture
def auth(client):
    """``auth(user_or_npp, device_id=None)`` → ``{"Authorization": "Bearer <token>"}`` via ``POST /api/login``."""

    def _auth(who, device_id=None):
        npp = who if isinstance(who, str) else who.npp
        r = login(client, npp, device_id)
        assert r.status_code == 200, r.json
        return {"Authorization": f"Bearer {r.json['access_token']}"}

    return _auth


@pytest.fixture
def count(app):
    """``count(Model, **filters)`` → number of rows, read in a fresh app context."""

    return partial(helpers.count, app)


@pytest.fixture
def fetch(app):
    """``fetch(Model, **filters)`` → list of rows (detached), read in a fresh app context."""

    return partial(helpers.fetch_all, app)


def validation_fields(response) -> set[str]:
    """Assert a contract 001 validation failure (422, rcode 01) and return the fields it names."""
    assert response.status_code == 422, response.json
    body = response.json
    assert body["rcode"] == "01"
    assert body["message"] == "Validation failed"
    assert set(body) == {"rcode", "message", "errors"}
    for messages in body["errors"].values():
        assert isinstance(messages, list) and messages and all(isinstance(m, str) and m for m in messages)
    return set(body["errors"])
