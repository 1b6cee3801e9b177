"""A GPS check-in or check-out reads the person's previous position in its token statement
(:func:`app.attendance.plausibility.with_latest_fix`) instead of a query of its own, and is judged
exactly as with that query: the latest event with a position, not rejected on review, at or before
the moment judged.  Other requests' token statements do not read it.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.attendance import plausibility
from app.attendance.check_in_cache import POSITION_ENDPOINTS
from app.attendance.models import AttendanceEvent
from app.extensions import db

from .conftest import AT_OFFICE

BANDUNG = {"latitude": "-6.9175", "longitude": "107.6191"}
#: The start of :func:`app.attendance.plausibility.previous_fix`'s own statement.
PREVIOUS_FIX_QUERY = "SELECT attendance_events.id, attendance_events.kind, attendance_events.latitude"


@pytest.fixture
def noted(monkeypatch):
    """The user ids whose latest position a token statement read (:func:`plausibility.note_latest_fix`)."""
    seen = []
    note = plausibility.note_latest_fix
    monkeypatch.setattr(plausibility, "note_latest_fix",
                        lambda session, user_id, values: seen.append(user_id) or note(session, user_id, values))
    return seen


def _event(app, user, *, at: str, latitude: float, longitude: float, client_time: str | None = None,
           review_state: str = "not_required", kind: str = "check_out", work_date=date(2026, 1, 29)) -> int:
    with app.app_context():
        event = AttendanceEvent(user_id=user.id, kind=kind, occurred_at=datetime.fromisoformat(at),
                                client_time=client_time and datetime.fromisoformat(client_time),
                                work_date=work_date, source="mobile_gps", latitude=latitude, longitude=longitude,
                                accuracy_m=8.0, review_state=review_state)
        db.session.add(event)
        db.session.commit()
        return event.id


def test_a_check_out_far_from_the_check_in_a_second_earlier_is_impossible_travel_without_a_query_of_its_own(
        app, client, auth, factory, freeze_time, count_statements, noted):
    office = factory.office()
    factory.schedule(check_out=("07:00", "18:00"))
    person = factory.user(npp="30001", office=office)
    headers = auth(person)
    freeze_time("2026-01-30T07:55:00+07:00")
    r = client.post("/api/absenmasuk", json=AT_OFFICE, headers=headers)
    assert r.json["data"]["status"] == "accepted", r.json
    freeze_time("2026-01-30T07:55:01+07:00")
    with count_statements() as seen:
        r = client.post("/api/absenpulang", json=BANDUNG, headers=headers)
    assert (r.json["data"]["status"], r.json["data"]["reason"]) == ("pending_review", "impossible_travel"), r.json
    assert noted == [person.id, person.id]               # each token statement read it ...
    assert not any(s.startswith(PREVIOUS_FIX_QUERY) for s in seen.statements), seen.statements  # ... no query
    with app.app_context():
        check_in, check_out = db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id)).all()
        travel = check_out.flag_details[0]
        assert travel["reason"] == "impossible_travel" and travel["previous_event_id"] == check_in.id
        assert travel["previous_kind"] == "check_in" and travel["elapsed_s"] == 1.0
        assert 115_000 < travel["distance_m"] < 118_000


def test_a_far_position_rejected_on_review_is_not_the_previous_one(app, client, auth, factory, freeze_time):
    office = factory.office()
    factory.schedule()
    person = factory.user(npp="30002", office=office)
    _event(app, person, at="2026-01-29T10:00:00+00:00", latitude=-6.2088, longitude=106.8456)
    _event(app, person, at="2026-01-30T00:50:00+00:00", latitude=-6.9175, longitude=107.6191,
           review_state="rejected")                      # Bandung five minutes ago, rejected
    headers = auth(person)
    freeze_time("2026-01-30T07:55:00+07:00")
    r = client.post("/api/absenmasuk", json=AT_OFFICE, headers=headers)
    assert r.json["data"]["status"] == "accepted", r.json


def test_a_latest_position_later_than_the_check_in_is_not_its_previous_one(app, client, auth, factory, freeze_time):
    # An offline event stamped with the phone's time can lie after the moment judged: the latest
    # position read with the token is then not the previous one, and the query decides.
    office = factory.office()
    factory.schedule(check_out=("07:00", "18:00"))
    person = factory.user(npp="30003", office=office)
    _event(app, person, at="2026-01-29T10:00:00+00:00", latitude=-6.2088, longitude=106.8456)
    later = _event(app, person, at="2026-01-29T11:00:00+00:00", client_time="2026-01-30T01:30:00+00:00",
                   latitude=-6.9175, longitude=107.6191)   # Bandung, at 08:30 local by the phone's clock
    headers = auth(person)
    freeze_time("2026-01-30T07:55:00+07:00")
    r = client.post("/api/absenmasuk", json=AT_OFFICE, headers=headers)
    assert r.json["data"]["status"] == "accepted", r.json
    freeze_time("2026-01-30T08:31:00+07:00")               # now after it: Bandung a minute ago
    r = client.post("/api/absenpulang", json=AT_OFFICE, headers=headers)
    assert (r.json["data"]["status"], r.json["data"]["reason"]) == ("pending_review", "impossible_travel"), r.json
    with app.app_context():
        check_out = db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id.desc())).first()
        assert check_out.flag_details[0]["previous_event_id"] == later


def test_requests_that_judge_no_position_do_not_read_it(app, client, auth, factory, freeze_time, noted):
    office = factory.office()
    factory.schedule()
    person = factory.user(npp="30004", office=office)
    headers = auth(person)
    freeze_time("2026-01-30T07:55:00+07:00")
    r = client.post("/api/getabsen", json={"year": 2026, "month": 1}, headers=headers)
    assert r.status_code == 200, r.json
    assert noted == []                                     # its token statement does not read it


def test_every_endpoint_that_reads_the_position_exists(app):
    assert POSITION_ENDPOINTS <= set(app.view_functions), POSITION_ENDPOINTS - set(app.view_functions)
