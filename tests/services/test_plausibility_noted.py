"""The previous position noted from a token statement (:func:`app.attendance.plausibility.note_latest_fix`)
stands in for :func:`~app.attendance.plausibility.previous_fix` only for its own person, only once per
transaction and only when it lies at or before the moment judged; otherwise the query decides."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from app.attendance import plausibility
from app.attendance.models import AttendanceEvent
from app.extensions import db

T0 = datetime(2026, 1, 30, 0, 45, tzinfo=timezone.utc)
BANDUNG = (-6.9175, 107.6191)


def _stored(person, at: datetime) -> AttendanceEvent:
    event = AttendanceEvent(user_id=person.id, kind="check_in", occurred_at=at, work_date=date(2026, 1, 30),
                            source="mobile_gps", latitude=-6.2088, longitude=106.8456, accuracy_m=8.0)
    db.session.add(event)
    db.session.flush()
    return event


def _note(person, at: datetime) -> None:
    plausibility.note_latest_fix(db.session(), person.id, (99_999, "check_out", *BANDUNG, 5.0, at))


def test_the_noted_position_answers_once_then_the_query(app, factory):
    person = factory.user(npp="40001")
    with app.app_context():
        stored = _stored(person, T0 - timedelta(hours=1))
        _note(person, T0 - timedelta(minutes=1))
        first = plausibility.previous_fix_of(person.id, T0)
        assert (first.event_id, first.latitude) == (99_999, BANDUNG[0])  # noted: no statement
        assert plausibility.previous_fix_of(person.id, T0).event_id == stored.id  # used once: the query
        db.session.rollback()


def test_a_noted_position_of_someone_else_or_later_than_the_moment_is_not_used(app, factory):
    person, other = factory.user(npp="40002"), factory.user(npp="40003")
    with app.app_context():
        stored = _stored(person, T0 - timedelta(hours=1))
        _note(other, T0 - timedelta(minutes=1))
        assert plausibility.previous_fix_of(person.id, T0).event_id == stored.id
        _note(person, T0 + timedelta(minutes=1))
        assert plausibility.previous_fix_of(person.id, T0).event_id == stored.id
        db.session.rollback()


def test_no_position_noted_means_none_and_the_note_ends_with_the_transaction(app, factory):
    person = factory.user(npp="40004")
    with app.app_context():
        stored = _stored(person, T0 - timedelta(hours=1))
        plausibility.note_latest_fix(db.session(), person.id, (None,) * 6)
        assert plausibility.previous_fix_of(person.id, T0) is None    # as noted (the note's own state)
        _note(person, T0 - timedelta(minutes=1))
        db.session.commit()                                           # a new transaction forgets it
        assert plausibility.previous_fix_of(person.id, T0).event_id == stored.id
