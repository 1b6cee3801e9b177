"""A school staff check-in reads its token, user, cache versions and what the schedule cache
needs in one statement, and takes the schedule of people without rows of their own from each
worker's memory."""
from __future__ import annotations

from app.extensions import db

from .qr_helpers import INSIDE, dynamic_token
from .tokens import bearer, school_user


def test_a_staff_check_in_with_a_warm_cache_sends_no_user_version_or_schedule_lookup(
        app, client, factory, freeze_time, count_statements):
    office = factory.office()
    factory.schedule()                                   # in 07:00-09:00, late after 08:00
    first, second = (bearer(app, school_user(factory, "guru", f"200{n}", office=office)) for n in range(2))
    freeze_time("2026-01-30T07:45:00+07:00")
    token = dynamic_token(client, first)["token"]
    assert client.post("/api/attendance/checkin", headers=first, json={"qr_token": token, **INSIDE}).status_code == 200
    token = dynamic_token(client, second)["token"]
    with count_statements() as seen:
        r = client.post("/api/attendance/checkin", headers=second, json={"qr_token": token, **INSIDE})
    assert r.status_code == 200 and r.json["data"]["status"] == "hadir", r.json
    # the token with its user, versions, schedule columns and the previous position; the QR
    # settings; the token's earlier use; the event and the day (one statement on PostgreSQL)
    with app.app_context():
        writes = 1 if db.engine.dialect.name == "postgresql" else 2
    sent = [s for s in seen.statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(sent) == 3 + writes, seen.statements
