"""``flask department ...`` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..common.cli import run_or_fail
from . import services

department_cli = AppGroup("department", help="Manage departments (unit kerja).")


@department_cli.command("create")
@click.option("--code", required=True, help="Unique code, e.g. IGD.")
@click.option("--name", required=True)
@click.option("--parent", "parent_code", help="Code of the department it belongs to.")
def create_department_command(code, name, parent_code):
    """Create a department, optionally inside another one."""
    def action():
        parent = services.find_department(parent_code) if parent_code else None
        return services.create_department(code=code, name=name, parent=parent, actor="flask department create")

    department = run_or_fail(action)
    inside = f", inside {department.parent.code}" if department.parent_id else ""
    click.echo(f"created department {department.code} ({department.name}{inside})")


@department_cli.command("list")
def list_departments_command():
    """Print every department as an indented tree with its number of active members."""
    counts = services.member_counts()
    for row in services.department_tree():
        d = row.department
        click.echo(f"{'  ' * row.depth}{d.code}\t{d.name}\t{counts.get(d.id, 0)} people")
