"""Bulk actions on the users list: tick people, choose an action, a confirmation page naming how
many and who, then the change — moving office or department, deactivating, releasing phones."""
from __future__ import annotations

from app.accounts.models import ApiToken, DeviceBinding, User
from app.accounts.api_tokens import issue_token
from app.departments.models import Department
from app.extensions import db

from tests.helpers import count, csrf_from, fetch, text_of

LIST, BULK = "/admin/users", "/admin/users/bulk"


def _post(session, data, token=None):
    payload = {"csrf_token": token or csrf_from(session.get(LIST).get_data(as_text=True)), **data}
    return session.client.post(BULK, data=payload)


def test_move_to_an_office_asks_first_naming_how_many_then_moves(app, as_admin, factory):
    office = factory.office(code="0002", name="Kantor Cabang Bandung")
    a, b, c = (factory.user(name=n) for n in ("Andi", "Budi", "Citra"))
    page = as_admin.get(LIST).get_data(as_text=True)
    assert 'form="bulk-form"' in page and f'value="{a.id}"' in page
    confirm = _post(as_admin, {"user_ids": [a.id, b.id], "action": "move_office", "office_id": office.id})
    assert confirm.status_code == 200
    text = text_of(confirm.get_data(as_text=True))
    assert "Pindahkan 2 orang ke Kantor Cabang Bandung?" in text and "Andi" in text and "Budi" in text
    assert "Citra" not in text
    assert fetch(app, User, a.id).office_id is None                        # nothing changed yet
    done = _post(as_admin, {"user_ids": [a.id, b.id], "action": "move_office", "office_id": office.id,
                            "confirm": "yes"})
    assert done.status_code == 303
    assert [fetch(app, User, u.id).office_id for u in (a, b, c)] == [office.id, office.id, None]
    from app.audit.models import AuditEntry
    assert count(app, AuditEntry, AuditEntry.action == "user.update") == 2       # one entry per person moved
    assert "2 orang dipindahkan." in text_of(as_admin.get(LIST).get_data(as_text=True))


def test_move_to_a_department_or_none(app, as_admin, factory):
    with app.app_context():
        db.session.add(Department(code="IGD", name="Instalasi Gawat Darurat"))
        db.session.commit()
        igd = db.session.scalar(db.select(Department.id))
    a = factory.user(name="Andi")
    _post(as_admin, {"user_ids": [a.id], "action": "move_department", "department_id": igd, "confirm": "yes"})
    assert fetch(app, User, a.id).department_id == igd
    confirm = _post(as_admin, {"user_ids": [a.id], "action": "move_department", "department_id": 0})
    assert "Pindahkan 1 orang ke tanpa departemen?" in text_of(confirm.get_data(as_text=True))
    _post(as_admin, {"user_ids": [a.id], "action": "move_department", "department_id": 0, "confirm": "yes"})
    assert fetch(app, User, a.id).department_id is None


def test_deactivate_skips_oneself_and_revokes_tokens(app, as_admin, admin, factory):
    a = factory.user(name="Andi")
    with app.app_context():
        issue_token(db.session.get(User, a.id), "school")
        db.session.commit()
    confirm = _post(as_admin, {"user_ids": [a.id, admin.id], "action": "deactivate"})
    assert "Nonaktifkan 2 orang?" in text_of(confirm.get_data(as_text=True))
    _post(as_admin, {"user_ids": [a.id, admin.id], "action": "deactivate", "confirm": "yes"})
    assert fetch(app, User, a.id).is_active is False and fetch(app, User, admin.id).is_active is True
    assert count(app, ApiToken, ApiToken.user_id == a.id, ApiToken.revoked_at.is_(None)) == 0


def test_release_bound_phones(app, as_admin, factory):
    a, b = factory.user(name="Andi"), factory.user(name="Budi")
    with app.app_context():
        db.session.add(DeviceBinding(user_id=a.id, device_id="phone-andi"))
        db.session.commit()
    _post(as_admin, {"user_ids": [a.id, b.id], "action": "reset_device", "confirm": "yes"})
    assert count(app, DeviceBinding) == 0
    assert "1 ponsel dilepas." in text_of(as_admin.get(LIST).get_data(as_text=True))


def test_nothing_ticked_or_no_office_changes_nothing(app, as_admin, factory):
    a = factory.user(name="Andi")
    refused = _post(as_admin, {"action": "deactivate", "confirm": "yes"})
    assert refused.status_code == 303 and fetch(app, User, a.id).is_active is True
    refused = _post(as_admin, {"user_ids": [a.id], "action": "move_office", "office_id": 0, "confirm": "yes"})
    assert refused.status_code == 303 and fetch(app, User, a.id).office_id is None


def test_petugas_and_missing_csrf_are_refused(app, as_admin, as_petugas, factory):
    a = factory.user(name="Andi")
    assert as_admin.client.post(BULK, data={"user_ids": [a.id], "action": "deactivate",
                                            "confirm": "yes"}).status_code == 400
    token = csrf_from(as_petugas.get("/admin/").get_data(as_text=True))
    assert as_petugas.client.post(BULK, data={"csrf_token": token, "user_ids": [a.id], "action": "deactivate",
                                              "confirm": "yes"}).status_code == 403
    assert fetch(app, User, a.id).is_active is True
