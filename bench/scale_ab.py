#!/usr/bin/env python3
"""A/B of :mod:`bench.scale`'s probes: two source trees, one seeded database, interleaved.

A benchmark, not a test::

    .venv/bin/python bench/scale.py --only "clinic today" --keep    # seeds, prints "kept /tmp/hadir-scale-.../scale.sqlite3"
    .venv/bin/python bench/scale_ab.py --db-url sqlite:////tmp/hadir-scale-XXX/scale.sqlite3 \\
        /tmp/tree-before . --only clinic --rounds 2 --repeat 5 --bodies /tmp/ab-bodies

Each round runs every tree once, in turn (before, after, before, after ...), each in its own
process (``<tree>/.venv/bin/python`` if present, else this interpreter) importing that tree's
``app``; the probes (:data:`bench.scale.PROBES`, filtered by ``--only``) and the way of
signing in are this file's tree's, so both trees answer exactly the same requests.  A worker
requests each probe once to warm up and ``--repeat`` times, counting statements (as
``bench/scale.py``), and records the median wall and CPU ms of its process (on SQLite the
database's work included).  Tokens for the clinic, school, face and phone apps are issued in the
database for its first clinic staff member (``admin@scale.test`` and ``Staf 0000`` of
``bench/scale.py``'s seed); nothing else is written.

``--bodies DIR`` keeps each tree's answers (``DIR/<tree index>/<probe>.body``), with what
changes per request (the clinic envelope's ``timestamp`` and ``request_id``, CSRF tokens and
nonces) replaced; the driver then says which probes answered differently (byte for byte).
Printed: the load average before and after, and one line per probe with each round's CPU
(wall) ms per tree and the statements.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_VOLATILE = [
    (re.compile(rb'"timestamp": ?"[^"]*"'), b'"timestamp":"-"'),
    (re.compile(rb'"request_id": ?"[^"]*"'), b'"request_id":"-"'),
    (re.compile(rb'name="csrf_token"[^>]*?value="[^"]+"'), b'name="csrf_token" value="-"'),
    (re.compile(rb'<meta name="csrf-token" content="[^"]+"'), b'<meta name="csrf-token" content="-"'),
    (re.compile(rb'nonce="[^"]+"'), b'nonce="-"'),
    (re.compile(rb'"X-CSRFToken": "[^"]+"'), b'"X-CSRFToken": "-"'),
]


def _scale():
    spec = importlib.util.spec_from_file_location("bench_scale", HERE / "scale.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_scale"] = module   # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def worker(args) -> None:
    """Runs inside one tree (cwd = the tree, sys.path[0] = the tree): measures and prints JSON."""
    scale = _scale()
    os.environ["DATABASE_URL"] = args.db_url
    sys.path.insert(0, os.getcwd())
    import gc

    from app import create_app
    from app.accounts.api_tokens import issue_token
    from app.accounts.models import User
    from app.api.mobile.tokens import issue_access_token
    from app.common import clock
    from app.extensions import db

    app = create_app({"SECRET_KEY": scale.SECRET, "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "admin@scale.test"))
        person = db.session.scalar(db.select(User).where(User.name == "Staf 0000"))
        tokens = {"clinic_admin": issue_token(admin, "clinic")[0], "clinic": issue_token(person, "clinic")[0],
                  "school": issue_token(person, "school")[0], "face": issue_token(person, "face")[0]}
        db.session.commit()
        tokens["mobile"] = issue_access_token(person, "bench-scale-phone")[0]
        ids = {"person": person.id, "tokens": tokens, "today": clock.local_today()}
        seen = scale._statement_counter(db.engine)
    gc.collect()
    gc.freeze()
    clients = scale._clients(app, ids)
    context = scale._context(ids)
    results = {}
    for probe in scale.PROBES:
        if args.only and args.only.lower() not in probe.name.lower():
            continue
        client, headers = clients[probe.who]
        headers = {**headers, **probe.headers, **({"HX-Request": "true"} if probe.htmx else {})}
        path = scale._fill(probe.path, context)
        body = scale._fill(probe.body, context) if probe.body is not None else None
        wall, cpu, statements, answer = [], [], 0, b""
        for n in range(args.repeat + 1):
            seen.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.open(path, method=probe.method, json=body, headers=headers)
            answer = response.get_data()
            elapsed, used = (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000
            if response.status_code != probe.status:
                raise SystemExit(f"{probe.name}: answered {response.status_code}: {answer[:300]!r}")
            if n:
                wall.append(elapsed)
                cpu.append(used)
                statements = len(seen)
        if args.bodies:
            for pattern, replacement in _VOLATILE:
                answer = pattern.sub(replacement, answer)
            folder = Path(args.bodies)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{_slug(probe.name)}.body").write_bytes(answer)
        results[probe.name] = {"wall": statistics.median(wall), "cpu": statistics.median(cpu),
                               "statements": statements}
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", help="source trees to compare (e.g. a worktree of the old commit, and .)")
    parser.add_argument("--db-url", required=True, help="a database seeded by bench/scale.py --keep")
    parser.add_argument("--only", help="only the probes whose name contains this text")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per probe and round (after a warm-up)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--bodies", metavar="DIR", help="keep each tree's answers and compare them")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    trees = [Path(t).resolve() for t in args.trees]
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores) before",
          flush=True)
    runs: list[list[dict]] = [[] for _ in trees]
    for round_no in range(args.rounds):
        for index, tree in enumerate(trees):
            python = tree / ".venv/bin/python"
            command = [str(python if python.exists() else sys.executable), str(Path(__file__).resolve()),
                       "--worker", "--db-url", args.db_url, "--repeat", str(args.repeat)]
            if args.only:
                command += ["--only", args.only]
            if args.bodies and round_no == 0:
                command += ["--bodies", str(Path(args.bodies) / str(index))]
            done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{tree}: {done.stderr[-2000:]}")
            runs[index].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} after")
    print("CPU ms (wall ms) per round; statements: " + " | ".join(f"[{i}] {t}" for i, t in enumerate(trees)))
    for name in runs[0][0]:
        cells = []
        for index in range(len(trees)):
            rounds = " / ".join(f"{r[name]['cpu']:.0f} ({r[name]['wall']:.0f})" for r in runs[index])
            cells.append(f"[{index}] {rounds}, {runs[index][0][name]['statements']} st")
        same = ""
        if args.bodies:
            bodies = [(Path(args.bodies) / str(i) / f"{_slug(name)}.body").read_bytes() for i in range(len(trees))]
            same = "  same answer" if all(b == bodies[0] for b in bodies) else "  ANSWERS DIFFER"
        print(f"{name}: " + "  ".join(cells) + same)


if __name__ == "__main__":
    main()
