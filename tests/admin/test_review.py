"""Attendance review: flagged events approved / rejected in place, bulk approve in one transaction."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db
from app.notify.models import Notification

from tests.helpers import audit_trail, count, fetch, field_error, text_of

PAGE = "/admin/attendance/review"
FAR = (-6.2188, 106.8456)  # about 1.1 km south of the office


@pytest.fixture
def flagged(app, factory):
    """Record a check-in through the attendance service; returns the event id."""
    office = factory.office()
    factory.schedule()

    def record(name, at="2026-01-30T07:55:00+07:00", position=FAR, accuracy=12.0, kind="check_in", person=None):
        from app.accounts.models import User
        from app.attendance.services import record_attendance

        person = person or factory.user(name=name, office=office)
        with app.app_context():
            result = record_attendance(db.session.get(User, person.id), kind, source="mobile_gps",
                                       latitude=position[0], longitude=position[1], accuracy_m=accuracy,
                                       now=datetime.fromisoformat(at))
            db.session.commit()
            return result.event.id

    return record


def _daily(app, event_id):
    event = fetch(app, AttendanceEvent, event_id)
    with app.app_context():
        row = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=event.user_id, work_date=event.work_date))
        db.session.expunge(row)
        return row


def _row_ids(body):
    return [int(x) for x in re.findall(r'<tr id="event-(\d+)"', body)]


def test_list_shows_distance_accuracy_reason_and_map(as_admin, flagged):
    event_id = flagged("Andi Pratama")
    flagged("Budi", position=(-6.2088, 106.8456), accuracy=500.0)
    body = as_admin.get(PAGE).get_data(as_text=True)
    text = text_of(body)
    assert "Andi Pratama" in text
    assert "1.112 m" in text  # distance in metres, Indonesian grouping
    assert "± 12 m" in text and "± 500 m" in text
    assert "Di luar area kantor" in text and "GPS kurang akurat" in text
    assert "Absen masuk" in text and "30 Jan 2026, 07.55" in text
    assert "https://www.openstreetmap.org/?mlat=-6.218800&amp;mlon=106.845600#map=18/-6.218800/106.845600" in body
    assert _row_ids(body)[0] == event_id  # oldest first


def test_empty_state(as_admin):
    assert "Semua sudah diperiksa" in text_of(as_admin.get(PAGE).get_data(as_text=True))


def test_approve_updates_the_day_and_only_that_event(app, as_admin, admin, flagged):
    on_time = flagged("Andi")
    late = flagged("Budi", at="2026-01-30T08:15:00+07:00")
    assert _daily(app, on_time).status == "pending_review"
    response = as_admin.submit(PAGE, f"/admin/attendance/review/{on_time}/approve", htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="review-list"')
    assert "Absen masuk atas nama Andi disetujui." in text_of(body)
    assert _row_ids(body) == [late]
    event = fetch(app, AttendanceEvent, on_time)
    assert (event.review_state, event.reviewed_by_id) == ("approved", admin.id)
    assert _daily(app, on_time).status == "present"
    assert fetch(app, AttendanceEvent, late).review_state == "pending"
    assert _daily(app, late).status == "pending_review"
    assert count(app, Notification, Notification.user_id == event.user_id) == 1
    assert audit_trail(app) == [("attendance.approve", admin.id, event.user_id, "attendance_event", on_time,
                                 {"review_state": "pending"},
                                 {"review_state": "approved", "kind": "check_in", "work_date": "2026-01-30",
                                  "occurred_at": "2026-01-30T00:55:00.000000Z"}, None)]


def test_approving_a_late_check_in_makes_the_day_late(app, as_petugas, flagged):
    late = flagged("Budi", at="2026-01-30T08:15:00+07:00")
    as_petugas.submit(PAGE, f"/admin/attendance/review/{late}/approve", htmx=True)
    day = _daily(app, late)
    assert (day.status, day.late_minutes) == ("late", 15)


def test_reject_requires_a_reason_next_to_the_field(app, as_admin, flagged):
    event_id = flagged("Andi")
    body = as_admin.submit(PAGE, f"/admin/attendance/review/{event_id}/reject", {"note": ""}, htmx=True).get_data(as_text=True)
    assert field_error(body, f"reject-note-{event_id}") == "Alasan wajib diisi untuk menolak."
    assert f'<tr id="reject-event-{event_id}" class="reject-row">' in body
    assert fetch(app, AttendanceEvent, event_id).review_state == "pending"
    assert _daily(app, event_id).status == "pending_review"


def test_reject_clears_the_check_in_of_that_day(app, as_admin, flagged):
    event_id = flagged("Andi")
    other = flagged("Budi")
    body = as_admin.submit(PAGE, f"/admin/attendance/review/{event_id}/reject", {"note": "Bukan di kantor"},
                           htmx=True).get_data(as_text=True)
    assert "Absen masuk atas nama Andi ditolak." in text_of(body)
    event = fetch(app, AttendanceEvent, event_id)
    assert (event.review_state, event.review_note) == ("rejected", "Bukan di kantor")
    day = _daily(app, event_id)
    assert (day.status, day.time_in, day.check_in_event_id) == ("rejected", None, None)
    assert fetch(app, AttendanceEvent, other).review_state == "pending"
    ((action, _actor, person, _type, subject, _before, after, reason),) = audit_trail(app)
    assert (action, person, subject, after["review_state"], reason) == (
        "attendance.reject", event.user_id, event_id, "rejected", "Bukan di kantor")


def test_bulk_approve_only_the_chosen_events(app, as_admin, flagged):
    a, b, c = flagged("Andi"), flagged("Budi"), flagged("Citra")
    token = as_admin.token(PAGE)
    response = as_admin.client.post(PAGE + "/bulk-approve", data={"csrf_token": token, "event_ids": [str(a), str(c)]},
                                    headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "2 absen disetujui." in text_of(body)
    assert _row_ids(body) == [b]
    assert [fetch(app, AttendanceEvent, i).review_state for i in (a, b, c)] == ["approved", "pending", "approved"]
    assert [_daily(app, i).status for i in (a, b, c)] == ["present", "pending_review", "present"]


def test_bulk_approve_is_all_or_nothing(app, as_admin, admin, flagged):
    a, b = flagged("Andi"), flagged("Budi")
    as_admin.submit(PAGE, f"/admin/attendance/review/{b}/approve", htmx=True)
    token = as_admin.token(PAGE)
    body = as_admin.client.post(PAGE + "/bulk-approve", data={"csrf_token": token, "event_ids": [str(a), str(b)]},
                                headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Tidak ada yang disetujui: Absen ini sudah diperiksa" in text_of(body)
    assert fetch(app, AttendanceEvent, a).review_state == "pending"
    assert _daily(app, a).status == "pending_review"
    assert count(app, Notification, Notification.user_id == fetch(app, AttendanceEvent, a).user_id) == 0


def test_bulk_approve_without_a_choice_says_so(app, as_admin, flagged):
    a = flagged("Andi")
    body = as_admin.submit(PAGE, PAGE + "/bulk-approve", {}, htmx=True).get_data(as_text=True)
    assert "Pilih minimal satu absen." in text_of(body)
    assert fetch(app, AttendanceEvent, a).review_state == "pending"


def test_bulk_checkboxes_belong_to_the_bulk_form(as_admin, flagged):
    a = flagged("Andi")
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert '<form id="bulk-approve"' in body
    assert re.search(rf'<input type="checkbox" name="event_ids" value="{a}" form="bulk-approve"', body)


def test_check_out_events_are_reviewed_too(app, as_admin, flagged, factory):
    office = factory.office(code="0009", name="Cabang")
    person = factory.user(name="Dewi", office=office)
    flagged("Dewi", person=person, position=(office.latitude, office.longitude))
    out = flagged("Dewi", person=person, kind="check_out", at="2026-01-30T16:30:00+07:00")
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert "Absen pulang" in text_of(body)
    as_admin.submit(PAGE, f"/admin/attendance/review/{out}/reject", {"note": "Pulang dari luar kantor"}, htmx=True)
    day = _daily(app, out)
    assert (day.time_out, day.check_out_event_id) == (None, None)
    assert day.time_in is not None
