"""Versions of data that app processes cache in memory, shared by every app server.

A process may keep data it reads often and that changes rarely (the face gallery of
:mod:`app.faces.services`) as long as the data's version is the one it cached.  The
version lives in the database (:class:`~app.system.models.CacheVersion`, one row per
name) and is raised in the same transaction as the change, so:

- every gunicorn worker of every app server sees the change at its next lookup after
  the commit (never before: a rolled-back change leaves the version alone);
- checking costs one primary-key lookup, whatever the size of the cached data.

Usage: the owner of the data calls :func:`bump` whenever it changes (typically from a
SQLAlchemy flush hook, so that no code path can forget it), and readers compare
:func:`current` with the version they cached.
"""
from __future__ import annotations

from sqlalchemy import text

from ..extensions import db
from .models import CacheVersion

#: One statement for both databases (SQLite >= 3.24 and PostgreSQL >= 9.5 upsert).
_BUMP = text("INSERT INTO cache_versions (name, version) VALUES (:name, 1) "
             "ON CONFLICT (name) DO UPDATE SET version = cache_versions.version + 1")


def current(name: str) -> int:
    """The version of ``name`` as committed (0 when it never changed): one primary-key lookup."""
    version = db.session.scalar(db.select(CacheVersion.version).where(CacheVersion.name == name))
    return int(version or 0)


def bump(connection, name: str) -> None:
    """Raise the version of ``name`` by one on ``connection`` (in its transaction, not committed).

    Concurrent bumps of one name wait for each other's transaction (a row lock), so no
    change is lost; the row is created on first use.
    """
    connection.execute(_BUMP, {"name": name})
