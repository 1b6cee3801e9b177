"""``flask office ...`` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..common.cli import run_or_fail
from .services import create_office

office_cli = AppGroup("office", help="Manage offices (work locations).")


@office_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--lat", required=True, help="Latitude, decimal degrees (WGS84).")
@click.option("--lon", required=True, help="Longitude, decimal degrees (WGS84).")
@click.option("--radius", required=True, help="Geofence radius in metres.")
@click.option("--address")
def create_office_command(code, name, lat, lon, radius, address):
    """Create an office with its geofence."""
    office = run_or_fail(lambda: create_office(code=code, name=name, latitude=lat, longitude=lon,
                                               radius_m=radius, address=address,
                                               actor="flask office create"))
    click.echo(f"created office {office.code} ({office.name}, radius {office.geofence_radius_m} m)")
