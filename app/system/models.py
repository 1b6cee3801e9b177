"""App versions per platform (contract 001, "App Version"), settings, and the versions of cached data."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

PLATFORMS = ("android", "ios")


class AppVersion(db.Model):
    """The latest and the minimum supported build of the mobile app on one platform.

    A client below ``min_build_number`` must update; below ``build_number`` may
    update; ``maintenance_mode`` blocks every client of the platform.
    """

    __tablename__ = "app_versions"
    __table_args__ = (CheckConstraint("platform IN ('android', 'ios')", name="platform_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(10), unique=True)
    version_code: Mapped[str] = mapped_column(String(20))
    build_number: Mapped[int]
    min_version_code: Mapped[str] = mapped_column(String(20))
    min_build_number: Mapped[int]
    store_url: Mapped[str | None] = mapped_column(String(255))
    changelog: Mapped[str | None] = mapped_column(Text)
    update_message: Mapped[str | None] = mapped_column(Text)
    maintenance_mode: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    maintenance_message: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class Setting(db.Model):
    """One organisation setting: ``key`` → ``value`` (text), typed by :mod:`app.system.settings`.

    The registry in :mod:`app.system.settings` names every known key, its type
    (integer, number, boolean, time, string), its range and its default; a row
    exists once a value was saved, otherwise the default applies.
    """

    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    value: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class CacheVersion(db.Model):
    """The version of one kind of data that app processes keep in memory (:mod:`app.system.cache_versions`).

    ``name``: what is cached (e.g. ``face_gallery``); ``version``: raised by one in the
    transaction of every change to that data, so a process compares the version it
    cached with this row (one primary-key lookup) and every app server on the
    database sees a change when it commits.  A missing row reads as version 0.
    """

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
