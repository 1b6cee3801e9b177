"""The review inbox says why a position looks fake, in words with figures, and an admin approves it."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.accounts.models import User
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db

from tests.helpers import fetch, text_of

PAGE = "/admin/attendance/review"
JAKARTA = (-6.2088, 106.8456)
BANDUNG = (-6.9175, 107.6191)


@pytest.fixture
def record(app, factory):
    """``record(person, kind, position, accuracy, at, office=None)`` through the attendance service → event id."""
    factory.schedule(check_in=("07:00", "09:00"), check_out=("07:30", "18:00"))

    def _record(person, kind, position, accuracy, at, office=None):
        from app.attendance.services import record_attendance
        from app.places.models import Office

        with app.app_context():
            result = record_attendance(db.session.get(User, person.id), kind, source="mobile_gps",
                                       latitude=position[0], longitude=position[1], accuracy_m=accuracy,
                                       office=db.session.get(Office, office.id) if office else None,
                                       now=datetime.fromisoformat(at))
            db.session.commit()
            return result.event.id

    return _record


@pytest.fixture
def fakes(factory, record):
    """Andi checks in with accuracy 0; Siti checks in at Jakarta and out at Bandung a second later,
    naming the Bandung office."""
    jakarta = factory.office()
    bandung = factory.office(code="0002", name="Kantor Cabang Bandung", lat=BANDUNG[0], lon=BANDUNG[1], radius=150)
    andi = factory.user(name="Andi Pratama", office=jakarta)
    siti = factory.user(name="Siti Rahmawati", office=jakarta)
    zero = record(andi, "check_in", JAKARTA, 0.0, "2026-01-30T07:45:00+07:00")
    record(siti, "check_in", JAKARTA, 8.0, "2026-01-30T07:50:00+07:00")
    travel = record(siti, "check_out", BANDUNG, 8.0, "2026-01-30T07:50:01+07:00", office=bandung)
    return {"zero": zero, "travel": travel}


def _row(body: str, event_id: int) -> str:
    start = body.index(f'<tr id="event-{event_id}"')
    return text_of(body[start:body.index("</tr>", start)])


def test_the_inbox_says_why_in_indonesian(as_admin, fakes):
    body = as_admin.get(PAGE).get_data(as_text=True)
    zero = _row(body, fakes["zero"])
    assert "Akurasi GPS tidak wajar" in zero and "akurasi 0 m (di bawah batas wajar 1 m)" in zero
    assert "± 0 m" in zero
    travel = _row(body, fakes["travel"])
    assert "Perpindahan mustahil" in travel
    assert "116 km dari absen sebelumnya 1 detik lalu" in travel and "batas 150 km/jam" in travel
    assert "kantor 0002 Kantor Cabang Bandung, bukan kantor penugasannya (0001 Kantor Pusat Jakarta)" in travel


def test_the_inbox_says_why_in_english(as_admin, fakes):
    as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": PAGE})
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert "accuracy 0 m (below the plausible 1 m)" in _row(body, fakes["zero"])
    travel = _row(body, fakes["travel"])
    assert "116 km from the previous attendance 1 second earlier" in travel and "limit 150 km/h" in travel
    assert "office 0002 Kantor Cabang Bandung, not their assigned office (0001 Kantor Pusat Jakarta)" in travel


def test_approving_a_flagged_fake_gps_check_in_with_a_form_post(app, as_admin, admin, fakes):
    response = as_admin.submit(PAGE, f"/admin/attendance/review/{fakes['zero']}/approve")
    assert response.status_code == 303
    event = fetch(app, AttendanceEvent, fakes["zero"])
    assert (event.review_state, event.reviewed_by_id, event.flag_reason) == ("approved", admin.id,
                                                                            "implausible_accuracy")
    with app.app_context():
        day = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=event.user_id))
        assert day.status == "present"
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert f'<tr id="event-{fakes["zero"]}"' not in body and f'<tr id="event-{fakes["travel"]}"' in body


def test_approving_without_the_csrf_token_changes_nothing(app, as_admin, fakes):
    response = as_admin.client.post(f"/admin/attendance/review/{fakes['zero']}/approve")
    assert response.status_code == 400
    assert fetch(app, AttendanceEvent, fakes["zero"]).review_state == "pending"
