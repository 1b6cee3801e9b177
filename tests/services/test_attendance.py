"""Check-in/check-out rules at the service level: idempotent retries, races, review."""
import threading

import pytest

from app.accounts.models import User
from app.attendance import services as attendance
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.common.errors import ValidationFailed
from app.extensions import db
from tests.helpers import count_rows


@pytest.fixture
def employee(factory):
    office = factory.office()
    factory.schedule()
    return factory.user(npp="10001", office=office)


def test_a_retry_with_the_same_client_ref_is_not_doubled(ctx, employee, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    user = db.session.get(User, employee.id)
    first = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088,
                                         longitude=106.8456, client_ref="abc-1")
    db.session.commit()
    again = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088,
                                         longitude=106.8456, client_ref="abc-1")
    assert again.replayed and again.event.id == first.event.id
    assert count_rows(AttendanceEvent) == 1


def test_a_refused_second_check_in_leaves_nothing_even_when_the_caller_commits(ctx, employee, freeze_time):
    """Callers that catch the conflict and go on (the kiosk, the face dialect) commit what is left:
    the refused check-in's event must not be among it, and the first check-in stays as it was."""
    freeze_time("2026-01-30T07:45:00+07:00")
    user = db.session.get(User, employee.id)
    first = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088, longitude=106.8456)
    db.session.commit()
    freeze_time("2026-01-30T07:50:00+07:00")
    with pytest.raises(attendance.AlreadyCheckedIn):
        attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088, longitude=106.8456)
    db.session.commit()
    db.session.expire_all()
    assert count_rows(AttendanceEvent) == 1
    daily = db.session.scalar(db.select(DailyAttendance))
    assert daily.check_in_event_id == first.event.id and daily.status == "present"


def test_a_check_in_answers_from_what_it_inserted(ctx, employee, freeze_time):
    """The day and event returned are the rows stored (read back in a fresh session)."""
    freeze_time("2026-01-30T08:20:00+07:00")
    user = db.session.get(User, employee.id)
    result = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088,
                                          longitude=106.8456, accuracy_m=12.5, device_id="phone-1")
    returned = (result.daily.id, result.daily.status, result.daily.late_minutes, result.daily.time_in,
                result.daily.check_in_event.id, result.event.accuracy_m, result.event.device_id)
    db.session.commit()
    db.session.expunge_all()
    stored = db.session.get(DailyAttendance, returned[0])
    assert (stored.id, stored.status, stored.late_minutes, stored.time_in, stored.check_in_event_id,
            stored.check_in_event.accuracy_m, stored.check_in_event.device_id) == returned
    assert returned[1] == "late" and returned[2] == 20 and stored.early_leave_minutes == 0


def test_late_check_in_and_worked_minutes(ctx, employee, freeze_time):
    user = db.session.get(User, employee.id)
    freeze_time("2026-01-30T08:20:00+07:00")
    result = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088, longitude=106.8456)
    assert result.daily.status == "late" and result.daily.late_minutes == 20
    freeze_time("2026-01-30T17:05:00+07:00")
    result = attendance.record_attendance(user, "check_out", source="mobile_gps", latitude=-6.2088, longitude=106.8456)
    assert result.daily.worked_minutes == 8 * 60 + 45


def test_check_out_without_check_in_is_refused(ctx, employee, freeze_time):
    freeze_time("2026-01-30T16:30:00+07:00")
    with pytest.raises(attendance.NotCheckedIn):
        attendance.record_attendance(db.session.get(User, employee.id), "check_out", source="mobile_gps",
                                     latitude=-6.2088, longitude=106.8456)
    assert count_rows(AttendanceEvent) == 0


def test_a_missing_position_on_a_gps_check_in_records_nothing(ctx, employee, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    with pytest.raises(ValidationFailed):
        attendance.record_attendance(db.session.get(User, employee.id), "check_in", source="mobile_gps")
    assert count_rows(AttendanceEvent) == 0


def test_rejecting_a_flagged_check_in_lets_the_person_check_in_again(ctx, employee, factory, freeze_time):
    reviewer = factory.user(role="admin", npp="90001")
    freeze_time("2026-01-30T07:45:00+07:00")
    user = db.session.get(User, employee.id)
    far = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.3, longitude=106.8456)
    assert far.pending_review and far.daily.status == "pending_review"
    assert far.event.flag_reason == "outside_geofence" and far.event.distance_m > 10_000
    attendance.review_event(far.event, db.session.get(User, reviewer.id), approve=False, note="Tidak di kantor")
    db.session.commit()
    daily = db.session.scalar(db.select(DailyAttendance))
    assert daily.status == "rejected" and daily.time_in is None
    again = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088, longitude=106.8456)
    assert not again.pending_review and again.daily.id == daily.id
    assert count_rows(AttendanceEvent) == 2


def test_approving_a_flagged_check_in_makes_the_day_present(ctx, employee, factory, freeze_time):
    reviewer = factory.user(role="admin", npp="90001")
    freeze_time("2026-01-30T07:45:00+07:00")
    far = attendance.record_attendance(db.session.get(User, employee.id), "check_in", source="mobile_gps",
                                       latitude=-6.2088, longitude=106.8456, accuracy_m=500)
    assert far.event.flag_reason == "low_accuracy"
    attendance.review_event(far.event, db.session.get(User, reviewer.id), approve=True)
    assert far.daily.status == "present" and far.event.review_state == "approved"


def test_concurrent_check_ins_record_exactly_one(app, employee, freeze_time):
    """Two threads (two connections) check the same person in at once: one wins, one gets 82."""
    freeze_time("2026-01-30T07:45:00+07:00")
    barrier = threading.Barrier(4, timeout=30)
    outcomes = []

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                user = db.session.get(User, employee.id)
                attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2088,
                                             longitude=106.8456)
                db.session.commit()
                outcomes.append("ok")
            except attendance.AlreadyCheckedIn:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    with app.app_context():
        assert count_rows(AttendanceEvent) == 1
        assert count_rows(DailyAttendance) == 1


def test_the_returned_event_and_day_are_their_stored_rows_column_by_column(ctx, employee, freeze_time):
    """Every column of the event and the day a check-in hands back (defaults, the flag details of a
    held event, the ids) is what the database stored, and reading them sends no SQL."""
    from sqlalchemy import event as sa_event

    freeze_time("2026-01-30T07:45:00+07:00")
    user = db.session.get(User, employee.id)
    result = attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.3, longitude=106.9,
                                          accuracy_m=20, device_id="phone-1", client_ref="ref-1")

    def columns(obj) -> dict:
        return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}

    statements = []

    def note(conn, cursor, statement, *rest):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", note)
    try:
        returned = columns(result.event), columns(result.daily), result.daily.check_in_event is result.event
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", note)
    assert statements == []
    assert returned[0]["review_state"] == "pending" and returned[0]["flag_reason"] == "outside_geofence"
    assert returned[1]["status"] == "pending_review" and returned[2]
    db.session.commit()
    db.session.expunge_all()
    assert columns(db.session.get(AttendanceEvent, returned[0]["id"])) == returned[0]
    assert columns(db.session.get(DailyAttendance, returned[1]["id"])) == returned[1]
