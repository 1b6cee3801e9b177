"""The demo's attendance history: a lived-in month for the staff of :mod:`.loader`.

From the first day of last month to yesterday (local dates, :mod:`app.common.clock`), and
today up to now, every working day of the demo's employees (by each person's own schedule:
"Jam Kerja Normal" for the office and school staff, the roster's shifts for the clinic's, night
shifts checked out the next morning) gets a check-in and a check-out, made by the domain's own
services at the moment they happened (``record_attendance(now=...)``), so every daily row,
status, lateness, worked minute and overtime claim is what real use would have produced.
Days off, holidays and approved leave get nothing.

The picture is deterministic: each person-day draws from a ``random.Random`` seeded with the
person's number and the date, so loading again (or tomorrow) gives the same days.  Mostly on
time, some late (6 to 40 minutes past the start), a few absent, now and then a stay of 35 to
55 minutes (overtime approved at once).  The first time, a handful of stories is added
(:data:`STORIES`): an approved annual leave of three days, a pending leave request, a
check-in far from the office approved on review and one still waiting, a missed check-out
closed by ``attendance close-days``, overtime approved on review and overtime waiting, an
admin's correction of a forgotten check-in, a sick day and a day absent without leave.

The decisions and corrections of the stories carry a plausible time a little after what they
decide (:func:`app.common.clock.at` stands the clock there while the service runs): the far
check-in approved an hour or two later, the overtime, the forgotten check-in, the sick day and
the absence decided the next weekday morning, the annual leave asked for ten days ahead and
approved the next weekday.

Idempotent: a day that has a row (or leave) is left alone, and the stories are told only
when none of the demo's staff has any attendance yet.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from ..accounts.models import User
from ..attendance import corrections, overtime
from ..attendance.closing import close_days
from ..attendance.models import AttendanceEvent, DailyAttendance, OvertimeClaim
from ..attendance.services import record_attendance, review_event
from ..common import clock
from ..common.months import month_before
from ..extensions import db
from ..leave.models import LeaveRequest
from ..leave.services import create_leave, review_leave
from ..places.models import Office
from ..schedules import services as schedules
from ..schedules.models import WorkSchedule
from ..schedules.resolution import plan_range

#: Whose history is made (by name, see :data:`app.demo.loader.USERS`): the office and school
#: staff on the organisation's schedule, and the clinic's rostered staff.  Not the students
#: (their teacher's roll call is theirs) nor the administrators (not in the recap's staff).
OFFICE_STAFF = ("Andi Pratama", "Siti Rahmawati", "Budi Santoso", "Dewi Lestari", "Rudi Hartono",
                "Hj. Sri Wahyuni", "Budi Setiawan")
CLINIC_STAFF = ("dr. Rina Wulandari", "Bambang Prasetyo")

#: Share of working days absent without a word, and late (the rest are on time).
ABSENT_SHARE = 0.03
LATE_SHARE = 0.15
#: Share of days someone stays 35 to 55 minutes past the end (overtime, approved at once).
STAY_SHARE = 0.04

#: The stories told once: (kind, person, working days before today, ...).  ``days_back`` counts
#: the person's own working days back from yesterday (1 = their last working day before today).
STORIES = (
    ("approved_leave", "Dewi Lestari", 15),      # annual leave (cuti) of three working days
    ("far_approved", "Budi Santoso", 9),         # checked in at a client's, approved on review
    ("far_pending", "Rudi Hartono", 1),          # checked in far away, still waiting
    ("missed_check_out", "Andi Pratama", 4),     # no check-out: closed at the scheduled end
    ("overtime_approved", "Siti Rahmawati", 7),  # 95 minutes after the end, approved on review
    ("overtime_pending", "Budi Santoso", 2),     # 80 minutes after the end, waiting
    ("forgot_check_in", "Budi Setiawan", 6),     # the admin adds the times (a correction)
    ("sick", "Andi Pratama", 12),                # sick leave, marked by the admin (a correction)
    ("absent", "Siti Rahmawati", 11),            # absent without leave, marked by the admin
)
#: Working days ahead of today of the pending leave request (permission, *izin*).
PENDING_LEAVE = ("Siti Rahmawati", 3)

#: Roughly where "far from the office" is: a client's office about 1.3 km and 3 km away (degrees).
FAR_OFFSETS = {"far_approved": (0.0105, 0.0065), "far_pending": (-0.0210, 0.0190)}


def seeded(user: User, day: date, part: str = "day") -> random.Random:
    """The person-day's own random draws, one sequence per ``part`` (string seeds give the same
    sequence in every process)."""
    return random.Random(f"hadir-demo:{part}:{user.npp or user.nisn_nip_nik or user.id}:{day.isoformat()}")


def _next_morning(day: date, rng: random.Random, now: datetime) -> datetime:
    """When the admin decides something about ``day``: the first weekday after it, between 08:30
    and 10:30 local time (UTC; never after ``now``)."""
    after = day + timedelta(days=1)
    while after.isoweekday() > 5:
        after += timedelta(days=1)
    moment = datetime.combine(after, time(8, 30), clock.local_zone()) + timedelta(minutes=rng.randint(0, 120))
    return min(_at_minute(moment, rng), now)


def _at_minute(moment: datetime, rng: random.Random) -> datetime:
    """``moment`` plus a random second within its minute, in UTC (what the clock would have read)."""
    return (moment + timedelta(seconds=rng.randint(0, 59))).astimezone(timezone.utc)


def _times(schedule, day: date, rng: random.Random, story: str | None) -> tuple[datetime, datetime]:
    """Check-in and check-out moments (UTC) of one working day by its schedule.

    On time: between five minutes after check-in opens and the end of the grace period; late:
    6 to 40 minutes past ``late_after`` (inside the check-in window).  Check-out: up to 25
    minutes after the scheduled end (35 to 55 on a day someone stays; the overtime stories stay
    80 and 95), inside the check-out window.
    """
    zone = clock.local_zone()
    window = schedules.check_in_window(schedule, day, zone)
    start = schedules.scheduled_start(schedule, day, zone)
    grace = schedule.grace_minutes or 0
    if rng.random() < LATE_SHARE and story is None:
        moment_in = start + timedelta(minutes=grace + rng.randint(1, 40 - grace))
    else:
        earliest = window.start + timedelta(minutes=5)
        span = max(0, int((start - earliest).total_seconds() // 60) + grace)
        moment_in = earliest + timedelta(minutes=rng.randint(0, span))
    moment_in = min(moment_in, window.end - timedelta(minutes=2))
    end = schedules.scheduled_end(schedule, day, zone)
    stay = {"overtime_approved": 95, "overtime_pending": 80}.get(story)
    if stay is None:
        stay = rng.randint(35, 55) if rng.random() < STAY_SHARE else rng.randint(0, 25)
    out_window = schedules.check_out_window(schedule, day, zone)
    moment_out = max(out_window.start, min(end + timedelta(minutes=stay), out_window.end - timedelta(minutes=2)))
    return _at_minute(moment_in, rng), _at_minute(moment_out, rng)


def _check(user: User, kind: str, moment: datetime, office: Office, rng: random.Random, *,
           clinic: bool, offset: tuple[float, float] | None = None):
    """One check-in or check-out through :func:`record_attendance` at ``moment``: the clinic's staff
    at the lobby kiosk (face, no position), everyone else by phone near their office (a few metres
    off, 5–20 m accuracy) or, with ``offset``, that many degrees away."""
    if clinic:
        return record_attendance(user, kind, source="face", office=office, device_id="demo-kiosk", now=moment)
    d_lat, d_lon = offset or (rng.uniform(-0.0002, 0.0002), rng.uniform(-0.0002, 0.0002))
    return record_attendance(user, kind, source="mobile_gps", latitude=office.latitude + d_lat,
                             longitude=office.longitude + d_lon, accuracy_m=float(rng.randint(5, 20)),
                             device_id=f"demo-phone-{user.npp}", now=moment)


def _covered(leaves, user_id: int, day: date) -> bool:
    return any(leave.user_id == user_id and leave.start_date <= day <= leave.end_date for leave in leaves)


def load_history(users: dict[str, User], admin: User, offices: dict[str, Office]) -> int:
    """Make the demo's attendance history that is missing; returns how many days got a row.

    :param users: the demo's people by name (:data:`app.demo.loader.USERS`).
    :param admin: who reviews and corrects (the decisions name a person, as in real use).
    :param offices: the demo's offices by code (the kiosk's is ``0001``).
    """
    staff = [users[n] for n in OFFICE_STAFF + CLINIC_STAFF if n in users]
    clinic_ids = {users[n].id for n in CLINIC_STAFF if n in users}
    now = clock.now()
    today = clock.local_today()
    start = month_before(today)
    ahead = today + timedelta(days=21)
    plans = plan_range(staff, start, ahead)
    dates = [start + timedelta(days=n) for n in range((ahead - start).days + 1)]
    ids = [u.id for u in staff]
    first_time = db.session.scalar(db.select(AttendanceEvent.id).where(AttendanceEvent.user_id.in_(ids)).limit(1)) \
        is None

    def working_days(user: User, before: bool = True) -> list[date]:
        """The person's working days before today (latest first), or after today (earliest first)."""
        days = [(d, p) for d, p in zip(dates, plans[user.id]) if p.is_working_day and p.holiday is None]
        if before:
            return [d for d, _p in reversed(days) if d < today]
        return [d for d, _p in days if d > today]

    stories: dict[tuple[int, date], str] = {}
    if first_time:
        for kind, name, back in STORIES:
            days = working_days(users[name])
            if len(days) >= back + 2:
                stories[(users[name].id, days[back - 1])] = kind
        name, ahead_days = PENDING_LEAVE
        upcoming = working_days(users[name], before=False)
        if len(upcoming) >= ahead_days + 1:
            create_leave(users[name], "izin", upcoming[ahead_days - 1], upcoming[ahead_days],
                         "Mengurus perpanjangan SIM dan KTP di Samsat")
    for (user_id, day), kind in list(stories.items()):
        if kind == "approved_leave":
            user = db.session.get(User, user_id)
            days = sorted(d for d in working_days(user) if d >= day)[:3]
            rng = seeded(user, day, "leave")
            asked = datetime.combine(days[0] - timedelta(days=10), time(10), clock.local_zone()) \
                + timedelta(minutes=rng.randint(0, 240))
            with clock.at(min(_at_minute(asked, rng), now)):
                leave = create_leave(user, "cuti", days[0], days[-1], "Menghadiri pernikahan saudara di Surabaya")
            with clock.at(_next_morning(asked.date(), rng, now)):
                review_leave(leave, admin, True, "Disetujui, selamat berbahagia")

    # the days already recorded: (person, date) -> (time_in, open: checked in, no check-out, not missed)
    existing = {(user_id, work_date): (time_in, bool(is_open)) for user_id, work_date, time_in, is_open
                in db.session.execute(
                    db.select(DailyAttendance.user_id, DailyAttendance.work_date, DailyAttendance.time_in,
                              DailyAttendance.check_out_event_id.is_(None)
                              & DailyAttendance.missed_check_out_at.is_(None))
                    .where(DailyAttendance.user_id.in_(ids), DailyAttendance.work_date.between(start, today)))}
    leaves = list(db.session.scalars(db.select(LeaveRequest).where(
        LeaveRequest.user_id.in_(ids), LeaveRequest.status.in_(("pending", "approved")),
        LeaveRequest.start_date <= today, LeaveRequest.end_date >= start)))
    made = 0
    flagged: dict[str, AttendanceEvent] = {}
    missed: list[DailyAttendance] = []
    # Day by day, everyone's, in time order: a night shift's check-out (the next morning) comes
    # before that morning's check-ins, as the clock would have had it.
    for index, day in enumerate(dates):
        if day > today:
            break
        for user in staff:
            plan = plans[user.id][index]
            story = stories.get((user.id, day))
            if not plan.is_working_day or plan.holiday is not None or _covered(leaves, user.id, day) \
                    or story in ("forgot_check_in", "sick", "absent", "approved_leave"):
                continue
            rng = seeded(user, day)
            if rng.random() < ABSENT_SHARE and story is None:
                continue
            moment_in, moment_out = _times(plan.schedule, day, rng, story)
            if moment_in > now:
                continue
            clinic = user.id in clinic_ids
            office = offices["0001"] if clinic else db.session.get(Office, user.office_id)
            known = existing.get((user.id, day))
            if known is None:
                result = _check(user, "check_in", moment_in, office, rng, clinic=clinic,
                                offset=FAR_OFFSETS.get(story))
                made += 1
                if story in FAR_OFFSETS:
                    flagged[story] = result.event
                if story == "missed_check_out":
                    missed.append(result.daily)
                    continue
            elif known != (moment_in, True):
                continue   # a day someone else made, or finished: left as it is
            if moment_out <= now:   # (a day checked in by an earlier load before its end is finished now)
                _check(user, "check_out", moment_out, office, seeded(user, day, "out"), clinic=clinic)
    if not first_time:
        return made
    # The stories' decisions and corrections, each with the clock standing a little after what it
    # decides (the services date ``reviewed_at``, ``decided_at``, the audit entry by the clock).
    if "far_approved" in flagged:
        event = flagged["far_approved"]
        rng = seeded(event.user, event.work_date, "review")
        with clock.at(min(event.occurred_at + timedelta(minutes=rng.randint(70, 150), seconds=rng.randint(0, 59)),
                          now)):
            review_event(event, admin, approve=True, note="Rapat di kantor klien, sudah dikonfirmasi")
    for claim in db.session.scalars(db.select(OvertimeClaim).where(
            OvertimeClaim.user_id.in_(ids), OvertimeClaim.status == "pending").order_by(OvertimeClaim.work_date)):
        if stories.get((claim.user_id, claim.work_date)) == "overtime_approved":
            with clock.at(_next_morning(claim.work_date, seeded(claim.user, claim.work_date, "decision"), now)):
                overtime.decide_claim(claim, admin, approve=True, note="Lembur menyelesaikan stok opname")
    for daily in missed:
        # ``attendance close-days`` as cron would have run it, a few minutes after the window closed
        schedule = db.session.get(WorkSchedule, daily.schedule_id)
        closed = schedules.check_out_window(schedule, daily.work_date, clock.local_zone()).end
        close_days(now=(closed + timedelta(minutes=5)).astimezone(now.tzinfo))
    for (user_id, day), kind in stories.items():
        if kind not in ("forgot_check_in", "absent", "sick"):
            continue
        with clock.at(_next_morning(day, seeded(db.session.get(User, user_id), day, "correction"), now)):
            if kind == "forgot_check_in":
                corrections.add_times(admin, user_id, day, check_in=time(7, 41), check_out=time(16, 12),
                                      reason="Lupa absen; hadir menurut daftar hadir rapat")
                made += 1
            elif kind == "absent":
                corrections.mark_absent(admin, user_id, day, reason="Tidak masuk tanpa keterangan")
            else:
                corrections.mark_leave(admin, user_id, day, "sakit", reason="Surat keterangan dokter diterima",
                                       note="Demam, istirahat satu hari (surat dokter)")
    return made
