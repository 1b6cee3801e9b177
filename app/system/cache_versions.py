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

import time

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

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


# --- per-process caches behind a version ----------------------------------------------------------
#
# :class:`VersionedCache` keeps small, rarely changed lookups (an office by its code, a few
# settings) in each worker's memory.  :func:`watch` names the models whose ORM changes raise
# a cache's version (a flush hook, so no code path can forget it).  A request that already
# read the versions in a statement it makes anyway (every dialect's token statement, through
# :func:`column` and :func:`note`) pays no round trip for them; any other caller pays one
# primary-key lookup per version per transaction.

#: Seconds a cached value is trusted at most, whatever its version: changes made without the
#: ORM (SQL typed into ``psql``, a restored backup that turns a version back) are seen after it.
LOCAL_CACHE_TTL_S = 60.0

_NOTED = "cache_versions.noted"  # session.info: {name: version} read in this transaction
_BUMPED = "cache_versions.bumped"  # session.info: names raised in this transaction
_watched: dict[type, set[str]] = {}
_caches: list[VersionedCache] = []


def column(name: str):
    """A labelled scalar subquery of the version of ``name`` (0 when it never changed), to add to
    a statement a request makes anyway; hand the value to :func:`note`."""
    return (func.coalesce(select(CacheVersion.version).where(CacheVersion.name == name).scalar_subquery(), 0)
            .label(f"cache_version_{name}"))


def note(session, versions: dict[str, int]) -> None:
    """Remember ``{name: version}`` read by the current transaction of ``session``, so
    :func:`version` needs no statement for them (forgotten when the transaction ends)."""
    noted = session.info.setdefault(_NOTED, {})
    for name, value in versions.items():
        if name not in session.info.get(_BUMPED, ()):
            noted[name] = int(value or 0)


def version(name: str) -> int:
    """The version of ``name`` seen by the session's transaction: noted (:func:`note`) or read
    (:func:`current`, then noted)."""
    session = db.session()
    noted = session.info.setdefault(_NOTED, {})
    if name not in noted:
        noted[name] = current(name)
    return noted[name]


def changed(name: str) -> bool:
    """True when the session's current transaction raised the version of ``name`` (a change of
    a watched model, not committed yet): data cached for ``name`` does not describe what this
    transaction sees."""
    return name in db.session().info.get(_BUMPED, ())


class VersionedCache:
    """A per-process ``key → value`` cache of the data named ``name`` (one version for it all).

    :meth:`get` returns the cached value while the version the transaction sees
    (:func:`version`) is the one it was cached at and the cache is younger than
    :data:`LOCAL_CACHE_TTL_S`; otherwise it calls ``load(key)`` and keeps the result.  The
    version is read before the data, so a change committed in between is read now and read
    again next time, never missed.  A transaction that itself changed the data (raised the
    version, not yet committed) gets fresh reads and stores nothing: if it rolls back, no
    worker keeps values that were never committed.  One cache per database URL.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._buckets: dict[object, tuple[int, float, dict]] = {}
        _caches.append(self)

    def get(self, key, load):
        """The value of ``key``: cached, or ``load(key)`` (cached when the transaction allows)."""
        session = db.session()
        if self.name in session.info.get(_BUMPED, ()):
            return load(key)
        current_version = version(self.name)
        url = session.get_bind().url
        now = time.monotonic()
        bucket = self._buckets.get(url)
        if bucket is None or bucket[0] != current_version or now - bucket[1] > LOCAL_CACHE_TTL_S:
            bucket = (current_version, now, {})
            self._buckets[url] = bucket
        values = bucket[2]
        try:
            return values[key]
        except KeyError:
            value = values[key] = load(key)
            return value

    def clear(self) -> None:
        """Forget every cached value of this process."""
        self._buckets.clear()


def clear_local_caches() -> None:
    """Forget every :class:`VersionedCache` of this process (tests whose database restarts ids)."""
    for cache_ in _caches:
        cache_.clear()


def watch(name: str, *models: type) -> None:
    """Raise the version of ``name`` in the transaction of every ORM change of ``models``: an
    object added, deleted or changed in a flush, or an ORM ``insert/update/delete`` of their
    tables through the session."""
    for model in models:
        _watched.setdefault(model, set()).add(name)


def _raise(session, names) -> None:
    bumped = session.info.setdefault(_BUMPED, set())
    noted = session.info.get(_NOTED, {})
    for name in sorted(names):
        bump(session.connection(), name)
        bumped.add(name)
        noted.pop(name, None)


@event.listens_for(Session, "after_flush")
def _bump_watched(session, _flush_context) -> None:
    if not _watched:
        return
    names: set[str] = set()
    for obj in (*session.new, *session.deleted):
        names |= _watched.get(type(obj), set())
    for obj in session.dirty:
        found = _watched.get(type(obj))
        if found and session.is_modified(obj):
            names |= found
    if names:
        _raise(session, names)


@event.listens_for(Session, "do_orm_execute")
def _bump_watched_dml(state) -> None:
    if not (_watched and (state.is_insert or state.is_update or state.is_delete)):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    names = set().union(*(found for model, found in _watched.items() if model.__tablename__ == table))
    if names:
        _raise(state.session, names)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_NOTED, None)
        session.info.pop(_BUMPED, None)
