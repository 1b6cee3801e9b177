"""record_kiosk_visit: a person recognised at a kiosk is checked in or out following their day."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.attendance.services import NoActiveSchedule, NotCheckedIn, record_kiosk_visit
from app.extensions import db
from app.places.models import Office

GAP = 10 * 60


def _at(text):
    return datetime.fromisoformat(f"2026-01-30T{text}:00+07:00")


@pytest.fixture
def andi(app, factory):
    """Andi of the default office; schedule: in 07:00-09:00 (late after 08:00), out 16:00-18:00."""
    office = factory.office()
    factory.schedule()
    return factory.user(name="Andi Pratama", office=office)


def _visit(app, user, when):
    with app.app_context():
        person = db.session.get(User, user.id)
        visit = record_kiosk_visit(person, office=db.session.get(Office, person.office_id), min_gap_s=GAP,
                                   now=_at(when))
        db.session.commit()
        return visit.outcome, visit.event.kind if visit.event else None


def _events(app):
    with app.app_context():
        return [(e.kind, e.source) for e in db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id))]


def test_a_day_at_the_kiosk(app, andi):
    assert _visit(app, andi, "07:42") == ("checked_in", "check_in")
    assert _visit(app, andi, "07:45") == ("already_in", None)        # a second look changes nothing
    assert _visit(app, andi, "12:00") == ("outside_window", None)
    assert _visit(app, andi, "16:05") == ("checked_out", "check_out")
    assert _visit(app, andi, "16:20") == ("already_out", None)
    assert _events(app) == [("check_in", "face"), ("check_out", "face")]


def test_no_check_out_within_the_minimum_gap(app, factory):
    office = factory.office()
    # overlapping windows: check-in 07:00-17:00, check-out 07:30-18:00
    factory.schedule(check_in=("07:00", "17:00"), check_out=("07:30", "18:00"), late_after="08:00")
    budi = factory.user(name="Budi", office=office)
    assert _visit(app, budi, "07:40") == ("checked_in", "check_in")
    assert _visit(app, budi, "07:45") == ("already_in", None)         # 5 minutes: under the gap
    assert _visit(app, budi, "07:51") == ("checked_out", "check_out")  # 11 minutes


def test_check_out_window_without_check_in_and_no_schedule(app, factory, andi):
    with pytest.raises(NotCheckedIn):
        _visit(app, andi, "16:30")
    assert _events(app) == []
    with app.app_context():
        from app.schedules.models import WorkSchedule
        db.session.execute(db.update(WorkSchedule).values(is_active=False))
        db.session.commit()
    with pytest.raises(NoActiveSchedule):
        _visit(app, andi, "07:30")
