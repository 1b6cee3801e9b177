"""Contract 002, section 12: GET /api/dashboard, a summary by the caller's role."""
from datetime import date, datetime, timezone

import pytest

from app.attendance.models import DailyAttendance
from app.extensions import db

from .tokens import bearer, school_user

TODAY = date(2026, 1, 30)


@pytest.fixture(autouse=True)
def _today(freeze_time):
    freeze_time(f"{TODAY}T10:00:00+07:00")


def _day(app, user, work_date, status="present", time_in=(0, 55), time_out=None):
    with app.app_context():
        moment = lambda hm: datetime(work_date.year, work_date.month, work_date.day, *hm, tzinfo=timezone.utc)  # noqa: E731
        db.session.add(DailyAttendance(user_id=user.id, work_date=work_date, status=status,
                                       time_in=moment(time_in) if time_in else None,
                                       time_out=moment(time_out) if time_out else None,
                                       late_minutes=15 if status == "late" else 0))
        db.session.commit()


def test_dashboard_needs_a_token(client):
    assert client.get("/api/dashboard").status_code == 401
    assert client.get("/api/dashboard", headers={"Authorization": "Bearer 3|forged"}).json == {
        "success": False, "message": "Token tidak valid"}


@pytest.mark.parametrize("role", ["admin", "kepsek"])
def test_admin_and_principal_see_the_school_overview(app, client, factory, role):
    viewer = school_user(factory, role, "5001")
    guru = school_user(factory, "guru", "2001")
    pegawai = school_user(factory, "pegawai", "3001")
    school_user(factory, "guru", "2002")
    school_user(factory, "siswa", "1001")
    school_user(factory, "siswa", "1002", is_active=False)
    _day(app, guru, TODAY, "present")
    _day(app, pegawai, TODAY, "late")
    _day(app, guru, date(2026, 1, 29), "late")
    response = client.get("/api/dashboard", headers=bearer(app, viewer))
    assert response.status_code == 200
    body = response.json
    assert body["success"] is True and body["message"] == "Data dashboard berhasil diambil"
    data = body["data"]
    assert data["role"] == role and data["date"] == "2026-01-30"
    assert data["users"]["total"] == 6 and data["users"]["active"] == 5
    by_role = {r["role"]: r for r in data["users"]["by_role"]}
    assert [r["role_id"] for r in data["users"]["by_role"]] == [1, 2, 3, 4, 5]
    assert by_role["siswa"] == {"role_id": 1, "role": "siswa", "total": 2, "active": 1}
    assert by_role["guru"]["total"] == 2 and by_role[role]["total"] == 1
    # active staff: viewer, 2 guru, pegawai = 4; one on time, one late, two not in yet
    assert data["staff_attendance"] == {"staff": 4, "present": 1, "late": 1, "pending_review": 0, "absent": 2}
    assert "today" not in data


@pytest.mark.parametrize("role", ["guru", "pegawai", "siswa"])
def test_others_see_their_own_day_and_month(app, client, factory, role):
    me = school_user(factory, role, "2001")
    someone = school_user(factory, role, "2002")
    _day(app, me, TODAY, "late", time_in=(1, 20), time_out=(9, 5))
    _day(app, me, date(2026, 1, 29), "present")
    _day(app, me, date(2026, 1, 28), "present")
    _day(app, me, date(2025, 12, 31), "late")
    _day(app, someone, date(2026, 1, 27), "present")
    response = client.get("/api/dashboard", headers=bearer(app, me))
    assert response.status_code == 200
    data = response.json["data"]
    assert data["role"] == role and "users" not in data and "staff_attendance" not in data
    assert data["today"] == {"time_in": "2026-01-30T01:20:00.000000Z", "time_out": "2026-01-30T09:05:00.000000Z",
                             "status": "late"}
    assert data["month"] == {"year": 2026, "month": 1, "days_attended": 3, "present": 2, "late": 1,
                             "pending_review": 0}


def test_no_check_in_yet_is_null_today(app, client, factory):
    me = school_user(factory, "guru", "2001")
    data = client.get("/api/dashboard", headers=bearer(app, me)).json["data"]
    assert data["today"] == {"time_in": None, "time_out": None, "status": None}
    assert data["month"]["days_attended"] == 0
