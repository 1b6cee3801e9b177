"""``flask demo ...`` commands (:mod:`app.demo`)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..common.cli import run_or_fail
from ..extensions import db
from ..kiosk.models import Kiosk
from .loader import DEMO_KIOSK, DEMO_PASSWORD, load_demo

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load_command():
    """Create the demo offices, schedules, accounts, class, posts, app versions, kiosk, clinic
    patients with their procedures, and the staff's attendance since last month (idempotent)."""
    created = run_or_fail(load_demo)
    summary = ", ".join(f"{n} {kind}" for kind, n in created.items())
    click.echo(f"demo data loaded ({summary} created); demo password: {DEMO_PASSWORD}")
    kiosk_id = db.session.scalar(db.select(Kiosk.id).filter_by(name=DEMO_KIOSK))
    click.echo(f"demo kiosk: {kiosk_id} ({DEMO_KIOSK}); a pairing code for a tablet:"
               f" flask --app wsgi kiosk pairing-code {kiosk_id}")
