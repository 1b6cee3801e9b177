"""The kiosk judges each recognised face by the person's own schedule: the greeting says how
late they are, a night shift is checked in while the organisation's default is closed and
checked out after midnight on the day it started; outside their own shift nothing is recorded."""
from __future__ import annotations

from app.attendance.models import DailyAttendance
from app.extensions import db

from .test_kiosk_face import FACES, _frame, at, obama  # noqa: F401  (fixtures)

PROBE = FACES / "probe" / "obama-480p.jpg"


def test_the_greeting_says_how_late_by_the_persons_schedule(paired_tablet, obama, at):
    tablet = paired_tablet(modes=("face",))
    at("08:23")
    assert _frame(tablet, PROBE).get_json() == {
        "result": "checked_in", "name": "Barack", "time": "08:23",
        "message": "Selamat pagi, Barack — masuk 08.23, terlambat 23 menit"}


def test_a_night_shift_at_the_kiosk(app, paired_tablet, obama, factory, freeze_time):
    factory.night_shift_for(obama)                       # in 19:00-22:00, late after 20:00, out 04:00-06:00
    tablet = paired_tablet(modes=("face",))
    freeze_time("2026-01-30T08:00:00+07:00")            # the default's window: not his
    assert _frame(tablet, PROBE).get_json()["result"] == "outside_window"
    freeze_time("2026-01-30T20:10:00+07:00")            # the default is closed, his shift is open
    evening = _frame(tablet, PROBE).get_json()
    assert evening["result"] == "checked_in"
    assert evening["message"] == "Selamat malam, Barack — masuk 20.10, terlambat 10 menit"
    freeze_time("2026-01-31T04:30:00+07:00")
    morning = _frame(tablet, PROBE).get_json()
    assert morning["result"] == "checked_out" and morning["time"] == "04:30"
    with app.app_context():
        (day,) = db.session.scalars(db.select(DailyAttendance)).all()
        assert (day.work_date.isoformat(), day.worked_minutes, day.late_minutes) == ("2026-01-30", 500, 10)
