"""Contract 000 "Public Endpoints": health, version, work locations; the role guard."""
from __future__ import annotations

from sqlalchemy.exc import OperationalError

from .conftest import BASE, assert_envelope, auth


def test_health_checks_the_database(client):
    response = client.get(f"{BASE}/system/health")
    assert response.status_code == 200
    body = response.get_json()
    assert_envelope(body, success=True)
    assert body["message"] == "API is healthy"
    data = body["data"]
    assert (data["status"], data["version"], data["database"]) == ("ok", "2.0", "connected")
    assert data["timestamp"].endswith("Z")


def test_health_when_the_database_is_down(client, monkeypatch):
    from app.extensions import db

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get(f"{BASE}/system/health")
    assert response.status_code == 503
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "API is unhealthy"
    assert body["data"]["status"] == "error" and body["data"]["database"] == "disconnected"
    assert body["errors"] == {"database": ["The database is not reachable."]}
    assert "refused" not in response.get_data(as_text=True)


def test_version(client):
    body = client.get(f"{BASE}/system/version").get_json()
    assert_envelope(body, success=True)
    assert body["data"]["api_version"] == "2.0"
    assert body["data"]["features"]["authentication"] == "✓"


def test_work_locations_lists_active_offices(client, factory):
    factory.office(code="0001", name="Klinik Utama Dokterku", lat=-6.175392, lon=106.827153, radius=100,
                   address="Jl. Sudirman No. 1, Jakarta")
    factory.office(code="0002", name="Tutup", is_active=False)
    body = client.get(f"{BASE}/locations/work-locations").get_json()
    assert_envelope(body, success=True)
    assert len(body["data"]) == 1
    location = body["data"][0]
    assert {k: v for k, v in location.items() if k != "id"} == {
        "name": "Klinik Utama Dokterku", "latitude": -6.175392, "longitude": 106.827153, "radius_meters": 100,
        "location_type": "main_office", "address": "Jl. Sudirman No. 1, Jakarta"}


def test_role_guard_answers_403_in_the_documented_body(app, staff, login):
    from app.api.clinic.auth import token_required

    @token_required("dokter")
    def doctors_only():
        return "ok"

    nurse, doctor = staff(role="paramedis"), staff(role="dokter")
    for user, expected in ((nurse, 403), (doctor, "ok")):
        token = login(user)
        with app.test_request_context("/api/v2/x", headers=auth(token)):
            result = doctors_only()
            if expected == "ok":
                assert result == "ok"
            else:
                assert result.status_code == 403
                body = result.get_json()
                assert_envelope(body, success=False)
                assert body["message"] == "This action is unauthorized."
                assert body["errors"] == {"role": ["Insufficient permissions for this resource"]}


def test_work_locations_are_listed_by_name_not_by_code(client, factory):
    # Contract 000 "Work Locations (GPS Reference)" gives no order; a clinic user picks a location by its
    # name, so the list is by name. The codes run the other way so that an order by code would show.
    for code, name in (("0001", "Puskesmas Cempaka"), ("0002", "Klinik Utama Dokterku"), ("0003", "Apotek Bahagia")):
        factory.office(code=code, name=name)
    body = client.get(f"{BASE}/locations/work-locations").get_json()
    assert_envelope(body, success=True)
    assert [location["name"] for location in body["data"]] == [
        "Apotek Bahagia", "Klinik Utama Dokterku", "Puskesmas Cempaka"]
