#!/usr/bin/env python3
"""Fake-GPS probe: what a served Hadir does with the three fake-GPS cases, over HTTP.

Not a test and not a speed benchmark: a probe that prints figures (how many of the
cases were held for review) so a change can be measured before and after::

    .venv/bin/python bench/fake_gps.py                       # this checkout
    .venv/bin/python bench/fake_gps.py --app-root ../other   # another checkout (e.g. main before a change)

gunicorn (1 worker) serves the checkout on 127.0.0.1 with a fresh SQLite database:
the offices 0001 (Jakarta, radius 100 m) and 0002 (Bandung, ≈ 116 km away, 150 m),
a work schedule whose check-in and check-out windows are both open now, and for each
case a fresh employee of 0001 (``pegawai`` for the phone app, contract 001) and
paramedic (clinic app, contract 000).  The cases, each through both apps:

1. ``accuracy_zero``: a check-in at the office reporting ``accuracy: 0``;
2. ``jakarta_then_bandung``: a check-in at the Jakarta office, then a check-out at the
   Bandung office one second later (the phone app names the Bandung branch, so its
   geofence is met; the clinic app cannot name one on check-out);
3. ``other_office``: a check-in at the Bandung office naming it (``branch_id`` /
   ``work_location_id``) by someone assigned to Jakarta.

For each it prints the HTTP status, the app's own pending indication and reason, and
the recorded event's ``review_state`` and ``flag_reason`` read from the database.
Everything runs on 127.0.0.1; the temp directory and the server are removed at the end.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "probe-secret-key-not-for-production-0123456789abcdef"
PASSWORD = "probe-password-2026"
JAKARTA = {"latitude": -6.2088, "longitude": 106.8456}
BANDUNG = {"latitude": -6.9175, "longitude": 107.6191}
CASES = ("accuracy_zero", "jakarta_then_bandung", "other_office")


def seed() -> None:
    """Fill the migrated database of ``DATABASE_URL`` (runs in a child process inside the app root)."""
    sys.path.insert(0, os.getcwd())
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from app import create_app
    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.extensions import db
    from app.places.services import create_office
    from app.schedules.services import create_schedule

    app = create_app()
    with app.app_context():
        jakarta = create_office(code="0001", name="Kantor Pusat Jakarta", latitude=JAKARTA["latitude"],
                                longitude=JAKARTA["longitude"], radius_m=100)
        create_office(code="0002", name="Kantor Cabang Bandung", latitude=BANDUNG["latitude"],
                      longitude=BANDUNG["longitude"], radius_m=150)
        local_now = datetime.now(ZoneInfo(app.config["TIMEZONE"]))

        def at(hours: float) -> str:
            return (local_now + timedelta(hours=hours)).strftime("%H:%M:00")

        # Both windows open now: check-in from 2 h ago, check-out from 1 h ago.
        create_schedule({"name": "Probe", "check_in_start": at(-2), "check_in_end": at(2),
                         "check_out_start": at(-1), "check_out_end": at(3), "is_active": True})
        password_hash = hash_password(PASSWORD)
        for n, case in enumerate(CASES):
            db.session.add(User(name=f"Pegawai {case}", role="pegawai", npp=f"{10001 + n}",
                                password_hash=password_hash, office_id=jakarta.id))
            db.session.add(User(name=f"Paramedis {case}", role="paramedis", email=f"{case}@probe.test",
                                password_hash=password_hash, office_id=jakarta.id))
        db.session.commit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port: int, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})
    finally:
        conn.close()


def mobile_answer(status: int, body: dict) -> str:
    data = body.get("data") or {}
    return f"{status} rcode {body.get('rcode')} status={data.get('status')} reason={data.get('reason')}"


def clinic_answer(status: int, body: dict) -> str:
    data = body.get("data") or {}
    return (f"{status} success={body.get('success')} requires_review={data.get('requires_review')} "
            f"review_reason={data.get('review_reason')!r}")


def run_cases(port: int) -> list[dict]:
    rows = []
    for n, case in enumerate(CASES):
        # --- mobile (contract 001) ---
        npp = str(10001 + n)
        status, body = call(port, "/api/login", {"npp": npp, "password": PASSWORD, "device_id": f"probe-{npp}"})
        assert status == 200, body
        token = body["access_token"]
        if case == "accuracy_zero":
            answer = call(port, "/api/absenmasuk", {**JAKARTA, "accuracy": 0}, token)
        elif case == "jakarta_then_bandung":
            call(port, "/api/absenmasuk", {**JAKARTA, "accuracy": 8}, token)
            time.sleep(1)
            answer = call(port, "/api/absenpulang", {**BANDUNG, "accuracy": 8, "branch_id": "0002"}, token)
        else:
            answer = call(port, "/api/absenmasuk", {**BANDUNG, "accuracy": 8, "branch_id": "0002"}, token)
        rows.append({"case": case, "app": "mobile", "who": f"npp:{npp}", "answer": mobile_answer(*answer)})
        # --- clinic (contract 000) ---
        status, body = call(port, "/api/v2/auth/login", {"email": f"{case}@probe.test", "password": PASSWORD})
        assert status == 200, body
        token = body["data"]["token"]
        if case == "accuracy_zero":
            answer = call(port, "/api/v2/attendance/checkin", {**JAKARTA, "accuracy": 0}, token)
        elif case == "jakarta_then_bandung":
            call(port, "/api/v2/attendance/checkin", {**JAKARTA, "accuracy": 8}, token)
            time.sleep(1)
            answer = call(port, "/api/v2/attendance/checkout", {**BANDUNG, "accuracy": 8}, token)
        else:
            answer = call(port, "/api/v2/attendance/checkin", {**BANDUNG, "accuracy": 8, "work_location_id": 2},
                          token)
        rows.append({"case": case, "app": "clinic", "who": f"email:{case}@probe.test",
                     "answer": clinic_answer(*answer)})
    return rows


def last_event(db_path: Path, who: str) -> tuple | None:
    kind, value = who.split(":", 1)
    column = "npp" if kind == "npp" else "email"
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            f"SELECT e.kind, e.review_state, e.flag_reason FROM attendance_events e JOIN users u ON u.id = e.user_id "
            f"WHERE u.{column} = ? ORDER BY e.id DESC LIMIT 1", (value,)).fetchone()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    root = args.app_root.resolve()
    with tempfile.TemporaryDirectory(prefix="hadir-fake-gps-") as tmp:
        db_path = Path(tmp) / "probe.sqlite3"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_APP") and not k.startswith("MOUNT_")}
        env.update({"DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": SECRET_KEY,
                    "UPLOAD_FOLDER": str(Path(tmp) / "uploads")})
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=root, env=env,
                       check=True, capture_output=True)
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "_seed"], cwd=root, env=env, check=True)
        port = free_port()
        log = open(Path(tmp) / "gunicorn.log", "wb")
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "wsgi:app"], cwd=root, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            for _ in range(300):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            rows = run_cases(port)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)
            log.close()
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True).stdout.strip()
        print(f"fake-GPS probe of {root} (commit {commit}), load average {os.getloadavg()[0]:.2f}")
        held = 0
        for row in rows:
            event = last_event(db_path, row["who"])
            row["event"] = {"kind": event[0], "review_state": event[1], "flag_reason": event[2]} if event else None
            held += bool(event and event[1] == "pending")
            print(f"  {row['case']:<22} {row['app']:<7} {row['answer']}")
            print(f"  {'':<22} {'':<7} event: {row['event']}")
        print(f"held for review: {held} of {len(rows)}")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["_seed"]:
        seed()
    else:
        sys.exit(main())
