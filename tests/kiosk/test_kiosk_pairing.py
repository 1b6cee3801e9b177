"""Kiosks as devices an admin controls and the rotating QR they show."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.kiosk.models import Kiosk
from tests.helpers import AdminSession, count, csrf_from, fetch, text_of

from .conftest import code_of as _code_of, pair as _pair, register as _register
from tests.api.school.qr_helpers import INSIDE
from tests.api.school.tokens import bearer, school_user

def test_register_pair_and_show_the_qr(app, admin_browser):
    registered = _register(admin_browser)
    assert registered.status_code == 200
    code = _code_of(registered)
    assert f"/kiosk/pair?code={code}" in registered.get_data(as_text=True)
    tablet = app.test_client()
    paired = _pair(tablet, code.lower().replace("-", " "))     # case, spaces and dashes do not matter
    assert paired.status_code == 303 and paired.headers["Location"] == "/kiosk/"
    cookie = paired.headers["Set-Cookie"]
    assert cookie.startswith("hadir_kiosk=") and "HttpOnly" in cookie and "Path=/kiosk" in cookie
    home = tablet.get("/kiosk/")
    assert home.status_code == 200 and "Pintu Utama" in home.get_data(as_text=True)
    data = tablet.get("/kiosk/qr.json").get_json()
    assert re.fullmatch(r"[0-9a-f]{32}", data["token"])
    assert data["svg"].startswith("<svg") and 'class="kiosk-qr-svg"' in data["svg"]
    expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
    valid_until = datetime.fromisoformat(data["valid_until"].replace("Z", "+00:00"))
    assert valid_until - expires == timedelta(seconds=data["period_s"]) and data["period_s"] == 30
    with app.app_context():
        kiosk = db.session.scalar(db.select(Kiosk))
        assert kiosk.state == "paired" and kiosk.pairing_code_hash is None
        assert code.replace("-", "") not in (kiosk.credential_hash or "")   # only digests are stored


def test_a_pairing_code_works_once_and_expires(app, admin_browser, freeze_time):
    code = _code_of(_register(admin_browser))
    assert _pair(app.test_client(), code).status_code == 303
    again = _pair(app.test_client(), code)
    assert again.status_code == 422 and "tidak berlaku" in text_of(again.get_data(as_text=True))
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id))
    fresh = _code_of(admin_browser.submit("/admin/kiosks/", f"/admin/kiosks/{kiosk_id}/pairing-code"))
    freeze_time(datetime.now(timezone.utc) + timedelta(minutes=16))
    assert _pair(app.test_client(), fresh).status_code == 422
    for junk in ("", "ABCD", "0000-0000", "x" * 30):
        assert _pair(app.test_client(), junk).status_code == 422


def test_revoking_stops_the_tablet_at_its_next_request(app, admin_browser):
    tablet = app.test_client()
    _pair(tablet, _code_of(_register(admin_browser)))
    assert tablet.get("/kiosk/qr.json").status_code == 200
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id))
    revoked = admin_browser.submit("/admin/kiosks/", f"/admin/kiosks/{kiosk_id}/revoke", htmx=True)
    assert revoked.status_code == 200 and "Dicabut" in text_of(revoked.get_data(as_text=True))
    answer = tablet.get("/kiosk/qr.json")
    assert answer.status_code == 401 and answer.get_json()["error"] == "unpaired"
    page = tablet.get("/kiosk/")
    assert page.status_code == 302 and page.headers["Location"] == "/kiosk/pair"


def test_pairing_a_second_tablet_unpairs_the_first(app, admin_browser):
    first, second = app.test_client(), app.test_client()
    _pair(first, _code_of(_register(admin_browser)))
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id))
    code = _code_of(admin_browser.submit("/admin/kiosks/", f"/admin/kiosks/{kiosk_id}/pairing-code"))
    assert first.get("/kiosk/qr.json").status_code == 200      # a new code alone changes nothing
    _pair(second, code)
    assert second.get("/kiosk/qr.json").status_code == 200
    assert first.get("/kiosk/qr.json").status_code == 401


def test_the_kiosk_never_reaches_admin_pages_and_logs_nobody_out(app, admin_browser):
    code = _code_of(_register(admin_browser))
    tablet = app.test_client()
    _pair(tablet, code)
    assert tablet.get("/admin/").status_code == 302            # to the login page
    assert tablet.get("/admin/kiosks/").status_code == 302
    # pairing in the admin's own browser keeps the admin signed in
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id))
    code = _code_of(admin_browser.submit("/admin/kiosks/", f"/admin/kiosks/{kiosk_id}/pairing-code"))
    assert _pair(admin_browser.client, code).status_code == 303
    assert admin_browser.get("/admin/kiosks/").status_code == 200
    assert admin_browser.get("/kiosk/qr.json").status_code == 200


def test_without_a_credential_the_kiosk_asks_for_pairing(client):
    assert client.get("/kiosk/").headers["Location"] == "/kiosk/pair"
    assert client.get("/kiosk/qr.json").status_code == 401
    client.set_cookie("hadir_kiosk", "1.forged", path="/kiosk")
    assert client.get("/kiosk/qr.json").status_code == 401
    page = client.get("/kiosk/pair?code=ABCD-EFGH")
    assert page.status_code == 200 and 'value="ABCD-EFGH"' in page.get_data(as_text=True)


def test_registration_is_validated_and_admin_only(app, admin_browser, factory):
    bad = _register(admin_browser, name="", modes=())
    assert bad.status_code == 200 and count(app, Kiosk) == 0
    body = bad.get_data(as_text=True)
    assert 'id="name-error"' in body and 'id="modes-error"' in body
    assert _register(admin_browser, office_id="999").status_code == 200 and count(app, Kiosk) == 0
    factory.user(role="petugas", name="Petugas", email="petugas@hadir.test", npp="90002")
    petugas = AdminSession(app.test_client())
    petugas.login("petugas@hadir.test")
    assert petugas.get("/admin/kiosks/").status_code == 403


def test_edit_changes_the_place_the_token_belongs_to(app, admin_browser, factory):
    office = factory.office(code="0002", name="Cabang Bandung")
    tablet = app.test_client()
    _pair(tablet, _code_of(_register(admin_browser)))
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id))
    from app.qr import services as qr

    saved = admin_browser.submit(f"/admin/kiosks/{kiosk_id}/edit", f"/admin/kiosks/{kiosk_id}/edit",
                                 {"name": "Lobi Bandung", "office_id": str(office.id), "modes": ["qr"]})
    assert saved.status_code == 303
    token = tablet.get("/kiosk/qr.json").get_json()["token"]
    with app.test_request_context():
        assert qr.verify(token, office.id) is not None
    assert fetch(app, Kiosk, kiosk_id).name == "Lobi Bandung"


def test_a_phone_that_scans_the_kiosk_code_is_checked_in_at_its_office(app, admin_browser, factory, freeze_time):
    office = factory.office()
    factory.schedule()
    teacher = school_user(factory, "guru", "2001", office=office)
    tablet = app.test_client()
    _pair(tablet, _code_of(_register(admin_browser, office_id=str(office.id))))
    freeze_time("2026-01-30T07:45:00+07:00")
    token = tablet.get("/kiosk/qr.json").get_json()["token"]
    response = app.test_client().post("/api/attendance/checkin", headers=bearer(app, teacher),
                                      json={"qr_token": token, **INSIDE})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["qr_token_used"] == token


def test_pairing_attempts_are_rate_limited(app, client):
    page = client.get("/kiosk/pair")
    token = csrf_from(page.get_data(as_text=True))
    statuses = [client.post("/kiosk/pair", data={"code": "AAAA-AAAA", "csrf_token": token}).status_code
                for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


def test_the_pairing_link_is_shown_as_a_qr_code_of_that_link(app, admin_browser):
    from app.qr.images import qr_svg

    registered = _register(admin_browser)
    page, code = registered.get_data(as_text=True), _code_of(registered)
    link = f"http://localhost/kiosk/pair?code={code}"
    svg = re.search(r'<svg[^>]*class="pairing-qr".*?</svg>', page, re.S).group(0)
    with app.test_request_context():
        assert svg == str(qr_svg(link, error="m", css_class="pairing-qr", title="Tautan pemasangan sebagai kode QR"))
