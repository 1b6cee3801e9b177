"""The demo: what composes every domain, so it stands above all of them (no domain imports it).

- :mod:`.loader`: :func:`~.loader.load_demo`, the demo organisation (offices, schedules,
  accounts, a school class with its cards, clinic patients and procedures, departments and
  rosters, posts, app versions, a kiosk), idempotent;
- :mod:`.attendance`: :func:`~.attendance.load_history`, the attendance of the demo's staff from the
  first of last month to today, made through the attendance, leave and review services;
- :mod:`.cli`: ``flask demo load``.
"""
