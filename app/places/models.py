"""Offices (work locations) with a circular geofence."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db


class Office(db.Model):
    """A work location: ``code`` (contract ``kode_kantor``), WGS84 centre, radius.

    ``latitude``/``longitude`` are decimal degrees (WGS84);
    ``geofence_radius_m`` is the accepted distance from the centre in metres.
    """

    __tablename__ = "offices"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint("geofence_radius_m > 0", name="radius_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float]
    longitude: Mapped[float]
    geofence_radius_m: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)
