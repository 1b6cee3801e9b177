"""The offices, plausibility settings and shared schedules a check-in reads are kept in each worker's memory
(:class:`app.system.cache_versions.VersionedCache`) and must never be stale: a change committed
by another worker or app server (another session on the same database) is seen by the next
check-in, a transaction sees its own change, and a rolled-back change leaves nothing cached.
The versions are read in the token's own query, so the caches add no statement.
"""
from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.extensions import db
from app.places import services as places
from app.places.models import Office
from app.system import cache_versions
from app.system.models import Setting

from .conftest import AT_OFFICE


@pytest.fixture
def office(factory):
    return factory.office(code="0001", name="Kantor Pusat Jakarta", lat=-6.2088, lon=106.8456, radius=100)


@pytest.fixture
def people(factory, office):
    factory.schedule()  # 07:00-09:00 in, late after 08:00
    return [factory.user(npp=f"2000{n}", office=office) for n in range(4)]


@pytest.fixture
def reads(monkeypatch):
    """How often an office was read from the database (not from the cache)."""
    seen = []
    load = places._load_ref
    monkeypatch.setattr(places, "_load_ref", lambda key: seen.append(key) or load(key))
    return seen


def _check_in(client, auth, person, branch="0001"):
    return client.post("/api/absenmasuk", json={**AT_OFFICE, "branch_id": branch}, headers=auth(person))


def _another_server(app, change) -> None:
    """Commit ``change(session)`` through another session: another worker or app server."""
    with app.app_context():
        with Session(db.engine) as other:
            change(other)
            other.commit()


def test_a_check_in_reads_its_office_once_per_version_and_adds_no_statement(
        app, client, auth, people, reads, freeze_time, count_statements):
    freeze_time("2026-01-30T07:55:00+07:00")
    headers = [auth(p) for p in people]
    assert client.post("/api/absenmasuk", json={**AT_OFFICE, "branch_id": "0001"}, headers=headers[0]).status_code == 200
    assert reads == [("code", "0001")]
    with count_statements() as seen:
        r = client.post("/api/absenmasuk", json={**AT_OFFICE, "branch_id": "0001"}, headers=headers[1])
    assert r.json["data"]["status"] == "accepted", r.json
    assert reads == [("code", "0001")]  # from the cache
    # the token's user (with the versions, whether the person has schedule rows of their own
    # and their previous position), the event and the day (one statement on PostgreSQL): no
    # office, no settings, no schedule (the department's and office's, from the cache), no
    # previous position of its own
    with app.app_context():
        claims = 1 if db.engine.dialect.name == "postgresql" else 2
    sent = [s for s in seen.statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(sent) == 1 + claims, seen.statements


def test_an_office_moved_by_another_server_judges_the_next_check_in_at_once(app, client, auth, people, office,
                                                                            freeze_time):
    freeze_time("2026-01-30T07:55:00+07:00")
    assert _check_in(client, auth, people[0]).json["data"]["status"] == "accepted"
    _another_server(app, lambda s: setattr(s.get(Office, office.id), "latitude", -6.9175))  # to Bandung
    r = _check_in(client, auth, people[1])
    assert (r.json["data"]["status"], r.json["data"]["reason"]) == ("pending_review", "outside_geofence"), r.json
    _another_server(app, lambda s: setattr(s.get(Office, office.id), "is_active", False))
    r = _check_in(client, auth, people[2])
    assert r.status_code == 422 and "branch_id" in r.json["errors"], r.json


def test_an_office_added_by_another_server_is_found_at_once(app, client, auth, people, factory, freeze_time):
    freeze_time("2026-01-30T07:55:00+07:00")
    assert _check_in(client, auth, people[0], branch="0002").status_code == 422  # cached: no such office
    factory.office(code="0002", name="Kantor Cabang Bandung", lat=-6.2088, lon=106.8456)
    r = _check_in(client, auth, people[0], branch="0002")
    assert (r.json["data"]["status"], r.json["data"]["reason"]) == ("pending_review", "wrong_office"), r.json


def test_a_setting_changed_by_another_server_judges_the_next_check_in_at_once(app, client, auth, people, factory,
                                                                              freeze_time):
    freeze_time("2026-01-30T07:55:00+07:00")
    factory.office(code="0002", name="Kantor Cabang", lat=-6.2088, lon=106.8456)
    r = _check_in(client, auth, people[0], branch="0002")
    assert (r.json["data"]["status"], r.json["data"]["reason"]) == ("pending_review", "wrong_office"), r.json
    _another_server(app, lambda s: s.add(Setting(key="wrong_office_policy", value="refuse")))
    r = _check_in(client, auth, people[1], branch="0002")
    assert r.json["rcode"] == "83" and r.status_code != 200, r.json
    _another_server(app, lambda s: s.execute(update(Setting).where(Setting.key == "wrong_office_policy")
                                             .values(value="review")))
    r = _check_in(client, auth, people[1], branch="0002")
    assert r.json["data"]["reason"] == "wrong_office", r.json


def test_a_transaction_sees_its_own_office_change_and_a_rollback_leaves_nothing_cached(app, office, reads):
    with app.app_context():
        assert places.active_office_by_code("0001").latitude == pytest.approx(-6.2088)
        db.session.commit()
        db.session.get(Office, office.id).latitude = -6.9175
        db.session.flush()
        assert places.active_office_by_code("0001").latitude == pytest.approx(-6.9175)  # its own change
        db.session.rollback()
        assert places.active_office_by_code("0001").latitude == pytest.approx(-6.2088)
        db.session.commit()
        before = len(reads)
        assert places.active_office_by_code("0001").latitude == pytest.approx(-6.2088)
        assert len(reads) == before  # cached again once the version was read outside the change


def test_every_orm_change_of_an_office_raises_its_version(app, office):
    with app.app_context():
        start = cache_versions.current(places.OFFICES_VERSION)
        db.session.execute(update(Office).where(Office.id == office.id).values(geofence_radius_m=50))
        db.session.commit()
        assert cache_versions.current(places.OFFICES_VERSION) == start + 1
        db.session.get(Office, office.id).name = "Kantor Pusat"
        db.session.commit()
        assert cache_versions.current(places.OFFICES_VERSION) == start + 2
        db.session.get(Office, office.id).name = "Kantor Pusat"  # no change: no new version
        db.session.commit()
        assert cache_versions.current(places.OFFICES_VERSION) == start + 2
