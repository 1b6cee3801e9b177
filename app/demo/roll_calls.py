"""The demo's school roll calls: a lived-in month for the students of the demo's class.

Every school day of the students (their own schedule: the organisation's, Monday to Friday,
holidays off; :func:`app.schedules.resolution.plan_range`) from the first day of last month to
today, the roll call is taken at the first lesson, 07:15 to 07:30 local time, by the homeroom
teacher if they checked in by then, else by the principal if she had; else it waits for the
first of them to check in.  What a student-day gets, as the school's roll call
records it (contract 002 section 5 and the teacher's marks, :data:`app.school.models.ABSENCE_KINDS`):

- mostly **present**: the card scanned (``qr_card``), now and then the number typed (``manual``),
  or, when the whole class is in, "whole class present" (``bulk``);
- sometimes **late**: recorded present by hand 15 to 45 minutes after the roll call (the roll
  call keeps presence and its time, no lateness: the class's day shows the later time);
- now and then a mark: **sick** (*sakit*, with the parents' note), **permitted** (*izin*) or
  **absent** (*alpa*, no word).

Each is done by the school's own services (:func:`~app.school.services.record_student`,
:func:`~app.school.services.bulk_record`, :func:`~app.school.services.mark_absence`) with the
clock standing at the moment it happened (:func:`app.common.clock.at`), so the times, the
audit trail (``roll_call.mark``) and the month pages read as real use would have left them.

Deterministic like the staff's history (:func:`.attendance.seeded`: one draw sequence per
student-day); the first time (no roll call of these students yet) :data:`STORIES` make sure
every kind of day is there.  Idempotent: a student-day with a presence or a mark is left alone.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from ..accounts.models import User
from ..attendance.models import DailyAttendance
from ..common import clock
from ..common.months import month_before
from ..extensions import db
from ..school.models import SchoolClass, StudentAbsence, StudentAttendance
from ..school.services import academic_year_of, bulk_record, class_students, mark_absence, record_student
from ..schedules.resolution import plan_range
from .attendance import seeded

#: Shares of school days a student is late, sick, permitted or absent (the rest: present on time).
LATE_SHARE = 0.10
SICK_SHARE = 0.03
PERMITTED_SHARE = 0.02
ABSENT_SHARE = 0.02
#: Share of school days the teacher marks the whole class present (when everyone is in on time).
BULK_SHARE = 0.25
#: Share of on-time students whose number the teacher types instead of scanning the card.
MANUAL_SHARE = 0.1

#: Told once: (kind, student, school days before today: 1 = the last one before today).
STORIES = (
    ("sick", "Citra Dewi", 8),
    ("sick", "Citra Dewi", 7),
    ("permitted", "Andi Saputra", 13),
    ("absent", "Andi Saputra", 4),
    ("late", "Citra Dewi", 2),
)
#: The teacher's notes of each mark (one is drawn); an absence (*alpa*) has none.
NOTES = {
    "sick": ("Demam, orang tua mengirim surat", "Sakit flu, izin dari orang tua lewat telepon",
             "Sakit perut, surat dokter menyusul"),
    "permitted": ("Acara keluarga di luar kota (surat orang tua)", "Mengikuti lomba pidato tingkat kecamatan"),
}


def _kind(rng: random.Random) -> str:
    draw = rng.random()
    for kind, share in (("sick", SICK_SHARE), ("permitted", PERMITTED_SHARE), ("absent", ABSENT_SHARE),
                        ("late", LATE_SHARE)):
        if draw < share:
            return kind
        draw -= share
    return "present"


def _roll_call(day: date, takers: list[tuple[User, datetime | None]], rng: random.Random) -> tuple[datetime, User]:
    """When the roll call of ``day`` starts (UTC) and who takes it: 07:15 to 07:30 local by the
    first of ``takers`` (each with their check-in of the day, UTC, or None) already in; when none
    is, 2 to 6 minutes after the first of them checks in (the first taker when nobody does)."""
    moment = (datetime.combine(day, time(7, 15), clock.local_zone())
              + timedelta(minutes=rng.randint(0, 15))).astimezone(timezone.utc)
    for taker, checked_in in takers:
        if checked_in is not None and checked_in <= moment:
            return moment, taker
    arrivals = sorted((checked_in, n) for n, (_taker, checked_in) in enumerate(takers) if checked_in is not None)
    if not arrivals:
        return moment, takers[0][0]
    checked_in, n = arrivals[0]
    return checked_in + timedelta(minutes=rng.randint(2, 6)), takers[n][0]


def load_roll_calls(school_class: SchoolClass, teacher: User, principal: User) -> int:
    """Make the roll calls of ``school_class``'s students that are missing, from the first day of
    last month to now (local dates); returns how many student-days got a presence or a mark.

    :param teacher: the homeroom teacher, who takes the roll call when in by then.
    :param principal: who takes it when the teacher is not (yet) in.
    """
    now = clock.now()
    today = clock.local_today()
    start = month_before(today)
    year = academic_year_of(today)
    students = class_students(school_class, year)
    if not students:
        return 0
    ids = [s.id for s in students]
    dates = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    plans = plan_range(students, start, today)
    done = set(db.session.execute(db.select(StudentAttendance.student_id, StudentAttendance.date).where(
        StudentAttendance.student_id.in_(ids), StudentAttendance.date.between(start, today))).tuples())
    done |= set(db.session.execute(db.select(StudentAbsence.student_id, StudentAbsence.date).where(
        StudentAbsence.student_id.in_(ids), StudentAbsence.date.between(start, today))).tuples())
    arrived: dict[tuple[int, date], datetime] = {
        (user_id, day): time_in for user_id, day, time_in in db.session.execute(
            db.select(DailyAttendance.user_id, DailyAttendance.work_date, DailyAttendance.time_in).where(
                DailyAttendance.user_id.in_([teacher.id, principal.id]), DailyAttendance.work_date.between(start, today),
                DailyAttendance.time_in.is_not(None)))}
    school_days = {s.id: [d for d, p in zip(dates, plans[s.id])
                          if p.is_working_day and p.holiday is None and academic_year_of(d) == year and d < today]
                   for s in students}
    stories: dict[tuple[int, date], str] = {}
    if not done:
        by_name = {s.name: s for s in students}
        for kind, name, back in STORIES:
            student = by_name.get(name)
            if student is not None and len(school_days[student.id]) >= back:
                stories[(student.id, school_days[student.id][-back])] = kind

    made = 0
    for index, day in enumerate(dates):
        if academic_year_of(day) != year:
            continue
        todo = [s for s in students if (s.id, day) not in done
                and plans[s.id][index].is_working_day and plans[s.id][index].holiday is None]
        if not todo:
            continue
        rng = random.Random(f"hadir-demo:roll-call:{school_class.name}:{day.isoformat()}")
        moment, recorder = _roll_call(day, [(taker, arrived.get((taker.id, day))) for taker in (teacher, principal)],
                                      rng)
        if moment > now:
            break
        kinds = {s.id: stories.get((s.id, day)) or _kind(seeded(s, day, "roll-call")) for s in todo}
        if len(todo) == len(students) and set(kinds.values()) == {"present"} and rng.random() < BULK_SHARE:
            with clock.at(moment):
                made += bulk_record(school_class, day, recorder).newly
            continue
        steps = []   # (when, student, kind), done in time order
        for n, student in enumerate(todo):
            draws = seeded(student, day, "roll-call-time")
            if kinds[student.id] == "late":
                when = moment + timedelta(minutes=draws.randint(15, 45), seconds=draws.randint(0, 59))
            else:
                when = moment + timedelta(seconds=20 + 40 * n + draws.randint(0, 30))
            steps.append((when, student, kinds[student.id], draws))
        for when, student, kind, draws in sorted(steps, key=lambda step: step[0]):
            if when > now:
                continue   # (today's late comer has not come yet)
            with clock.at(when):
                if kind in ("present", "late"):
                    method = "manual" if kind == "late" or draws.random() < MANUAL_SHARE else "qr_card"
                    record_student(student, school_class, recorder, method=method, on=day)
                else:
                    note = draws.choice(NOTES[kind]) if kind in NOTES else None
                    mark_absence(student, school_class, recorder, on=day, kind=kind, note=note)
            made += 1
    return made
