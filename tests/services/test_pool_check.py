"""The PostgreSQL engine's pool (:class:`app.common.pool_check.CheckedQueuePool`) replaces pooled
connections the server ended — ``pg_terminate_backend``, as a server restart does to every
connection — before a request uses them: the next request succeeds, without a ping for a
connection used a moment ago.  Runs in the PostgreSQL pass (``TEST_DATABASE_URL=postgresql://...``).
"""
from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy.pool import QueuePool

from app import create_app
from app.common import pool_check
from app.config import _engine_options
from app.extensions import db

APPLICATION = "hadir-pool-check-test"


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("the pool check is PostgreSQL's: runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    return url


def _app(url: str, **engine):
    """An app server on the test database with the production engine options (``engine`` overrides),
    its connections named :data:`APPLICATION` so the test ends only them."""
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    options = {**_engine_options(sa_url), **engine}
    options["connect_args"] = {**options.get("connect_args", {}), "application_name": APPLICATION}
    return create_app({"TESTING": True, "SECRET_KEY": "pool-check-secret-key-0123456789abcdef0123",
                       "SQLALCHEMY_DATABASE_URI": sa_url, "RATELIMIT_STORAGE_URI": "memory://",
                       "SQLALCHEMY_ENGINE_OPTIONS": options})


def _terminate_pooled(url: str) -> int:
    """End every server process of :data:`APPLICATION` (waiting for each to exit); how many."""
    with psycopg.connect(url, autocommit=True) as conn:
        ended = conn.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                             "WHERE application_name = %s AND pid <> pg_backend_pid()", (APPLICATION,)).fetchall()
    return len(ended)


@pytest.fixture
def pings(monkeypatch):
    """The round-trip pings the pool sent (one entry per ping)."""
    sent = []
    ping = pool_check._ping
    monkeypatch.setattr(pool_check, "_ping", lambda conn: sent.append(1) or ping(conn))
    return sent


@pytest.fixture
def server():
    made = []

    def make(**engine):
        made.append(_app(_postgres_url(), **engine))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_the_request_after_the_server_ended_every_pooled_connection_succeeds(app, server, pings):
    url = _postgres_url()
    checked = server()
    with checked.app_context():
        assert isinstance(db.engine.pool, pool_check.CheckedQueuePool)
    client = checked.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert pings == []                                   # used a moment ago: no round trip to check it
    assert _terminate_pooled(url) == 1
    assert client.get("/healthz").status_code == 200     # the dead connection was replaced, not used
    assert client.get("/healthz").status_code == 200
    assert pings == []


def test_a_connection_idle_longer_than_the_limit_is_pinged_and_replaced_when_dead(app, server, pings, monkeypatch):
    url = _postgres_url()
    checked = server()
    client = checked.test_client()
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(pool_check, "IDLE_PING_S", 0.0)  # every connection has now been idle too long
    monkeypatch.setattr(pool_check, "_readable", lambda conn: False)  # a silent drop: nothing to read
    assert client.get("/healthz").status_code == 200 and len(pings) == 1   # pinged, alive
    assert _terminate_pooled(url) == 1
    assert client.get("/healthz").status_code == 200     # the ping failed: replaced
    assert len(pings) == 2


def test_without_a_check_the_first_request_after_it_fails(app, server):
    # The scenario above is real: a pool that checks nothing hands out the dead connection.
    url = _postgres_url()
    unchecked = server(poolclass=QueuePool, pool_pre_ping=False)
    client = unchecked.test_client()
    assert client.get("/healthz").status_code == 200
    assert _terminate_pooled(url) == 1
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200     # SQLAlchemy then replaces the pool's connections
