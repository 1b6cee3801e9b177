"""Contract 000 "Public Endpoints": system health, version, work locations (no token needed)."""
from __future__ import annotations

from ...common import clock
from ...common.database import database_reachable
from ...places.services import active_offices
from . import envelope
from .blueprint import bp
from .serializers import work_location

#: ``features`` of ``GET /system/version``: what this server serves of the contract
#: (push_notifications: devices register push tokens, but nothing sends pushes yet).
FEATURES = {
    "authentication": "✓",
    "attendance": "✓",
    "dashboards": "✓",
    "role_based_access": "✓",
    "mobile_optimization": "✓",
    "offline_sync": "✓",
    "push_notifications": "pending",
}
RELEASE_DATE = "2025-07-15"


@bp.get("/system/health")
def health():
    """``GET /api/v2/system/health``: runs ``SELECT 1`` on the database.

    200 ``API is healthy`` with ``data {status "ok", version, timestamp, database "connected"}``;
    when the query fails, 503 ``API is unhealthy`` with ``status "error"``,
    ``database "disconnected"`` and ``errors.database`` (no driver details).
    """
    connected = database_reachable()
    data = {"status": "ok" if connected else "error", "version": envelope.API_VERSION,
            "timestamp": clock.iso_utc(clock.now()), "database": "connected" if connected else "disconnected"}
    if connected:
        return envelope.ok(data, "API is healthy")
    return envelope.fail("API is unhealthy", 503, {"database": ["The database is not reachable."]}, data=data)


@bp.get("/system/version")
def version():
    """``GET /api/v2/system/version``: ``api_version``, ``laravel_version`` (the contract's
    client reads it; here the server's name), ``release_date``, ``features``."""
    return envelope.ok({"api_version": envelope.API_VERSION, "laravel_version": "hadir",
                        "release_date": RELEASE_DATE, "features": FEATURES}, "API version information")


@bp.get("/locations/work-locations")
def work_locations():
    """``GET /api/v2/locations/work-locations`` (contract 000 "Work Locations (GPS Reference)", public):
    200 ``Work locations`` with the active offices as ``work_location`` objects (``id``, ``name``,
    ``latitude``/``longitude`` in degrees, ``radius_meters``, ``location_type``, ``address``).

    Sorted by name (then id): the contract gives no order, and a clinic user picks a location by its name.
    """
    return envelope.ok([work_location(office) for office in active_offices(by_name=True)], "Work locations")
