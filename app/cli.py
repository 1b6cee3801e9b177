"""Registers every domain's ``flask`` commands."""
from flask import Flask


def register_cli(app: Flask) -> None:
    """Add the ``user``, ``office``, ``department``, ``schedule``, ``roster``, ``holidays``, ``attendance``, ``demo``,
    ``face``, ``kiosk`` and ``escorts`` command groups to ``app``."""
    from .accounts.cli import user_cli
    from .attendance.cli import attendance_cli
    from .attendance.recap_cli import report_cli
    from .departments.cli import department_cli
    from .escorts.cli import escorts_cli
    from .faces.cli import face_cli
    from .kiosk.cli import kiosk_cli
    from .places.cli import office_cli
    from .schedules.cli import holidays_cli, roster_cli, schedule_cli
    from .demo.cli import demo_cli

    for group in (user_cli, office_cli, department_cli, schedule_cli, roster_cli, holidays_cli, attendance_cli,
                  demo_cli, face_cli, kiosk_cli, escorts_cli, report_cli):
        app.cli.add_command(group)
