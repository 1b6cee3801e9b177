"""``flask kiosk ...`` commands: register a kiosk and issue pairing codes from a shell."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..common import clock
from ..common.cli import run_or_fail
from ..extensions import db
from ..places.models import Office
from .models import KIOSK_MODES, Kiosk
from .services import create_kiosk, issue_pairing_code

kiosk_cli = AppGroup("kiosk", help="Manage kiosks (wall-mounted tablets).")


def _print_code(kiosk: Kiosk, command: str) -> None:
    code = issue_pairing_code(kiosk, actor=command)
    db.session.commit()
    click.echo(f"pairing code for kiosk {kiosk.id} ({kiosk.name}): {code.code}"
               f" (works once, until {clock.to_local(code.expires_at):%H:%M} local time;"
               f" open /kiosk/pair?code={code.code} on the tablet)")


@kiosk_cli.command("create")
@click.option("--name", required=True, help="Where it hangs, e.g. 'Main entrance'.")
@click.option("--office", "office_code", help="Office code (default: none, the school).")
@click.option("--modes", default="qr", show_default=True,
              help=f"Comma-separated modes: {', '.join(KIOSK_MODES)}.")
@click.option("--liveness", is_flag=True, default=False,
              help="Face check-ins need a live person (blink and turn the head when asked); off by default.")
def create_kiosk_command(name, office_code, modes, liveness):
    """Register a kiosk and print its first pairing code."""
    office_id = None
    if office_code:
        office = db.session.scalar(db.select(Office).filter_by(code=office_code))
        if office is None:
            raise click.ClickException(f"no office with code {office_code!r}")
        office_id = office.id
    kiosk = run_or_fail(lambda: create_kiosk(None, name=name, office_id=office_id,
                                             modes=[m.strip() for m in modes.split(",")], liveness=liveness,
                                             actor="flask kiosk create"))
    _print_code(kiosk, "flask kiosk create")


@kiosk_cli.command("pairing-code")
@click.argument("kiosk_id", type=int)
def pairing_code_command(kiosk_id):
    """Print a new one-time pairing code for KIOSK_ID (valid 15 minutes)."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise click.ClickException(f"no kiosk with id {kiosk_id}")
    _print_code(kiosk, "flask kiosk pairing-code")
