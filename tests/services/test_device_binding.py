"""Device-binding rules of the mobile login and the device-reset lifecycle (service level)."""
import pytest

from app.accounts import services as accounts
from app.accounts.models import DeviceBinding, DeviceResetRequest
from app.common.errors import RuleViolation, ValidationFailed
from app.extensions import db
from app.notify.models import Notification


def test_first_login_binds_and_the_same_device_logs_in_again(ctx, factory):
    factory.user(npp="10001")
    user = accounts.mobile_login("10001", "password123", "phone-a")
    assert user.device.device_id == "phone-a"
    assert accounts.mobile_login("10001", "password123", "phone-a").id == user.id
    assert db.session.scalar(db.select(db.func.count(DeviceBinding.id))) == 1


def test_another_device_is_refused_until_a_reset_is_approved(ctx, factory):
    admin = factory.user(role="admin", npp="90001")
    factory.user(npp="10001")
    accounts.mobile_login("10001", "password123", "phone-a")
    with pytest.raises(accounts.DeviceMismatch):
        accounts.mobile_login("10001", "password123", "phone-b")
    req = accounts.request_device_reset("10001", "Handphone rusak dan diganti")
    assert req.old_device_id == "phone-a"
    accounts.process_device_reset(req, db.session.get(type(req.user), admin.id), approve=True)
    db.session.commit()
    assert accounts.mobile_login("10001", "password123", "phone-b").device.device_id == "phone-b"
    notes = db.session.scalars(db.select(Notification).filter_by(user_id=req.user_id)).all()
    assert [n.type for n in notes] == ["device_reset"]


def test_a_device_serves_one_user(ctx, factory):
    factory.user(npp="10001")
    factory.user(npp="10002")
    accounts.mobile_login("10001", "password123", "phone-a")
    with pytest.raises(accounts.DeviceTakenByOther):
        accounts.mobile_login("10002", "password123", "phone-a")


def test_wrong_password_is_checked_before_the_device(ctx, factory):
    factory.user(npp="10001")
    accounts.mobile_login("10001", "password123", "phone-a")
    with pytest.raises(accounts.BadCredentials):
        accounts.mobile_login("10001", "wrong-password", "phone-b")
    with pytest.raises(accounts.UnknownUser):
        accounts.mobile_login("99999", "password123", "phone-a")


def test_rejecting_needs_a_note_and_keeps_the_binding(ctx, factory):
    admin = factory.user(role="admin", npp="90001")
    factory.user(npp="10001")
    accounts.mobile_login("10001", "password123", "phone-a")
    req = accounts.request_device_reset("10001", "Handphone hilang di jalan")
    admin = db.session.get(type(req.user), admin.id)
    with pytest.raises(ValidationFailed):
        accounts.process_device_reset(req, admin, approve=False, notes="  ")
    accounts.process_device_reset(req, admin, approve=False, notes="Hubungi HR dulu")
    assert req.status == "rejected" and req.user.device.device_id == "phone-a"
    with pytest.raises(RuleViolation):
        accounts.process_device_reset(req, admin, approve=True)


def test_one_pending_request_per_person_is_enforced_by_the_database(ctx, factory):
    user = factory.user(npp="10001")
    accounts.request_device_reset("10001", "Handphone rusak total")
    with pytest.raises(accounts.PendingResetExists):
        accounts.request_device_reset("10001", "Handphone rusak lagi")
    # Even bypassing the service's check, the partial unique index refuses a second pending row.
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(DeviceResetRequest(user_id=user.id, reason="x" * 12, status="pending"))
            db.session.flush()


def test_legacy_hashes_are_accepted_once_and_upgraded(ctx, factory):
    from werkzeug.security import generate_password_hash
    user = factory.user(npp="10001")
    user = db.session.get(type(user), user.id)
    user.password_hash = generate_password_hash("old-secret-1", method="pbkdf2:sha256")
    db.session.commit()
    assert accounts.check_password(user, "old-secret-1")
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.check_password(user, "old-secret-1")
    assert not accounts.check_password(user, "wrong")
