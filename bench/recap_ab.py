#!/usr/bin/env python3
"""The month recap's requests, an A/B of two checkouts on one seeded database, CPU time.

A benchmark, not a test::

    .venv/bin/python bench/scale.py --only recap --keep          # seeds once, prints "kept <file>"
    git worktree add --detach /tmp/before <commit>                # the tree to compare with
    .venv/bin/python bench/recap_ab.py /tmp/before . --db sqlite:////tmp/hadir-scale-XXXX/scale.sqlite3
    .venv/bin/python bench/recap_ab.py /tmp/before . --db postgresql://postgres@127.0.0.1/hadir_bench_scale_NNN

For each round and each checkout in turn, a child process builds that checkout's app on the
database (nothing is written to it but the administrator's sign-in), signs in as the
``bench/scale.py`` administrator, requests each probe once to warm up, freezes the start-up
objects (``gc.freeze()``, as ``wsgi.py`` does) and then requests it ``--repeat`` times through
Flask's test client, measuring the process's CPU time (``time.process_time``: on SQLite it
includes the database's work; on PostgreSQL the server's is not in it), the wall time and the
SQL statements.  Prints per probe the median CPU ms (wall ms in brackets) of each checkout and
round, the statements, and whether both checkouts answered the same HTML and CSV (CSRF tokens
and nonces aside), with the load average before and after.  CPU time of interleaved rounds
because the machine is shared: a wall time moves with the other processes' load.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: ``(name, path, htmx)``; ``{month}`` is the month measured (YYYY-MM).
PROBES = [
    ("recap page (month, 50 people a page, totals of everyone)", "/admin/attendance/recap?month={month}", False),
    ("recap htmx fragment", "/admin/attendance/recap?month={month}", True),
    ("recap page 20 (htmx)", "/admin/attendance/recap?month={month}&page=20", True),
    ("recap.xlsx", "/admin/attendance/recap.xlsx?month={month}", False),
    ("recap.pdf", "/admin/attendance/recap.pdf?month={month}", False),
    ("recap.csv", "/admin/attendance/recap.csv?month={month}", False),
    ("dashboard month chart (htmx)", "/admin/attendance/month-chart", True),
]
#: What differs between two answers of the same content: CSRF tokens (also htmx's header), CSP nonces.
VOLATILE = re.compile(r'(nonce=|value=|content=|"X-CSRFToken": )"[A-Za-z0-9._\-+/=]{24,}"')


def child(root: str, db_url: str, month: str, repeat: int, bodies: str) -> None:
    """Time the probes in checkout ``root``; print one JSON line ``{name: {cpu, wall, statements}}``."""
    import gc

    sys.path.insert(0, root)
    os.chdir(root)
    os.environ["DATABASE_URL"] = db_url
    sys.path.insert(0, str(HERE))
    from scale import PASSWORD, SECRET, _statement_counter

    from app import create_app
    from app.extensions import db

    app = create_app({"SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        seen = _statement_counter(db.engine)
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)
    response = client.post("/admin/login", data={"identifier": "admin@scale.test", "password": PASSWORD,
                                                 "csrf_token": token})
    assert response.status_code == 302, response.status_code
    for _name, path, htmx in PROBES:   # warm-up: templates compiled, statements cached
        client.get(path.format(month=month), headers={"HX-Request": "true"} if htmx else {})
    gc.collect()
    gc.freeze()
    result = {}
    for n, (name, path, htmx) in enumerate(PROBES):
        cpu, wall = [], []
        for _ in range(repeat):
            seen.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path.format(month=month), headers={"HX-Request": "true"} if htmx else {})
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        if bodies and not path.split("?")[0].endswith((".xlsx", ".pdf")):
            Path(bodies, f"{n}.txt").write_text(VOLATILE.sub(r'\1""', response.get_data(as_text=True)))
        result[name] = {"cpu": statistics.median(cpu), "wall": statistics.median(wall), "statements": len(seen)}
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="checkout A (e.g. a worktree of the commit before)")
    parser.add_argument("after", help="checkout B")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a database seeded by bench/scale.py --keep")
    parser.add_argument("--month", help="YYYY-MM (default: last month)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="timed requests per probe (after one warm-up)")
    args = parser.parse_args()
    month = args.month or f"{date.today().replace(day=1) - timedelta(days=1):%Y-%m}"
    db_url = args.db.replace("postgresql://", "postgresql+psycopg://", 1)
    trees = {"A": str(Path(args.before).resolve()), "B": str(Path(args.after).resolve())}
    load = lambda: " ".join(f"{x:.2f}" for x in os.getloadavg())  # noqa: E731
    print(f"load average {load()}; A = {trees['A']}, B = {trees['B']}; {month}; "
          f"{args.rounds} rounds x {args.repeat} requests per probe", flush=True)
    runs = {"A": [], "B": []}
    folders = {key: tempfile.mkdtemp(prefix=f"recap-ab-{key}-") for key in trees}
    for _round in range(args.rounds):
        for key, root in trees.items():
            out = subprocess.run([sys.executable, __file__, "--child", root, db_url, month, str(args.repeat),
                                  folders[key]], check=True, capture_output=True, text=True).stdout
            runs[key].append(json.loads(out.strip().splitlines()[-1]))
            print(f"  round {_round + 1} {key} done, load average {load()}", flush=True)
    print(f"{'probe':<58} {'A CPU ms (wall) per round':>34} {'B CPU ms (wall) per round':>34}  stmts A → B  same")
    for n, (name, path, _htmx) in enumerate(PROBES):
        cells = {key: " / ".join(f"{r[name]['cpu']:.0f} ({r[name]['wall']:.0f})" for r in runs[key]) for key in runs}
        a, b = (Path(folders[key], f"{n}.txt") for key in ("A", "B"))
        same = "—" if not a.exists() else ("yes" if a.read_text() == b.read_text() else "NO")
        print(f"{name:<58} {cells['A']:>34} {cells['B']:>34}  "
              f"{runs['A'][-1][name]['statements']:>3} → {runs['B'][-1][name]['statements']:<3}  {same}")
    print(f"load average {load()} at the end")
    for folder in folders.values():
        subprocess.run(["rm", "-rf", folder], check=False)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    else:
        main()
