"""Probe the contract gaps (face, clinic, school) through HTTP on the checkout in the current directory.

Builds the app of the current directory on a temporary SQLite database (migrations), arranges a
few people, and prints one line per figure: what the face app's register and attendance answer,
whether bare base64 forms are taken, how many users of GET /users have no email, whether the
clinic's check-in id is the one its approvals take, whether clinic reports take a petugas, and
what the school app's DELETE leaves behind.  Uses the Flask test client (no server, no network).

    cd <a checkout> && .venv/bin/python scripts/contract_probe.py      # or the path of this file

Run it in an older checkout (with this file's path) to compare before and after.
"""
import base64
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.getcwd())
from datetime import time  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.accounts.passwords import hash_password  # noqa: E402
from app.extensions import db  # noqa: E402
from app.places.models import Office  # noqa: E402
from app.schedules.models import WorkSchedule  # noqa: E402

FACES = Path(os.getcwd()).resolve().parent / "shared" / "data" / "faces"
tmp = tempfile.mkdtemp()
app = create_app({"TESTING": True, "SECRET_KEY": "probe-" + "x" * 40,
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/probe.sqlite3", "RATELIMIT_STORAGE_URI": "memory://",
                  "UPLOAD_FOLDER": f"{tmp}/uploads", "RATELIMIT_ENABLED": False})
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
    pw = hash_password("password123")
    office = Office(code="0001", name="Kantor", latitude=-6.2088, longitude=106.8456, geofence_radius_m=100)
    db.session.add(office)
    db.session.flush()
    sched = WorkSchedule(name="All day", check_in_start=time(0, 0), check_in_end=time(23, 58),
                         check_out_start=time(0, 0), check_out_end=time(23, 59), late_after=time(23, 58),
                         is_active=True)
    db.session.add(sched)

    def user(**kw):
        u = User(password_hash=pw, **kw)
        db.session.add(u)
        db.session.flush()
        return u.id
    ids = dict(
        face_admin=user(name="Admin", role="admin", email="admin@x.test", npp="90001"),
        obama=user(name="Obama", role="pegawai", email="obama@x.test", npp="10001"),
        student=user(name="Siswa", role="siswa", nisn_nip_nik="0051"),
        nurse=user(name="Nurse", role="paramedis", email="nurse@x.test", office_id=office.id),
        doctor=user(name="Doctor", role="dokter", email="doctor@x.test", office_id=office.id),
        petugas=user(name="Front", role="petugas", email="front@x.test", office_id=office.id),
        school_admin=user(name="Kepala TU", role="admin", nisn_nip_nik="5001", email="tu@x.test"),
        leaver=user(name="Leaver", role="guru", nisn_nip_nik="2001"),
    )
    db.session.commit()

c = app.test_client()
out = []
# 1. face register without role
r = c.post("/face/api/register", json={"email": "new@x.test", "password": "rahasia123", "name": "New"})
out.append(("face register, no role → role", r.status_code, r.get_json()["user"]["role"]))
# 2. face POST /attendance, person without an enrolled face
fc = app.test_client()
fc.post("/face/api/login", json={"email": "obama@x.test", "password": "password123"})
img = base64.b64encode((FACES / "probe" / "obama-480p.jpg").read_bytes()).decode()
r = fc.post("/face/api/attendance", json={"image": img})
body = r.get_json()
out.append(("face attendance, no enrolled face", r.status_code,
            (body.get("attendance") or {}).get("status", body.get("message"))))
# 3. bare base64 forms (another person, enrolled on first use so the face is not the issue)
app.config["FACE_ENROL_ON_FIRST_USE"] = True
small = (FACES / "probe" / "obama_small.jpg").read_bytes()
for label, text in (("bare, no padding", base64.b64encode(small).decode().rstrip("=")),
                    ("URL-safe", base64.urlsafe_b64encode(small).decode())):
    email = f"{len(out)}@b64.test"
    with app.app_context():
        db.session.add(User(password_hash=pw, name=label, role="pegawai", email=email))
        db.session.commit()
    bc = app.test_client()
    bc.post("/face/api/login", json={"email": email, "password": "password123"})
    r = bc.post("/face/api/attendance", json={"image": text})
    out.append((f"face image {label}", r.status_code, r.get_json().get("message")))
app.config["FACE_ENROL_ON_FIRST_USE"] = False
# 4. face GET /users: email of every user
ac = app.test_client()
ac.post("/face/api/login", json={"email": "admin@x.test", "password": "password123"})
users = ac.get("/face/api/users").get_json()["users"]
out.append(("face GET /users, users with email null", 200, sum(1 for u in users if u["email"] is None)))
# 5. clinic one id space


def clinic_token(email):
    answer = c.post("/api/v2/auth/login", json={"email": email, "password": "password123"}).get_json()
    return {"Authorization": "Bearer " + answer["data"]["token"]}



NEAR = {"latitude": -6.2089, "longitude": 106.8456, "accuracy": 10}
FAR = {"latitude": -6.2200, "longitude": 106.8456, "accuracy": 8}
doc = clinic_token("doctor@x.test")
c.post("/api/v2/attendance/checkin", headers=doc, json=NEAR)
c.post("/api/v2/attendance/checkout", headers=doc, json=NEAR)
nurse = clinic_token("nurse@x.test")
given = c.post("/api/v2/attendance/checkin", headers=nurse, json=FAR).get_json()["data"]["id"]
admin = clinic_token("admin@x.test")
pending = [p["id"] for p in c.get("/api/v2/admin/attendance-approvals/pending", headers=admin).get_json()["data"]]
r = c.post(f"/api/v2/admin/attendance-approvals/{given}/approve", headers=admin, json={})
out.append(("clinic: id from check-in / ids in pending", 200, f"{given} / {pending}"))
out.append(("clinic: approve the id check-in gave", r.status_code, r.get_json().get("message")))
# 6. clinic reports for a petugas
r = c.get(f"/api/v2/admin/reports/attendance-summary?user_id={ids['petugas']}", headers=admin)
out.append(("clinic attendance-summary?user_id=<petugas>", r.status_code, r.get_json().get("message")))
r = c.post("/api/v2/admin/reports/export-csv", headers=admin,
           json={"from_date": "2026-01-05", "to_date": "2026-01-06", "user_ids": [ids["petugas"]]})
out.append(("clinic export-csv user_ids=[<petugas>]", r.status_code, r.mimetype))
# 7. school DELETE
answer = c.post("/api/auth/login", json={"nisn_nip_nik": "5001", "password": "password123"}).get_json()
st = {"Authorization": "Bearer " + answer["data"]["token"]}
c.delete(f"/api/users/{ids['leaver']}", headers=st)
r = c.get(f"/api/users/{ids['leaver']}", headers=st)
listed = ids["leaver"] in [u["id"] for u in c.get("/api/users?per_page=100", headers=st).get_json()["data"]["data"]]
login = c.post("/api/auth/login", json={"nisn_nip_nik": "2001", "password": "password123"}).status_code
out.append(("school after DELETE: GET status / listed / login status", r.status_code, f"{listed} / {login}"))
for label, status, value in out:
    print(f"{label:58s} {status}  {value}")
