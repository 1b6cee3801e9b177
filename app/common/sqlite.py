"""SQLite settings for the embedded deployment."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: ``Connection.info`` key: where the connection's transaction is (:func:`tune_sqlite`).
_STATE = "hadir.sqlite_transaction"
_PENDING, _READING, _WRITING = "pending", "reading", "writing"


def writes(statement: str, context) -> bool:
    """Whether ``statement`` needs SQLite's write lock: ``INSERT``/``UPDATE``/``DELETE``, a
    ``SELECT … FOR UPDATE`` (which SQLite cannot express, so the write lock stands in for the row
    lock PostgreSQL takes), ``SAVEPOINT``, DDL, ``PRAGMA`` — anything that is not a plain
    ``SELECT`` (or a compiled ``WITH … SELECT``).  When unsure, it writes."""
    compiled = getattr(context, "compiled", None)
    if compiled is not None:
        if getattr(compiled, "isinsert", False) or getattr(compiled, "isupdate", False) \
                or getattr(compiled, "isdelete", False):
            return True
        statement_object = getattr(compiled, "statement", None)
        if getattr(statement_object, "_for_update_arg", None) is not None:
            return True
        if getattr(statement_object, "is_select", False):
            return False
    return not statement.lstrip()[:6].upper().startswith("SELECT")


def tune_sqlite(engine: Engine) -> None:
    """WAL, a 5 s busy timeout, foreign keys, and the write lock taken only for the writes.

    WAL lets readers proceed while one writer commits (several gunicorn workers).  A
    transaction begins at its first statement: ``BEGIN`` (deferred: a read snapshot, no lock)
    when that reads, ``BEGIN IMMEDIATE`` (the write lock, waiting up to the busy timeout for
    it) when it writes (:func:`writes`).  A transaction that read first and writes now ends
    its read snapshot (``COMMIT``: nothing was written) and begins again with ``BEGIN
    IMMEDIATE`` before the write.  Writing from the old snapshot is what SQLite refuses: a
    deferred transaction that reads first and writes later fails at once with "database is
    locked" when another worker committed in between (its snapshot is stale, so
    ``busy_timeout`` cannot help); taking the write lock before the first write makes it wait
    its turn instead (SQLAlchemy's pysqlite recipe, "Serializable isolation / Savepoints /
    Transactional DDL", with the ``BEGIN`` moved to the first write).

    So the reads of a request (a check-in's token, schedule, previous position) run beside
    another worker's writes, and the write lock is held only from the first write to the
    commit.  What a transaction read before its first write may have changed by then, as on
    PostgreSQL under READ COMMITTED (each statement sees what was committed when it began):
    the rules that must hold under concurrency are kept by the database (unique constraints,
    conditional ``UPDATE … WHERE … IS NULL``, ``INSERT … ON CONFLICT``) or by ``SELECT … FOR
    UPDATE``, which here takes the write lock before it reads.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy's events emit BEGIN (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.info[_STATE] = _PENDING  # BEGIN at the first statement, as it needs

    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(conn, cursor, statement, parameters, context, executemany):
        state = conn.info.get(_STATE)
        if state is None or state == _WRITING:
            return
        if writes(statement, context):
            if state == _READING:
                cursor.execute("COMMIT")  # the read snapshot ends; nothing was written
            cursor.execute("BEGIN IMMEDIATE")
            conn.info[_STATE] = _WRITING
        elif state == _PENDING:
            cursor.execute("BEGIN")
            conn.info[_STATE] = _READING

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):
        conn.info.pop(_STATE, None)
