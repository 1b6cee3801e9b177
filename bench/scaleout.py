#!/usr/bin/env python3
"""Scale-out figures: the check-in through ``deploy/``'s nginx and app servers, in one run.

A benchmark, not a test: ``.venv/bin/python bench/scaleout.py`` (PostgreSQL and Redis on
127.0.0.1; nginx, openssl and wrk from ``scripts/install-system-deps.sh``).  Each layout
gets a fresh PostgreSQL database seeded as ``bench/checkin.py`` seeds it (2,000 employees,
a bound phone and a JWT each, a work schedule open now) and the same saturation load: wrk
4.1, 1 thread, 32 connections, ``bench/checkin.lua``, each employee's check-in once.  The
app servers are ``deploy/systemd/hadir@.service`` with ``deploy/gunicorn.conf.py`` and
rate limits in Redis (as in production); nginx is ``deploy/nginx/hadir.conf`` with TLS
(``deploy/loopback.py``: only ports and paths differ).  Layouts (``--layouts``):

- ``direct-1x2``: one app server, 2 workers, wrk on its own port (no proxy);
- ``proxy-1x2``:  the same server behind nginx, wrk over HTTPS (TLS + proxy cost);
- ``proxy-2x1``:  two app servers × 1 worker behind nginx (same 2 workers, split);
- ``proxy-2x2``:  two app servers × 2 workers behind nginx (4 workers on the 2 cores).

Every layout runs in the same invocation so their ratios are comparable; on one machine
all servers, nginx, PostgreSQL, Redis and wrk share the same cores, so this measures the
cost of the layout, not the capacity of more machines.  Prints requests/s, p50/p99, the
answers and the check-ins counted (exactly one per employee, or MISMATCH), and the load
average before and after.

It also prints the **CPU time per check-in** of the app servers (gunicorn arbiter and
workers), of nginx and of the PostgreSQL backends serving the app's connections (from
``/proc/<pid>/stat``, between the start and the end of the load).  Unlike requests/s on a
shared machine, CPU time per request barely depends on what else runs, and it is what a
capacity plan needs: check-ins per second per core = 1000 / (CPU ms per check-in).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import checkin  # noqa: E402  (bench/checkin.py: seeding, wrk, counting)
from deploy import loopback  # noqa: E402

LAYOUTS = {"direct-1x2": (1, 2, False), "proxy-1x2": (1, 2, True), "proxy-2x1": (2, 1, True),
           "proxy-2x2": (2, 2, True)}


TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> float:
    """User + system CPU seconds used so far by ``pids`` (``/proc/<pid>/stat``; gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total * TICK_S


def process_tree(pid: int) -> list[int]:
    """``pid`` and its children (gunicorn's workers, nginx's worker)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(p) for p in task.read_text().split()]
    return pids


def postgres_backends(url: str) -> list[int]:
    """Process ids of the PostgreSQL backends connected to the database of ``url`` (the app workers' pools)."""
    import psycopg

    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]


def settle(db, quiet_s: float = 1.0, limit_s: float = 30.0) -> None:
    """Wait until the check-in count stops moving (requests that were still queued at the app
    servers when wrk stopped are finished), so that stopping the servers drops nothing."""
    deadline = time.monotonic() + limit_s
    last = db.count_check_ins()
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = db.count_check_ins()
        if now == last:
            return
        last = now


def run_layout(name: str, args, tmp: Path) -> dict:
    """Seed a fresh database, start the layout, load it, count the check-ins; stop everything."""
    servers, workers, proxied = LAYOUTS[name]
    db = checkin.Database("postgres", tmp, args.pg_url)
    seed_env = checkin.server_env(db, argparse.Namespace(timezone="Asia/Jakarta", redis=None))
    tokens_file = checkin.prepare_hadir(db, seed_env, tmp, args.employees, name)
    tokens = tokens_file.read_text().split()
    values = {**loopback.read_env_file(), "DATABASE_URL": db.url, "REDIS_URL": args.redis,
              "SECRET_KEY": checkin.SECRET_KEY, "UPLOAD_FOLDER": str(tmp / "uploads"),
              "HADIR_BIND_HOST": "127.0.0.1", "WEB_CONCURRENCY": str(workers), "TIMEZONE": "Asia/Jakarta"}
    processes = []
    try:
        ports = [loopback.free_port() for _ in range(servers)]
        for port in ports:
            processes.append(loopback.app_server(port, values, tmp / f"{name}-{port}.log").start())
        for process, port in zip(processes, ports):
            process.wait_http(port)
        for port in ports:  # every worker imports, connects and compiles before the clock runs
            checkin.warm_up(port, tokens)
        proxy = None
        if proxied:
            https, http = loopback.free_port(), loopback.free_port()
            cert, key = loopback.self_signed_certificate(tmp)
            conf = loopback.render_nginx(tmp / f"nginx-{name}", ports, http_port=http, https_port=https,
                                         cert=cert, key=key)
            proxy = loopback.nginx(conf, tmp / f"nginx-{name}.log").start()
            processes.append(proxy)
            proxy.wait_http(https, context=loopback.tls_context(cert))
        groups = {"app": [pid for p in processes[:servers] for pid in process_tree(p.proc.pid)],
                  "nginx": process_tree(proxy.proc.pid) if proxy else [],
                  "postgres": postgres_backends(db.pg_url)}
        before = {k: cpu_seconds(v) for k, v in groups.items()}
        if proxied:
            result = checkin.run_wrk(https, tokens_file, args.employees, args.connections, 1, timeout_s=180,
                                     scheme="https")
        else:
            result = checkin.run_wrk(ports[0], tokens_file, args.employees, args.connections, 1, timeout_s=180)
        settle(db)
        result["cpu_ms_per_check_in"] = {k: (cpu_seconds(v) - before[k]) * 1000 / args.employees
                                         for k, v in groups.items()}
        result["postgres_backends"] = len(groups["postgres"])
    finally:
        for process in reversed(processes):
            process.stop()
    result.pop("wrk_stdout", None)
    result["db_count"] = checkin.check_count(db, args.employees)
    db.drop()
    result.update(layout=name, servers=servers, workers_per_server=workers, proxy=proxied)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1/hadir_bench_scaleout",
                        help="PostgreSQL database to create and drop for each layout")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="rate-limit storage (default db 14)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS), help=f"comma-separated, of {', '.join(LAYOUTS)}")
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    layouts = [n.strip() for n in args.layouts.split(",") if n.strip()]
    unknown = set(layouts) - set(LAYOUTS)
    if unknown:
        parser.error(f"unknown layouts: {', '.join(sorted(unknown))}")
    checkin.require_wrk()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="hadir-scaleout-"))
    results = []
    try:
        for name in layouts:
            checkin.log(f"{name}: seeding and starting ...")
            results.append(run_layout(name, args, tmp))
            r = results[-1]
            checkin.log(f"{name}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                        f"load {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    print(f"\nHadir scale-out benchmark — PostgreSQL, Redis rate limits, {args.employees:,} employees, "
          f"{os.cpu_count()} CPUs; load average before {load_before[0]:.2f} / {load_before[1]:.2f}, "
          f"after {load_after[0]:.2f} / {load_after[1]:.2f} (1 / 5 min)")
    print("Saturation — wrk 4.1, 1 thread, {} connections, each employee's check-in once:".format(args.connections))
    print(f"  {'layout':12} {'servers':>7} {'workers':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'vs direct':>9}  answers (00 / 82 / other), check-ins in the database")
    base = next((r["rps"] for r in results if r["layout"] == "direct-1x2" and r["rps"]), None)
    ok = True
    for r in results:
        c = r["db_count"]
        ratio = f"{r['rps'] / base:.2f}" if base and r["rps"] else "-"
        # wrk stops at N answers; through nginx a few of them are the "82" of tokens sent again
        # while originals still waited at an app server.  Those originals are finished before
        # the servers stop (settle), so every employee is still counted exactly once.
        sound = c["ok"] and c["check_ins"] >= r["rcode_00"]
        unanswered = args.employees - r["rcode_00"] - r["rcode_other"]
        print(f"  {r['layout']:12} {r['servers']:>7} {r['workers_per_server']:>7} {r['rps'] or 0:>7,.0f} "
              f"{checkin.fmt_ms(r['p50_ms']):>7} {checkin.fmt_ms(r['p99_ms']):>7} {ratio:>9}  "
              f"{r['rcode_00']:,} / {r['rcode_82']:,} / {r['rcode_other']:,}, {c['check_ins']:,} "
              f"{'OK' if sound else 'MISMATCH'}"
              + (f" ({unanswered} finished after wrk stopped)" if unanswered else ""))
        ok &= sound and r["rcode_other"] == 0 and r["threads_finished"] == r["threads"]
    print("CPU time per check-in (ms; app = gunicorn arbiter and workers, nginx = master and worker,\n"
          "postgres = the backends of the app's connections; wrk, Redis and the rest not counted):")
    print(f"  {'layout':12} {'app':>6} {'nginx':>6} {'postgres':>9} {'total':>6}  check-ins/s per core of app CPU")
    for r in results:
        c = r["cpu_ms_per_check_in"]
        total = sum(c.values())
        print(f"  {r['layout']:12} {c['app']:>6.2f} {c['nginx']:>6.2f} {c['postgres']:>9.2f} {total:>6.2f}  "
              f"{1000 / c['app']:,.0f}")
    if args.json:
        args.json.write_text(json.dumps({"loadavg_before": load_before, "loadavg_after": load_after,
                                         "results": results}, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
