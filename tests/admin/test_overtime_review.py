"""Overtime claims in the review inbox: listed with the week's total and the legal limits,
approved (all or fewer minutes) or rejected with a note, in place, admin only."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from app.attendance.models import OvertimeClaim
from app.extensions import db
from app.notify.models import Notification

from tests.helpers import audit_trail, count, fetch, field_error, text_of

PAGE = "/admin/attendance/review"


@pytest.fixture
def claim(app, factory):
    """A person who worked past the schedule's end (overtime from 30 minutes, approved at once up to 60):
    ``claim("Siti", "18:30")`` records the day and returns the claim's id (None when nothing was claimed)."""
    from app.accounts.models import User
    from app.attendance import services as attendance
    from app.schedules.services import create_schedule

    with app.app_context():
        create_schedule({"name": "Normal", "check_in_start": "07:00", "check_in_end": "09:00", "late_after": "08:00",
                         "check_out_start": "16:00", "check_out_end": "22:00", "overtime_threshold_minutes": 30,
                         "overtime_auto_approve_minutes": 60, "is_active": True})
        db.session.commit()

    def work(name, out, day="2026-01-30"):
        person = factory.user(name=name)
        with app.app_context():
            user = db.session.get(User, person.id)
            attendance.record_attendance(user, "check_in", source="face", now=datetime.fromisoformat(f"{day}T07:55+07:00"))
            result = attendance.record_attendance(user, "check_out", source="face",
                                                  now=datetime.fromisoformat(f"{day}T{out}+07:00"))
            db.session.commit()
            found = db.session.scalar(db.select(OvertimeClaim).filter_by(daily_id=result.daily.id))
            return found.id if found is not None else None

    return work


def _ids(body):
    return [int(x) for x in re.findall(r'<tr id="overtime-(\d+)"', body)]


def test_only_claims_over_the_automatic_limit_wait_with_the_weeks_total(app, as_admin, claim):
    assert claim("Andi", "16:20") is None                        # under the threshold
    automatic = claim("Budi", "16:45")                           # 45 minutes: approved at once
    waiting = claim("Siti", "18:30")                             # 150 minutes: waits
    long_day = claim("Dewi", "21:30")                            # 330 minutes: over 4 hours a day
    assert fetch(app, OvertimeClaim, automatic).status == "approved"
    body = as_admin.get(PAGE).get_data(as_text=True)
    text = text_of(body)
    assert "Lembur" in text and "Setelah akhir jam kerja" in text
    assert _ids(body) == [waiting, long_day]
    assert "150 menit" in text and "Lebih dari 4 jam sehari" in text
    assert f"{PAGE}/overtime/{waiting}/approve" in body


def test_approve_fewer_minutes_and_reject_with_a_note(app, as_admin, admin, claim):
    waiting, other = claim("Siti", "18:30"), claim("Dewi", "17:30")
    response = as_admin.submit(PAGE, f"{PAGE}/overtime/{waiting}/approve", {"minutes": "120", "note": "Stok opname"},
                               htmx=True)
    assert response.status_code == 200
    assert "Lembur Siti disetujui: 120 menit." in text_of(response.get_data(as_text=True))
    approved = fetch(app, OvertimeClaim, waiting)
    assert (approved.status, approved.approved_minutes, approved.decided_by_id, approved.note) == (
        "approved", 120, admin.id, "Stok opname")
    refused = as_admin.submit(PAGE, f"{PAGE}/overtime/{other}/reject", {"note": " "}, htmx=True)
    assert field_error(refused.get_data(as_text=True), f"reject-note-overtime-{other}")
    assert fetch(app, OvertimeClaim, other).status == "pending"
    as_admin.submit(PAGE, f"{PAGE}/overtime/{other}/reject", {"note": "Tidak ada perintah lembur"})
    assert (fetch(app, OvertimeClaim, other).status, fetch(app, OvertimeClaim, other).approved_minutes) == ("rejected", 0)
    assert count(app, Notification, Notification.type == "overtime_review") == 2
    trail = audit_trail(app)
    # the minutes claimed stay in the entry after the decision (the page shows them unchanged, not removed)
    assert [(a, actor, subject, before["minutes"], after["minutes"], after["status"], after["approved_minutes"], reason)
            for a, actor, _p, _t, subject, before, after, reason in trail] == [
        ("overtime.approve", admin.id, waiting, 150, 150, "approved", 120, "Stok opname"),
        ("overtime.reject", admin.id, other, 90, 90, "rejected", 0, "Tidak ada perintah lembur")]


def test_more_minutes_than_claimed_are_refused_next_to_the_field(app, as_admin, claim):
    waiting = claim("Siti", "18:30")
    response = as_admin.submit(PAGE, f"{PAGE}/overtime/{waiting}/approve", {"minutes": "151"}, htmx=True)
    body = response.get_data(as_text=True)
    assert field_error(body, f"overtime-minutes-{waiting}")
    assert f'<tr id="approve-overtime-{waiting}" class="reject-row">' in body          # the row stays open
    assert fetch(app, OvertimeClaim, waiting).status == "pending"


def test_petugas_reads_only(app, as_petugas, claim):
    waiting = claim("Siti", "18:30")
    body = as_petugas.get(PAGE).get_data(as_text=True)
    assert _ids(body) == [waiting] and f"/overtime/{waiting}/approve" not in body
    assert as_petugas.submit(PAGE, f"{PAGE}/overtime/{waiting}/approve", {"minutes": "10"}).status_code == 403
    assert fetch(app, OvertimeClaim, waiting).status == "pending"
