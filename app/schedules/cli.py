"""``flask schedule ...``, ``flask roster ...`` and ``flask holidays ...`` commands (each prints what it did)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from ..common.cli import run_or_fail
from ..common.errors import NotFound, ValidationFailed
from . import assignments, holidays, rosters, services
from .models import LATE_POLICIES, MISSED_CHECK_OUT_POLICIES

schedule_cli = AppGroup("schedule", help="Manage work schedules (jam kerja) and who works which one.")
roster_cli = AppGroup("roster", help="Shift patterns and rosters.")
holidays_cli = AppGroup("holidays", help="Public holidays and cuti bersama.")


def _window(value: str | None, field: str) -> tuple[str | None, str | None]:
    """``"07:00-09:00"`` → ``("07:00", "09:00")``; ``"16:00"`` → ``("16:00", None)`` (open end)."""
    if value is None:
        return None, None
    start, _, end = value.partition("-")
    if not start.strip():
        raise ValidationFailed({field: [f"Write the {field} window as HH:MM-HH:MM."]})
    return start.strip(), (end.strip() or None)


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({field: [f"The {field} must be a date YYYY-MM-DD."]}) from None


def _weekdays(schedule) -> str:
    return ",".join(str(d) for d in schedule.working_weekdays)


def _describe(schedule) -> str:
    def hm(value):
        """A time of day as ``HH:MM``, or ``…`` when unset."""
        return value.strftime("%H:%M") if value else "…"

    parts = [f"check-in {hm(schedule.check_in_start)}-{hm(schedule.check_in_end)}",
             f"late after {hm(schedule.late_after)}" + (f" +{schedule.grace_minutes} min" if schedule.grace_minutes else ""),
             f"check-out {hm(schedule.check_out_start)}-{hm(schedule.check_out_end)}",
             f"days {_weekdays(schedule)}", f"late policy {schedule.late_policy}"
             + (f" until {hm(schedule.late_cutoff)}" if schedule.late_policy == "record_late" else "")]
    if schedule.overtime_threshold_minutes is not None:
        parts.append(f"overtime from {schedule.overtime_threshold_minutes} min, "
                     f"auto-approved up to {schedule.overtime_auto_approve_minutes} min")
    return "; ".join(parts)


@schedule_cli.command("create")
@click.option("--name", required=True)
@click.option("--check-in", "check_in", required=True, help="Check-in window HH:MM-HH:MM (local time).")
@click.option("--late-after", help="Scheduled start HH:MM: later check-ins are late.")
@click.option("--check-out", "check_out", required=True, help="Check-out window HH:MM-HH:MM (local time).")
@click.option("--days", help="Working weekdays, ISO numbers 1 = Monday ... 7 = Sunday (default 1,2,3,4,5).")
@click.option("--late-policy", type=click.Choice(LATE_POLICIES), help="After the check-in window: refuse (default) "
              "or record_late until --late-cutoff.")
@click.option("--late-cutoff", help="With record_late: HH:MM after which check-in is refused.")
@click.option("--grace", "grace_minutes", type=int, help="Minutes after --late-after still on time.")
@click.option("--work-end", help="Scheduled end HH:MM (default: when check-out opens).")
@click.option("--early-leave-threshold", "early_leave_threshold_minutes", type=int)
@click.option("--missed-check-out", "missed_check_out_policy", type=click.Choice(MISSED_CHECK_OUT_POLICIES))
@click.option("--reminder", "reminder_lead_minutes", type=int, help="Minutes before check-out closes to remind.")
@click.option("--overtime-threshold", "overtime_threshold_minutes", type=int)
@click.option("--overtime-auto-approve", "overtime_auto_approve_minutes", type=int)
@click.option("--overtime-before-start/--no-overtime-before-start", default=None)
@click.option("--code", help="Short code for roster cells, e.g. P.")
@click.option("--color", help="Roster cell colour #rrggbb.")
@click.option("--active", is_flag=True, help="Make it the organisation's default.")
def create_schedule_command(name, check_in, late_after, check_out, days, active, **extra):
    """Create a work schedule (a shift)."""
    def action():
        in_start, in_end = _window(check_in, "check-in")
        out_start, out_end = _window(check_out, "check-out")
        values = {"name": name, "check_in_start": in_start, "check_in_end": in_end, "check_out_start": out_start,
                  "check_out_end": out_end, "late_after": late_after, "is_active": active}
        if days is not None:
            values["working_weekdays"] = days
        values.update({k: v for k, v in extra.items() if v is not None})
        return services.create_schedule(values, actor="flask schedule create")

    schedule = run_or_fail(action)
    default = " (the organisation's default)" if schedule.is_active else ""
    click.echo(f"created work schedule {schedule.id} {schedule.name!r}{default}: {_describe(schedule)}")


@schedule_cli.command("assign")
@click.option("--schedule", "schedule_name", required=True, help="Name or code of the work schedule.")
@click.option("--user", "identifier", help="Email, NPP or NISN/NIP/NIK of the person.")
@click.option("--department", "department_code", help="Department code.")
@click.option("--office", "office_code", help="Office code.")
@click.option("--from", "starts", required=True, help="First day YYYY-MM-DD.")
@click.option("--to", "ends", help="Last day YYYY-MM-DD (default: open-ended).")
def assign_schedule_command(schedule_name, identifier, department_code, office_code, starts, ends):
    """Assign a work schedule to one person, department or office from a date."""
    from ..accounts.services import find_by_identifier
    from ..departments.services import find_department
    from ..extensions import db
    from ..places.models import Office

    def action():
        schedule = services.find_schedule(schedule_name)
        user = department = office = None
        if identifier:
            user = find_by_identifier(identifier)
            if user is None:
                raise NotFound(f"No user with email, NPP or NISN/NIP/NIK {identifier}", field="user")
        if department_code:
            department = find_department(department_code)
        if office_code:
            office = db.session.scalar(db.select(Office).filter_by(code=office_code))
            if office is None:
                raise NotFound(f"No office with code {office_code}", field="office")
        return assignments.assign_schedule(schedule, user=user, department=department, office=office,
                                           starts_on=_date(starts, "from"), ends_on=_date(ends, "to"),
                                           actor="flask schedule assign")

    assignment = run_or_fail(action)
    target = (f"user {assignment.user.name}" if assignment.user_id else
              f"department {assignment.department.code}" if assignment.department_id else
              f"office {assignment.office.code}")
    until = f" to {assignment.ends_on.isoformat()}" if assignment.ends_on else " (open-ended)"
    click.echo(f"assigned {assignment.schedule.name!r} to {target} from {assignment.starts_on.isoformat()}{until}")


@schedule_cli.command("list")
def list_schedules_command():
    """Print every work schedule with its rules."""
    for schedule in services.list_schedules():
        mark = "*" if schedule.is_active else " "
        click.echo(f"{mark} {schedule.id}\t{schedule.code or '-'}\t{schedule.name}\t{_describe(schedule)}")


@roster_cli.command("pattern")
@click.option("--name", required=True)
@click.option("--steps", required=True, help="Comma-separated schedule codes or names, '-' for a day off, "
              "e.g. P,P,S,S,M,M,-,-")
def create_pattern_command(name, steps):
    """Create a shift pattern (a rotating cycle)."""
    def action():
        cycle = [None if part.strip() in ("-", "") else services.find_schedule(part.strip())
                 for part in steps.split(",")]
        return rosters.create_pattern(name, cycle, actor="flask roster pattern")

    pattern = run_or_fail(action)
    labels = ",".join((s.schedule.code or s.schedule.name) if s.schedule else "-" for s in pattern.steps)
    click.echo(f"created shift pattern {pattern.name!r}: {labels} ({len(pattern.steps)} days)")


@roster_cli.command("apply")
@click.option("--pattern", "pattern_name", required=True)
@click.option("--department", "department_code", help="Department code (its members now).")
@click.option("--user", "identifiers", multiple=True, help="Email, NPP or NISN/NIP/NIK (repeatable).")
@click.option("--from", "starts", required=True, help="First day YYYY-MM-DD.")
@click.option("--to", "ends", required=True, help="Last day YYYY-MM-DD.")
@click.option("--anchor", help="Date of the cycle's first day (default --from).")
@click.option("--stagger", type=int, default=0, help="Steps each next person is ahead of the previous one.")
def apply_pattern_command(pattern_name, department_code, identifiers, starts, ends, anchor, stagger):
    """Write a pattern onto the roster of a department or of people for a date range."""
    from ..accounts.services import find_by_identifier
    from ..departments.services import find_department

    def action():
        pattern = rosters.find_pattern(pattern_name)
        users = None
        department = find_department(department_code) if department_code else None
        if identifiers:
            users = []
            for identifier in identifiers:
                user = find_by_identifier(identifier)
                if user is None:
                    raise NotFound(f"No user with email, NPP or NISN/NIP/NIK {identifier}", field="user")
                users.append(user)
        return rosters.apply_pattern(pattern, users=users, department=department, starts_on=_date(starts, "from"),
                                     ends_on=_date(ends, "to"), anchor_on=_date(anchor, "anchor"),
                                     stagger_by=stagger, actor="flask roster apply")

    applied = run_or_fail(action)
    click.echo(f"wrote {applied.entries} roster days for {applied.people} people "
               f"from {applied.starts_on.isoformat()} to {applied.ends_on.isoformat()}")


@holidays_cli.command("import")
@click.option("--year", required=True, type=int)
def import_holidays_command(year):
    """Add the year's national holidays and cuti bersama (Indonesia) to the calendar."""
    result = run_or_fail(lambda: holidays.import_year(year, actor="flask holidays import"))
    click.echo(f"added {result.added} holidays for {result.year} ({result.skipped} already in the calendar)")


@holidays_cli.command("list")
@click.option("--year", required=True, type=int)
def list_holidays_command(year):
    """Print the year's holidays (removed ones marked)."""
    for holiday in holidays.holidays_of_year(year, include_removed=True):
        where = f" [{holiday.office.code}]" if holiday.office_id else ""
        removed = " (removed)" if not holiday.is_active else ""
        click.echo(f"{holiday.on_date.isoformat()}\t{holiday.category}\t{holiday.name}{where}{removed}")
