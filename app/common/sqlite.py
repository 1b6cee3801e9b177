"""SQLite settings for the embedded deployment."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def tune_sqlite(engine: Engine) -> None:
    """WAL, a 5 s busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` transactions.

    WAL lets readers proceed while one writer commits (several gunicorn
    workers).  A deferred SQLite transaction that reads first and writes later
    fails at once with "database is locked" when another worker committed in
    between (its snapshot is stale, so ``busy_timeout`` cannot help); taking
    the write lock at ``BEGIN`` makes it wait its turn instead (SQLAlchemy's
    documented pysqlite recipe, "Serializable isolation / Savepoints / Transactional DDL").
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
