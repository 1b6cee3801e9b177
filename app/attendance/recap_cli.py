"""``flask report recap``: the monthly attendance recap as a file, for payroll scripts."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..common.errors import DomainError, ValidationFailed
from . import recap, recap_export

report_cli = AppGroup("report", help="Reports as files (for payroll scripts).")


@report_cli.command("recap")
@click.option("--month", required=True, help="YYYY-MM, e.g. 2026-11.")
@click.option("--office", "office_code", help="Only the people of this office (its code).")
@click.option("--department", "department_code", help="Only this department (its code) and its sub-departments.")
@click.option("--population", type=click.Choice(recap.POPULATIONS), default="staff", show_default=True,
              help="staff: employees and clinic staff; students: the school's students.")
@click.option("--format", "fmt", type=click.Choice(("xlsx", "pdf", "csv")), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="File to write ('-' for standard output).")
def recap_command(month, office_code, department_code, population, fmt, output):
    """Write the monthly recap (rekap absensi) of one month as XLSX, PDF or CSV.

    Exit status 1 with a message on standard error for a bad month or an unknown code;
    nothing is written then."""
    try:
        year, number = recap.parse_month(month)
        people, names = recap.select_people(year, number, population=population, office_code=office_code,
                                            department_code=department_code)
        result = recap.build_recap(people, year, number, times=False)   # the files show no clock times
        # labels, month names and letters in the default language (Indonesian), as on the admin page
        with current_app.test_request_context():
            scope = " · ".join([str(recap_export.POPULATION_LABELS[population]), *names])
            data = recap_export.render(result, recap_export.heading_for(year, number, scope), fmt)
    except ValidationFailed as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"error: {field}: {message}", err=True)
        raise SystemExit(1) from None
    except DomainError as exc:
        click.echo(f"error: {exc.message}", err=True)
        raise SystemExit(1) from None
    if str(output) == "-":
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"{output}: {len(result.rows)} people, {result.start:%Y-%m}, {len(data)} bytes", err=True)
