"""``flask user ...`` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..common.cli import run_or_fail
from ..extensions import db
from .roles import ROLE_KEYS
from .services import create_user

user_cli = AppGroup("user", help="Manage users.")


@user_cli.command("create")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(ROLE_KEYS))
@click.option("--email")
@click.option("--npp")
@click.option("--nisn-nip-nik", "nisn_nip_nik")
@click.option("--office", "office_code", help="Office code the user works at.")
@click.option("--department", "department_code", help="Department code (unit kerja).")
@click.option("--position", help="Job title (jabatan).")
def create_user_command(name, password, role, email, npp, nisn_nip_nik, office_code, department_code, position):
    """Create a user (any role)."""
    from ..common.errors import NotFound
    from ..departments.services import find_department
    from ..places.models import Office

    def action():
        office = None
        if office_code:
            office = db.session.scalar(db.select(Office).filter_by(code=office_code))
            if office is None:
                raise NotFound(f"No office with code {office_code}", field="office")
        department = find_department(department_code) if department_code else None
        return create_user(actor="flask user create", name=name, password=password, role=role, email=email, npp=npp,
                           nisn_nip_nik=nisn_nip_nik, office=office, department=department, position=position)

    user = run_or_fail(action)
    extra = "".join(f", {text}" for text in (user.position, user.department.code if user.department else None)
                    if text)
    click.echo(f"created user {user.id} ({user.name}, {user.role}{extra})")
