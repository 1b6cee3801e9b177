"""Work schedules (jam kerja), who works which one when, rosters and holidays.

Where things are (for pages and commands built on top):

- :mod:`.models` — ``WorkSchedule`` (a shift, with its rules), ``ScheduleAssignment``,
  ``ShiftPattern``/``ShiftPatternStep``, ``RosterEntry``, ``Holiday``;
- :mod:`.services` — create/update/delete a schedule (``create_schedule(values)``, the
  keys it takes), the organisation's default (``active_schedule``, ``set_active``), and
  the rules of a day (windows, late, early leave, scheduled start/end);
- :mod:`.resolution` — which schedule applies to a person on a date
  (``resolve_day``/``resolve_days``: one statement; ``resolve_range``: people × dates);
- :mod:`.day_cache` — today's and yesterday's schedule of people without rows of their own,
  per department and office from each worker's memory (the mobile check-in);
- :mod:`.assignments` — a schedule for a person, a department or an office from a date;
- :mod:`.rosters` — shift patterns, ``apply_pattern``, one cell (``set_roster_day``,
  ``clear_roster_day``, ``swap_roster_days``) and the month grid (``roster_month``);
- :mod:`.holidays` — the yearly import (``import_year``) and the editable calendar;
- :mod:`.cli` — ``flask schedule``, ``flask roster``, ``flask holidays``.

Departments live in :mod:`app.departments`.
"""
