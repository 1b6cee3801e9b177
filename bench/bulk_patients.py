#!/usr/bin/env python3
"""Bulk patient registration: the clinic's batch path against one-by-one registration.

A benchmark, not a test (no assertions on time): ``.venv/bin/python bench/bulk_patients.py``
(SQLite in a temporary directory) or ``--db postgres`` (a scratch database
``hadir_bench_bulk`` on ``--pg-url``, dropped at the end).  For batches of 100 and 1,000
patients with distinct medical-record numbers it times, in one run, and on a fresh
database each:

- **batch**: :func:`app.clinic.bulk.create_patients` — every row checked first, the
  record numbers looked up 500 at a time, one flush; what ``POST /api/v2/bulk/create``
  and the admin CSV import do (contract 000, "Bulk Operations");
- **one by one**: :func:`app.clinic.services.create_patient` per row — one uniqueness
  query and one flush per patient, the baseline a loop over the single-patient
  service would give.

Both end with one commit and must have written exactly the batch (checked; exit 1
otherwise).  Prints the median wall time of ``--repeat`` runs (milliseconds) and the
ratio.  The machine is shared, so expect ±30 %.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def patient_rows(count: int) -> list[dict]:
    """``count`` valid patient rows (domain field names) with distinct record numbers."""
    return [{"name": f"Pasien {n}", "record_number": f"RM-{n:06d}", "birth_date": date(1980 + n % 40, 1 + n % 12, 1),
             "sex": "female" if n % 2 else "male", "address": f"Jl. Merdeka No. {n}", "phone": f"0812{n:07d}",
             "email": None} for n in range(count)]


def run(app, count: int, mode: str) -> float:
    """Seconds to register ``count`` patients with ``mode`` (``batch``/``single``) on an empty table."""
    from app.clinic import bulk, services
    from app.clinic.models import Patient
    from app.extensions import db

    rows = patient_rows(count)
    with app.app_context():
        db.session.execute(db.delete(Patient))
        db.session.commit()
        started = time.perf_counter()
        if mode == "batch":
            bulk.create_patients(rows)
        else:
            for row in rows:
                services.create_patient(row["name"], **{k: v for k, v in row.items() if k != "name"})
        db.session.commit()
        elapsed = time.perf_counter() - started
        written = db.session.scalar(db.select(db.func.count(Patient.id)))
        if written != count:
            raise SystemExit(f"{mode}: {written} patients written, expected {count}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="100,1000")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        if args.db == "postgres":
            subprocess.run(["psql", args.pg_url + "/postgres", "-qc", "DROP DATABASE IF EXISTS hadir_bench_bulk"],
                           check=True)
            subprocess.run(["psql", args.pg_url + "/postgres", "-qc", "CREATE DATABASE hadir_bench_bulk"], check=True)
            url = args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1) + "/hadir_bench_bulk"
        else:
            url = f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
                          "RATELIMIT_STORAGE_URI": "memory://"})
        try:
            with app.app_context():
                upgrade()
            print(f"database: {args.db}; median of {args.repeat} runs, each on an empty patients table")
            print(f"{'patients':>9} {'batch ms':>10} {'one by one ms':>14} {'ratio':>7}")
            for size in (int(s) for s in args.sizes.split(",")):
                batch = statistics.median(run(app, size, "batch") for _ in range(args.repeat))
                single = statistics.median(run(app, size, "single") for _ in range(args.repeat))
                print(f"{size:>9} {batch * 1000:>10.1f} {single * 1000:>14.1f} {single / batch:>6.1f}×")
        finally:
            if args.db == "postgres":
                from app.extensions import db
                with app.app_context():
                    db.engine.dispose()
                subprocess.run(["psql", args.pg_url + "/postgres", "-qc", "DROP DATABASE IF EXISTS hadir_bench_bulk"],
                               check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
