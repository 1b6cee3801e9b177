"""Contract 004 "Session & Statistics Endpoints": per-session counters and the dashboard."""
from datetime import datetime, timedelta, timezone

from app.escorts.models import Escort, EscortApiActivity
from app.escorts.sessions import KEEP_ACTIVITY
from app.extensions import db

from .conftest import API, escort_body


def test_a_new_caller_gets_an_empty_session_and_its_cookies(client):
    response = client.get(f"{API}/session-stats")
    assert response.status_code == 200
    body = response.json
    assert list(body) == ["status", "session_id", "stats", "recent_activity"]
    assert body["status"] == "success" and body["session_id"].startswith("session_")
    assert body["stats"] == {"api_access_count": 0, "api_submissions_count": 0, "api_updates_count": 0,
                             "api_status_updates_count": 0, "api_deletions_count": 0, "api_failed_lookups": 0,
                             "last_accessed": None, "last_result_count": None, "last_total": None}
    assert body["recent_activity"] == {"submissions": [], "viewed": [], "deleted": [], "status_updates": []}
    assert client.get_cookie("igd_session", domain="localhost") is not None
    assert client.get_cookie("XSRF-TOKEN", domain="localhost") is not None
    # The same browser keeps its session.
    assert client.get(f"{API}/session-stats").json["session_id"] == body["session_id"]


def test_counters_are_true_for_the_calling_session(app, client, staff, create):
    _user, headers = staff(role="admin")
    _other, other_headers = staff(role="petugas")
    first = create(headers, nama_pengantar="Alice Johnson", nama_pasien="Bob Johnson")
    second = create(headers)
    create(other_headers)
    for _ in range(3):
        client.get(f"{API}/escort?per_page=2", headers=headers)
    client.get(f"{API}/escort/{first['id']}", headers=headers)
    client.put(f"{API}/escort/{first['id']}", headers=headers, json={"plat_nomor": "B777AA"})
    client.patch(f"{API}/escort/{first['id']}/status", headers=headers, json={"status": "verified"})
    client.delete(f"{API}/escort/{second['id']}", headers=headers)
    client.get(f"{API}/escort/999999", headers=headers)
    body = client.get(f"{API}/session-stats", headers=headers).json
    stats = body["stats"]
    assert {k: v for k, v in stats.items() if k != "last_accessed"} == {
        "api_access_count": 3, "api_submissions_count": 2, "api_updates_count": 1, "api_status_updates_count": 1,
        "api_deletions_count": 1, "api_failed_lookups": 1, "last_result_count": 2, "last_total": 3}
    assert stats["last_accessed"].endswith("Z")
    recent = body["recent_activity"]
    assert [s["id"] for s in recent["submissions"]] == [second["id"], first["id"]]
    assert recent["submissions"][1] == {"id": first["id"], "submission_id": first["submission_id"],
                                        "nama_pengantar": "Alice Johnson", "nama_pasien": "Bob Johnson",
                                        "kategori": "Perorangan", "submitted_at": first["created_at"],
                                        "ip": "127.0.0.1"}
    assert [v["id"] for v in recent["viewed"]] == [first["id"]]
    assert recent["deleted"][0]["id"] == second["id"] and recent["deleted"][0]["delete_id"].startswith("del_")
    update = recent["status_updates"][0]
    assert (update["escort_id"], update["old_status"], update["new_status"]) == (first["id"], "pending", "verified")
    assert update["update_id"].startswith("status_") and update["ip"] == "127.0.0.1"
    # The other staff member's session saw only its own submission.
    other = client.get(f"{API}/session-stats", headers=other_headers).json
    assert other["session_id"] != body["session_id"]
    assert other["stats"]["api_submissions_count"] == 1 and other["stats"]["api_access_count"] == 0
    assert len(other["recent_activity"]["submissions"]) == 1 and other["recent_activity"]["deleted"] == []
    # An anonymous caller sees nothing of theirs.
    fresh = app.test_client().get(f"{API}/session-stats").json
    assert fresh["stats"]["api_submissions_count"] == 0 and fresh["recent_activity"]["submissions"] == []


def test_refused_requests_count_nothing(client, staff, create):
    _user, headers = staff()
    created = create(headers)
    client.post(f"{API}/escort", json=escort_body(nama_pengantar="Jo"), headers=headers)
    client.put(f"{API}/escort/{created['id']}", json={"nomor_hp": "1"}, headers=headers)
    client.patch(f"{API}/escort/{created['id']}/status", json={"status": "x"}, headers=headers)
    stats = client.get(f"{API}/session-stats", headers=headers).json["stats"]
    assert (stats["api_submissions_count"], stats["api_updates_count"], stats["api_status_updates_count"]) == (1, 0, 0)


def test_activity_history_is_bounded(app, client, staff, create):
    _user, headers = staff()
    created = create(headers)
    for _ in range(KEEP_ACTIVITY + 5):
        client.get(f"{API}/escort/{created['id']}", headers=headers)
    with app.app_context():
        views = db.session.scalar(db.select(db.func.count(EscortApiActivity.id)).filter_by(kind="view"))
    assert views == KEEP_ACTIVITY
    body = client.get(f"{API}/escort/{created['id']}", headers=headers).json
    assert body["meta"]["view_count"] == KEEP_ACTIVITY + 6
    assert len(client.get(f"{API}/session-stats", headers=headers).json["recent_activity"]["viewed"]) == 10


def test_dashboard_stats(app, client, staff, create, monkeypatch):
    _user, headers = staff()
    first = create(headers, kategori_pengantar="Ambulans", status="verified")
    create(headers, kategori_pengantar="Ambulans", status="rejected")
    latest = create(headers)
    # An older registration, from two months ago: counted in the total only.
    with app.app_context():
        old = db.session.get(Escort, first["id"])
        old.created_at = datetime.now(timezone.utc) - timedelta(days=62)
        db.session.commit()
    client.get(f"{API}/escort", headers=headers)
    response = client.get(f"{API}/dashboard/stats", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["message"] == "Dashboard stats retrieved successfully"
    data = body["data"]
    assert (data["total_escorts"], data["today_submissions"], data["this_week_submissions"],
            data["this_month_submissions"]) == (3, 2, 2, 2)
    assert (data["pending_count"], data["verified_count"], data["rejected_count"]) == (1, 1, 1)
    assert data["by_category"] == {"Ambulans": 2, "Perorangan": 1, "Polisi": 0}
    assert list(data["by_category"]) == ["Ambulans", "Perorangan", "Polisi"]
    assert data["by_status"] == {"pending": 1, "verified": 1, "rejected": 1}
    recent = data["recent_submissions"]
    assert recent[0]["id"] == latest["id"] and recent[-1]["id"] == first["id"]
    assert list(recent[0]) == ["id", "nama_pengantar", "nama_pasien", "kategori_pengantar", "status", "created_at"]
    info = data["session_info"]
    assert info["session_id"].startswith("session_")
    assert (info["api_access_count"], info["user_submissions"], info["status_updates"]) == (1, 3, 0)
    assert client.get(f"{API}/dashboard/stats").json == {"message": "Unauthenticated."}


def test_dashboard_database_failure_is_the_contract_500(client, staff, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import app.escorts.services as services

    _user, headers = staff()

    def broken(**_kw):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(services, "escort_stats", broken)
    response = client.get(f"{API}/dashboard/stats", headers=headers)
    assert response.status_code == 500
    assert response.json == {"status": "error", "message": "Failed to retrieve dashboard stats",
                             "error": "Database error"}


def test_idle_browser_sessions_are_pruned_with_their_activity(app, client, staff, create):
    from app.escorts.models import EscortApiSession, EscortApiView

    idle_id = client.get(f"{API}/session-stats").json["session_id"]         # a browser, idle later
    _user, headers = staff(role="admin")
    escort = create(headers)
    client.get(f"{API}/escort/{escort['id']}", headers=headers)            # a token session with a view
    fresh = app.test_client()
    fresh_id = fresh.get(f"{API}/session-stats").json["session_id"]         # a browser used today
    month_ago = datetime.now(timezone.utc) - timedelta(days=31)
    with app.app_context():
        idle = db.session.scalar(db.select(EscortApiSession).filter_by(public_id=idle_id))
        db.session.add(EscortApiActivity(session_id=idle.id, kind="view", escort_id=escort["id"],
                                         escort_name="x", patient_name="y", category="individual"))
        db.session.add(EscortApiView(session_id=idle.id, escort_id=escort["id"]))
        db.session.execute(db.update(EscortApiSession).values(last_accessed_at=month_ago,
                                                              created_at=month_ago))
        db.session.execute(db.update(EscortApiSession).filter_by(public_id=fresh_id)
                           .values(last_accessed_at=datetime.now(timezone.utc)))
        db.session.commit()
        idle_pk = idle.id

    refused = app.test_cli_runner().invoke(args=["escorts", "prune-sessions", "--days", "0"])
    assert refused.exit_code != 0
    result = app.test_cli_runner().invoke(args=["escorts", "prune-sessions"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 idle ER API session(s) removed")
    with app.app_context():
        left = set(db.session.scalars(db.select(EscortApiSession.public_id)))
        assert idle_id not in left and fresh_id in left and len(left) == 2      # the token's stays
        assert db.session.scalar(db.select(db.func.count()).select_from(EscortApiActivity)
                                 .filter_by(session_id=idle_pk)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(EscortApiView)
                                 .filter_by(session_id=idle_pk)) == 0
    # the idle browser's cookie is now unknown: it gets a new, empty session
    again = client.get(f"{API}/session-stats").json
    assert again["session_id"] not in (idle_id, fresh_id) and again["stats"]["api_access_count"] == 0
