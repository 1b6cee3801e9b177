"""Registers every domain's ``flask`` commands."""
from flask import Flask


def register_cli(app: Flask) -> None:
    """Add ``user``, ``office`` and ``demo`` command groups to ``app``."""
    from .accounts.cli import user_cli
    from .places.cli import office_cli
    from .system.cli import demo_cli

    for group in (user_cli, office_cli, demo_cli):
        app.cli.add_command(group)
