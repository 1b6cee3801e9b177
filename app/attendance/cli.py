"""``flask attendance ...`` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..common import clock
from ..common.cli import run_or_fail
from .closing import close_days

attendance_cli = AppGroup("attendance", help="Attendance housekeeping (for cron).")


@attendance_cli.command("close-days")
def close_days_command():
    """Remind people to check out, and mark (or close at the scheduled end) the days whose
    check-out window closed without a check-out.  Idempotent; safe every few minutes and on
    several servers at once."""
    now = clock.now()
    result = run_or_fail(lambda: close_days(now))
    click.echo(f"close-days at {clock.to_local(now).strftime('%Y-%m-%d %H:%M %Z')}: "
               f"reminded {result.reminded}, closed {result.closed} at the scheduled end (waiting for review), "
               f"marked {result.left_open} missed and left open for correction, {result.open} still open")
