"""SQLite's write lock is taken for the writes only (:func:`app.common.sqlite.tune_sqlite`).

Two workers are two connections to one database file.  A transaction that only reads holds no
lock; one that read first and writes later waits for the other worker's write instead of
failing with "database is locked" on its stale snapshot; ``SELECT … FOR UPDATE`` takes the
write lock before it reads.  SQLite only: PostgreSQL has row locks of its own.
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, insert, select, text, update

from app.common.sqlite import tune_sqlite, writes
from app.extensions import db
from app.system.models import Setting


@pytest.fixture
def engines(app, tmp_path):
    """Two engines (two workers) on one fresh SQLite file tuned as the app's, with a table ``t``."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's locking")
    made = []
    for _ in range(2):
        engine = create_engine(f"sqlite:///{tmp_path}/locks.sqlite3", connect_args={"timeout": 5})
        tune_sqlite(engine)
        made.append(engine)
    with made[0].begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO t (id, n) VALUES (1, 0)"))
    yield made
    for engine in made:
        engine.dispose()


def test_a_reading_transaction_holds_no_lock(engines):
    first, second = engines
    with first.connect() as reader:
        assert reader.execute(text("SELECT n FROM t WHERE id = 1")).scalar() == 0
        started = time.monotonic()
        with second.begin() as writer:  # would wait 5 s for a reader that held the write lock
            writer.execute(text("UPDATE t SET n = n + 1"))
        assert time.monotonic() - started < 1
        reader.rollback()


def test_a_transaction_that_read_before_another_commit_still_writes(engines):
    """The classic failure of deferred transactions: A reads, B writes and commits, A writes.
    A's write waits for the lock and runs on what B committed; nothing is lost."""
    first, second = engines
    with first.connect() as a:
        assert a.execute(text("SELECT n FROM t WHERE id = 1")).scalar() == 0
        with second.begin() as b:
            b.execute(text("UPDATE t SET n = n + 1"))
        a.execute(text("UPDATE t SET n = n + 10"))
        assert a.execute(text("SELECT n FROM t WHERE id = 1")).scalar() == 11
        a.commit()
    with first.connect() as check:
        assert check.execute(text("SELECT n FROM t")).scalar() == 11


def test_writers_wait_for_each_other_and_every_increment_counts(engines):
    """Two workers, each 50 transactions of read-then-write (the check-in's shape): no "database
    is locked", no lost increment (the UPDATE computes from the row, as a check-in's conflict
    is judged by the database)."""
    errors = []

    def work(engine):
        try:
            for _ in range(50):
                with engine.begin() as conn:
                    conn.execute(text("SELECT n FROM t WHERE id = 1")).scalar()
                    conn.execute(text("UPDATE t SET n = n + 1 WHERE id = 1"))
        except Exception as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engines[0].connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalar() == 100


def test_select_for_update_takes_the_write_lock_before_it_reads(engines):
    first, second = engines
    from sqlalchemy import Column, Integer, MetaData, Table

    t = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer))
    with first.connect() as locker:
        assert locker.execute(select(t.c.n).where(t.c.id == 1).with_for_update()).scalar() == 0
        with second.connect() as other:
            other.connection.dbapi_connection.execute("PRAGMA busy_timeout=100")
            with pytest.raises(Exception, match="locked"):
                other.execute(text("UPDATE t SET n = 5"))
            other.rollback()
        locker.execute(text("UPDATE t SET n = n + 1"))
        locker.commit()


def test_what_counts_as_a_write(app):
    with app.app_context():
        dialect = db.engine.dialect

        def ctx(statement):
            class Context:
                compiled = statement.compile(dialect=dialect)
            return Context, str(Context.compiled)

        for statement, expected in [
            (select(Setting.key), False),
            (select(Setting.key).with_for_update(), True),
            (select(Setting.key).cte("c").select(), False),
            (insert(Setting).values(key="k", value="v"), True),
            (update(Setting).values(value="v"), True),
        ]:
            context, sql = ctx(statement)
            assert writes(sql, context) is expected, sql
        assert writes("SELECT 1", None) is False
        for sql in ("SAVEPOINT sa_1", "INSERT INTO t VALUES (1)", "WITH x AS (SELECT 1) DELETE FROM t",
                    "CREATE TABLE x (a)", "PRAGMA foreign_keys=OFF"):
            assert writes(sql, None) is True, sql
