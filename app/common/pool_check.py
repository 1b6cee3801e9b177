"""A pooled PostgreSQL connection is checked before a request uses it, without a round trip when it was just used.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` to the server at every checkout from the
pool, so every request pays one round trip more (on a busy app server: two context switches on
each side per request) to learn what is nearly always true.  :class:`CheckedQueuePool` (the
pool of the PostgreSQL engine, ``poolclass`` in :func:`app.config._engine_options`) checks
instead, at checkout (the "checkout" pool event raising
:class:`~sqlalchemy.exc.DisconnectionError`, the mechanism of SQLAlchemy's "Disconnect
Handling — Pessimistic": the pool then discards that connection and hands out a fresh one, up to
three attempts, and the request never sees the dead one):

- a connection idle in the pool longer than :data:`IDLE_PING_S` seconds is pinged with a round
  trip (``SELECT 1`` in autocommit, as ``pool_pre_ping`` does on psycopg): a connection
  a firewall or NAT silently dropped after minutes of silence is found so;
- any other connection is checked without a round trip: an idle connection never has anything to
  read, so when its socket is readable (a zero-timeout ``select``) the server has closed it or
  sent its last words (``pg_terminate_backend``, a server restart or shutdown, an idle-session
  timeout: the server sends a ``FATAL`` message and closes the socket), and it is discarded.
  A readable socket for a harmless reason (a ``NOTICE`` sent outside a query) only costs a new
  connection.

What neither catches: a connection that broke in the few seconds after its last use without the
server saying so (a network cut without a reset).  Its request fails once with the driver's
error, answered 503 (:mod:`app.common.database`); SQLAlchemy then invalidates the whole pool
(every connection made before the failure is replaced at its next checkout), as with
``pool_pre_ping``, which has the same window between its ping and the query.
"""
from __future__ import annotations

import select
import time

from sqlalchemy import event, exc
from sqlalchemy.pool import QueuePool

#: Seconds a connection may sit in the pool before its checkout pings the server (a round trip).
#: Below the idle timeouts of firewalls and NAT (minutes) and above the gap between a busy
#: worker's requests.
IDLE_PING_S = 10.0

_RETURNED_AT = "pool_check.returned_at"  # connection record info: time.monotonic() of the last checkin


class CheckedQueuePool(QueuePool):
    """SQLAlchemy's :class:`~sqlalchemy.pool.QueuePool` whose checkouts are checked as the module
    says (a socket poll, or a ping after :data:`IDLE_PING_S` seconds idle); use it with
    ``pool_pre_ping`` off."""


def _readable(dbapi_connection) -> bool:
    """True when the DBAPI connection's socket has data or end-of-file waiting (zero timeout), or
    it has no socket any more; False when the driver offers none to poll (``fileno``)."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return False
    try:
        ready, _, _ = select.select([fileno()], [], [], 0)
    except Exception:  # a closed connection has no descriptor (the driver's own error)
        return True
    return bool(ready)


def _ping(dbapi_connection) -> None:
    """``SELECT 1`` on the DBAPI connection outside any transaction (autocommit while it runs, as
    SQLAlchemy's psycopg ``do_ping``), so the request's own transaction begins as before."""
    autocommit = getattr(dbapi_connection, "autocommit", None)
    if autocommit is False:
        dbapi_connection.autocommit = True
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    finally:
        if autocommit is False and not getattr(dbapi_connection, "closed", False):
            dbapi_connection.autocommit = False


@event.listens_for(CheckedQueuePool, "checkout")
def _check(dbapi_connection, record, proxy) -> None:
    returned_at = record.info.get(_RETURNED_AT)
    if returned_at is None:  # made for this checkout
        return
    if time.monotonic() - returned_at > IDLE_PING_S:
        try:
            _ping(dbapi_connection)
        except Exception as error:  # the driver's own error type, whatever the driver
            raise exc.DisconnectionError(f"pooled connection failed its ping: {error}") from error
    elif _readable(dbapi_connection):
        raise exc.DisconnectionError("the server closed the pooled connection")


@event.listens_for(CheckedQueuePool, "checkin")
def _returned(dbapi_connection, record) -> None:
    record.info[_RETURNED_AT] = time.monotonic()
