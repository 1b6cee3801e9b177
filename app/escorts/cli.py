"""``flask escorts ...`` commands: upkeep of the ER escort registry."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .sessions import IDLE_DAYS, prune_idle

escorts_cli = AppGroup("escorts", help="ER escort registry upkeep.")


@escorts_cli.command("prune-sessions")
@click.option("--days", type=click.IntRange(min=1), default=IDLE_DAYS, show_default=True,
              help="Remove browser sessions of the ER API idle for more than this many days.")
def prune_sessions_command(days):
    """Remove idle browser sessions of the ER API with their counters and recent activity
    (run it daily from cron; bearer-token sessions stay while their token exists)."""
    removed = prune_idle(days)
    db.session.commit()
    click.echo(f"{removed} idle ER API session(s) removed (idle more than {days} days)")
