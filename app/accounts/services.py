"""Users, sign-in with device binding, and device resets.

Device binding (contract 001, "Device Binding"): one phone per user and one
user per phone.  The first successful mobile login binds the phone; a login
from another phone is refused until an admin approves a device reset.
"""
from __future__ import annotations

import re

from ..common.i18n import N_
from sqlalchemy.exc import IntegrityError

from ..common import clock
from ..common.errors import Conflict, DomainError, NotFound, RuleViolation, ValidationFailed
from ..common.search import contains_text
from ..extensions import db
from .models import DeviceBinding, DeviceResetRequest, User
from .passwords import MIN_PASSWORD_LENGTH, check_new_password, hash_password, verify_password  # noqa: F401 (MIN_PASSWORD_LENGTH re-exported)
from .roles import ROLE_BY_KEY


class BadCredentials(DomainError):
    """The identifier or the password is wrong."""

    code = "bad_credentials"


class InactiveUser(RuleViolation):
    """This account is deactivated."""

    code = "inactive_user"


class UnknownUser(NotFound):
    """No user has this identifier."""

    code = "unknown_user"


class DeviceTakenByOther(RuleViolation):
    """This device is already bound to another user."""

    code = "device_taken"


class DeviceMismatch(RuleViolation):
    """This user is bound to a different device."""

    code = "device_mismatch"


class PendingResetExists(Conflict):
    """The user already has a device-reset request waiting."""

    code = "pending_reset_exists"


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


#: Users not deleted (the clause every lookup of a person who may act or be acted on adds).
NOT_DELETED = User.deleted_at.is_(None)


def find_by_npp(npp: str) -> User | None:
    """The user with this NPP, or None (also for a deleted person: they cannot sign in)."""
    return db.session.scalar(db.select(User).filter_by(npp=npp).where(NOT_DELETED))


def find_by_nisn_nip_nik(identifier: str) -> User | None:
    """The user with this NISN/NIP/NIK (the school app's login), or None (also for a deleted person)."""
    return db.session.scalar(db.select(User).filter_by(nisn_nip_nik=identifier).where(NOT_DELETED))


def check_password(user: User, password: str) -> bool:
    """Verify ``password``; on success, store a fresh hash if the old one is outdated."""
    ok, new_hash = verify_password(user.password_hash, password)
    if ok and new_hash:
        user.password_hash = new_hash
    return ok


def set_password(user: User, password: str, field: str = "password") -> None:
    """Store an argon2id hash of ``password``.

    :raises ~app.accounts.passwords.PasswordRejected: the password breaks the policy
        (:func:`~app.accounts.passwords.check_new_password`; ``field`` is named in the error).
    """
    user.password_hash = hash_password(check_new_password(password, field))


def reset_password(user: User, password: str, actor, *, end_sessions: bool = False, dialect: str | None = None,
                   keep=None) -> int:
    """Staff (``actor``) give ``user`` a new password; optionally end their sessions (API tokens:
    every app's, or ``dialect``'s only, except ``keep``).  Audited as ``user.password_reset``
    with the number of sessions ended (the password itself is never recorded).

    :returns: the number of sessions ended.
    :raises ~app.accounts.passwords.PasswordRejected: the password breaks the policy (nothing changes).
    """
    from ..audit.services import record
    from .api_tokens import revoke_all

    set_password(user, password)
    ended = revoke_all(user, dialect, keep=keep) if end_sessions else 0
    db.session.flush()
    record(actor, "user.password_reset", subject_type="user", subject_id=user.id, person=user,
           after={"sessions_ended": ended}, only_changes=False)
    return ended


class WrongCurrentPassword(RuleViolation):
    """Changing one's password: the current password given is not the account's."""

    code = "wrong_current_password"


def change_password(user: User, current: str, new: str) -> None:
    """``user`` changes their own password: ``current`` must match, ``new`` must pass the one
    password policy (:func:`~app.accounts.passwords.check_new_password`).

    :raises WrongCurrentPassword: ``current`` is wrong (nothing changed).
    :raises ~app.accounts.passwords.PasswordRejected: ``new`` breaks the policy (field ``new_password``).
    """
    if not check_password(user, current or ""):
        raise WrongCurrentPassword(N_("The current password is wrong."), field="current_password")
    set_password(user, new, field="new_password")


def _clean_profile(values: dict) -> tuple[dict, dict[str, list[str]]]:
    """Validate the profile keys present in ``values``; returns ``(clean, errors)``."""
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name or len(name) > 120:
            errors["name"] = [N_("Name is required (at most 120 characters).")]
        clean["name"] = name
    if "email" in values:
        email = (values["email"] or "").strip().lower() or None
        if email and (len(email) > 254 or not EMAIL_RE.match(email)):
            errors["email"] = [N_("Not a valid email address.")]
        clean["email"] = email
    for field in ("npp", "nisn_nip_nik"):
        if field in values:
            value = (values[field] or "").strip() or None
            if value and len(value) > 32:
                errors[field] = [N_("At most 32 characters.")]
            clean[field] = value
    for field, limit in (("phone", 32), ("photo_path", 255), ("address", 500)):
        if field in values:
            value = (values[field] or "").strip() or None
            if value and len(value) > limit:
                errors[field] = [f"At most {limit} characters."]
            clean[field] = value
    if "role" in values:
        if values["role"] not in ROLE_BY_KEY:
            errors["role"] = [N_("Unknown role.")]
        clean["role"] = values["role"]
    if "office" in values:
        clean["office_id"] = values["office"].id if values["office"] else None
    if "department" in values:
        clean["department_id"] = values["department"].id if values["department"] else None
    if "position" in values:
        position = (values["position"] or "").strip() or None
        if position and len(position) > 120:
            errors["position"] = ["At most 120 characters."]
        clean["position"] = position
    if "is_active" in values:
        clean["is_active"] = bool(values["is_active"])
    if "annual_leave_days" in values:
        from ..leave.balance import parse_entitlement

        try:
            clean["annual_leave_days"] = parse_entitlement(values["annual_leave_days"])
        except ValidationFailed as exc:
            errors.update(exc.errors)
    return clean, errors


def _check_unique(clean: dict, exclude_id: int | None = None) -> None:
    """:raises Conflict: an identifier in ``clean`` belongs to another user (checked before any change);
        ``details["deleted"]`` is True when that user was deleted (identifiers stay reserved,
        :func:`delete_user`), so an admin page can point at restoring them instead."""
    for field in ("email", "npp", "nisn_nip_nik"):
        value = clean.get(field)
        if value is None:
            continue
        stmt = db.select(User.id, User.deleted_at).where(getattr(User, field) == value)
        if exclude_id is not None:
            stmt = stmt.where(User.id != exclude_id)
        holder = db.session.execute(stmt).first()
        if holder is not None:
            raise Conflict(f"This {field} is already used by another user", field=field,
                           deleted=holder.deleted_at is not None)


def create_user(*, name: str, password: str, role: str, email: str | None = None, npp: str | None = None,
                nisn_nip_nik: str | None = None, office=None, is_active: bool = True,
                phone: str | None = None, photo_path: str | None = None, address: str | None = None,
                department=None, position: str | None = None, actor=None) -> User:
    """Create a user (with an ``actor``, the staff user or a command's name: audited as
    ``user.create`` with the name and place, see :func:`app.audit.services.record`).

    :param office: the :class:`~app.places.models.Office` they work at (or None).
    :param department: their :class:`~app.departments.models.Department` (*unit kerja*, or None).
    :param position: their job title (*jabatan*), up to 120 characters.

    :raises ValidationFailed: empty name, unknown role, malformed email, identifiers or
        phone over 32 characters, photo path over 255, address over 500, position over
        120, short password.
    :raises Conflict: email, NPP or NISN/NIP/NIK already taken (``field`` names which).
    """
    clean, errors = _clean_profile(dict(name=name, role=role, email=email, npp=npp, nisn_nip_nik=nisn_nip_nik,
                                        office=office, is_active=is_active, phone=phone, photo_path=photo_path,
                                        address=address, department=department, position=position))
    user = User(password_hash="", **clean)
    try:
        set_password(user, password)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    _check_unique(clean)
    db.session.add(user)
    db.session.flush()
    if actor is not None:
        from ..audit.services import record

        db.session.refresh(user, ["office", "department"])
        record(actor, "user.create", subject_type="user", subject_id=user.id, person=user, before=None,
               after={"name": user.name, **_placement(user)})
    return user


def _placement(user: User) -> dict:
    """What the audit trail keeps of a person's place: role, office and department codes, position, active."""
    return {"role": user.role, "office": user.office.code if user.office is not None else None,
            "department": user.department.code if user.department is not None else None,
            "position": user.position, "is_active": user.is_active}


def update_user(user: User, actor=None, **values) -> User:
    """Update name, email, npp, nisn_nip_nik, phone, photo_path, address, role, office, department,
    position, is_active, annual_leave_days (own annual leave entitlement, working days a year;
    blank/None: the organisation's; :func:`app.leave.balance.parse_entitlement`) (only keys given).

    With an ``actor``, a change of role, office, department, position or active state is written
    to the audit trail (``user.update``, before → after).
    Nothing changes when a value is refused.
    :raises ValidationFailed, Conflict: as :func:`create_user`.
    """
    clean, errors = _clean_profile(values)
    if errors:
        raise ValidationFailed(errors)
    _check_unique(clean, exclude_id=user.id)
    before = _placement(user) if actor is not None else None
    for key, value in clean.items():
        setattr(user, key, value)
    db.session.flush()
    if actor is not None:
        from ..audit.services import record

        db.session.refresh(user, ["office", "department"])
        record(actor, "user.update", subject_type="user", subject_id=user.id, person=user, before=before,
               after=_placement(user))
    return user


def mobile_login(npp: str, password: str, device_id: str) -> User:
    """Sign in to the mobile app and enforce device binding (contract 001, "Login").

    Order: unknown NPP → :class:`UnknownUser`; wrong password →
    :class:`BadCredentials`; deactivated → :class:`InactiveUser`; then the
    device: bound to someone else → :class:`DeviceTakenByOther`; user bound to
    another device → :class:`DeviceMismatch`; no binding yet → bind this one.
    """
    user = find_by_npp(npp)
    if user is None:
        raise UnknownUser("User Tidak Terdaftar")
    if not check_password(user, password):
        raise BadCredentials()
    if not user.is_active:
        raise InactiveUser()
    holder = db.session.scalar(db.select(DeviceBinding).filter_by(device_id=device_id))
    if holder is not None and holder.user_id != user.id:
        raise DeviceTakenByOther()
    own = user.device
    if own is not None and own.device_id != device_id:
        raise DeviceMismatch()
    if own is None:
        try:
            with db.session.begin_nested():
                binding = DeviceBinding(user_id=user.id, device_id=device_id)
                db.session.add(binding)
                db.session.flush()
            user.device = binding
        except IntegrityError:
            # Another request bound this device (or this user) at the same moment.
            db.session.expire(user, ["device"])
            raise DeviceTakenByOther() from None
    user.last_login_at = clock.now()
    db.session.flush()
    return user


def request_device_reset(npp: str, reason) -> DeviceResetRequest:
    """File a device-reset request without signing in (contract 001, "Request Reset Device").

    :raises ValidationFailed: reason missing or shorter than 10 characters.
    :raises UnknownUser: no user with this NPP.
    :raises PendingResetExists: a request of this user is still pending.
    """
    _check_reset_reason(reason)
    user = find_by_npp(npp)
    if user is None:
        raise UnknownUser("User tidak ditemukan")
    return request_device_reset_for(user, reason)


def _check_reset_reason(reason) -> None:
    if not isinstance(reason, str) or len(reason.strip()) < 10:
        raise ValidationFailed({"reason": [N_("The reason must be at least 10 characters.")]})
    if len(reason) > 1000:
        raise ValidationFailed({"reason": [N_("The reason may not be greater than 1000 characters.")]})


def request_device_reset_for(user: User, reason) -> DeviceResetRequest:
    """``user`` (signed in, e.g. on the web app) asks for their phone binding to be released;
    an administrator decides it (:func:`process_device_reset`).

    :param reason: 10 to 1000 characters (the rule of contract 001's request).
    :raises ValidationFailed: ``reason`` too short or too long.
    :raises PendingResetExists: a request of this user is still pending.
    """
    _check_reset_reason(reason)
    pending = db.session.scalar(db.select(DeviceResetRequest.id).filter_by(user_id=user.id, status="pending"))
    if pending is not None:
        raise PendingResetExists()
    req = DeviceResetRequest(user_id=user.id, old_device_id=user.device.device_id if user.device else None,
                             reason=reason.strip(), status="pending")
    try:
        with db.session.begin_nested():
            db.session.add(req)
            db.session.flush()
    except IntegrityError:
        raise PendingResetExists() from None
    return req


def device_reset_requests(user: User) -> list[DeviceResetRequest]:
    """All of ``user``'s device-reset requests, newest first."""
    return list(db.session.scalars(
        db.select(DeviceResetRequest).filter_by(user_id=user.id)
        .order_by(DeviceResetRequest.created_at.desc(), DeviceResetRequest.id.desc())
    ))


def get_reset_request(request_id: int) -> DeviceResetRequest:
    """:raises NotFound: no such request."""
    req = db.session.get(DeviceResetRequest, request_id)
    if req is None:
        raise NotFound(N_("Device reset request not found"))
    return req


def process_device_reset(req: DeviceResetRequest, admin: User, *, approve: bool, notes: str | None = None) -> DeviceResetRequest:
    """Approve (release the bound phone) or reject (with a note) a pending request.

    The person gets an in-app notification either way; the decision is written to the audit
    trail (``device_reset.approve`` / ``device_reset.reject``).
    :raises RuleViolation: the request is not pending.
    :raises ValidationFailed: rejecting without a note.
    """
    from ..audit.services import record
    from ..notify.services import notify

    if req.status != "pending":
        raise RuleViolation(N_("This request has already been processed"))
    notes = (notes or "").strip() or None
    if not approve and not notes:
        raise ValidationFailed({"admin_notes": [N_("A note is required to reject a request.")]})
    req.status = "approved" if approve else "rejected"
    req.processed_by_id = admin.id
    req.processed_at = clock.now()
    req.admin_notes = notes
    record(admin, "device_reset.approve" if approve else "device_reset.reject", subject_type="device_reset_request",
           subject_id=req.id, person=req.user_id, before={"status": "pending"},
           after={"status": req.status, "device_id": req.user.device.device_id if req.user.device else None},
           reason=notes, only_changes=False)
    if approve:
        binding = req.user.device
        if binding is not None:
            db.session.delete(binding)
        notify(req.user, "device_reset", N_("Device reset approved"),
               N_("Your device reset was approved. Log in on your new phone to bind it."))
    else:
        notify(req.user, "device_reset", N_("Device reset rejected"),
               N_("Your device reset was rejected: %(notes)s"), notes=notes)
    db.session.flush()
    return req


# --- admin web app ---------------------------------------------------------------

from ..common.errors import PermissionDenied  # noqa: E402

class RoleNotAllowed(PermissionDenied):
    """This account may not sign in here."""

    code = "role_not_allowed"


#: A valid argon2id hash of a random password, verified when the identifier is
#: unknown so that a wrong identifier costs as much time as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password-" + "x" * 16)


def find_by_login(identifier: str) -> User | None:
    """The user whose email (when ``identifier`` contains ``@``) or NPP is ``identifier``;
    None when nobody (not deleted) has it."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        return db.session.scalar(db.select(User).filter_by(email=identifier.lower()).where(NOT_DELETED))
    return find_by_npp(identifier)


def find_by_identifier(identifier: str) -> User | None:
    """The user whose email, NPP or NISN/NIP/NIK is ``identifier`` (tried in that order), or None
    (also for a deleted person).

    For commands and imports that name a person by whichever identifier they have.
    """
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return find_by_login(identifier) or (None if "@" in identifier else find_by_nisn_nip_nik(identifier))


def authenticate(identifier: str, password: str, *, allowed_roles) -> User:
    """Sign in with email or NPP and password (the admin web app's login form).

    Order: unknown identifier or wrong password → :class:`BadCredentials`
    (indistinguishable); deactivated → :class:`InactiveUser`; role not in
    ``allowed_roles`` → :class:`RoleNotAllowed`.  On success the password hash
    is refreshed if outdated and ``last_login_at`` is set.
    """
    user = find_by_login(identifier)
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        raise BadCredentials()
    if not check_password(user, password or ""):
        raise BadCredentials()
    if not user.is_active:
        raise InactiveUser()
    if user.role not in allowed_roles:
        raise RoleNotAllowed()
    user.last_login_at = clock.now()
    db.session.flush()
    return user


def users_query(*, search: str | None = None, role: str | None = None, deleted: bool = False,
                department_ids=None):
    """Select statement of users matching ``search`` (name, email, NPP or NISN/NIP/NIK,
    case-insensitive substring), ``role`` and, when given, belonging to one of the
    departments ``department_ids`` (an empty collection: people of no department),
    ordered by name: the people not deleted, or with ``deleted=True`` only the deleted ones."""
    stmt = db.select(User).where(User.deleted_at.is_not(None) if deleted else NOT_DELETED)
    search = (search or "").strip()
    if search:
        stmt = stmt.where(contains_text(search, User.name, User.email, User.npp, User.nisn_nip_nik))
    if role:
        stmt = stmt.where(User.role == role)
    if department_ids is not None:
        ids = list(department_ids)
        stmt = stmt.where(User.department_id.in_(ids) if ids else User.department_id.is_(None))
    return stmt.order_by(db.func.lower(User.name), User.id)


def users_by_id_query(*, role: str | None = None, is_active: bool | None = None):
    """Select statement of the people not deleted, by id, of ``role`` and with ``is_active`` when given."""
    stmt = db.select(User).where(NOT_DELETED)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    return stmt.order_by(User.id)


def people_counts() -> list[tuple[str, bool, int]]:
    """``[(role, is_active, how many)]`` of the people not deleted, one row per role and state
    present (in no particular order; one statement)."""
    return [tuple(row) for row in db.session.execute(
        db.select(User.role, User.is_active, db.func.count(User.id)).where(NOT_DELETED)
        .group_by(User.role, User.is_active)).all()]


def get_user(user_id: int, *, include_deleted: bool = False) -> User:
    """The user ``user_id``.

    :param include_deleted: also a deleted person (to show or restore them).
    :raises NotFound: no user with this id, or a deleted one unless ``include_deleted``.
    """
    user = db.session.get(User, user_id)
    if user is None or (user.deleted_at is not None and not include_deleted):
        raise NotFound(N_("User not found"))
    return user


def delete_user(user: User, actor: User | None = None) -> User:
    """Delete ``user`` (soft): gone for every app, their records kept.

    Sets ``deleted_at`` (now, UTC) and ``is_active = False`` (so every check
    of an active person — token and session checks, the face gallery, kiosk
    lookups, reports — leaves them out), revokes every API token of every
    app, releases their bound phone and deactivates their push tokens.
    Attendance events and days, leave requests, face samples and photos stay
    (events are append-only; history and audits keep their person).  Their
    email, NPP and NISN/NIP/NIK stay reserved: unique over deleted people too,
    so old records, exports and student cards never come to mean someone
    else, and :func:`restore_user` can always bring the person back.

    :param actor: who deletes (an admin acting on themself is the caller's to refuse); with an
        actor the deletion is audited (``user.delete``).
    :raises NotFound: ``user`` is already deleted.
    """
    from ..notify.models import PushToken
    from .api_tokens import revoke_all

    if user.deleted_at is not None:
        raise NotFound(N_("User not found"))
    user.deleted_at = clock.now()
    user.is_active = False
    revoke_all(user)
    if user.device is not None:
        db.session.delete(user.device)
        user.device = None
    db.session.execute(db.update(PushToken).where(PushToken.user_id == user.id, PushToken.is_active.is_(True))
                       .values(is_active=False).execution_options(synchronize_session=False))
    db.session.flush()
    if actor is not None:
        from ..audit.services import record

        record(actor, "user.delete", subject_type="user", subject_id=user.id, person=user,
               before={"deleted": False}, after={"deleted": True})
    return user


def restore_user(user: User, actor=None) -> User:
    """Undo :func:`delete_user`: the person is listed again and active (signing in again
    needs a new login in each app: their tokens stay revoked).  Audited as ``user.restore``
    by ``actor`` (None: not audited).

    :raises RuleViolation: ``user`` is not deleted.
    """
    if user.deleted_at is None:
        raise RuleViolation("This user is not deleted")
    user.deleted_at = None
    user.is_active = True
    db.session.flush()
    if actor is not None:
        from ..audit.services import record

        record(actor, "user.restore", subject_type="user", subject_id=user.id, person=user,
               before={"deleted": True}, after={"deleted": False})
    return user


def device_reset_requests_query():
    """Select statement of every device-reset request: pending first (oldest first,
    a queue), then processed ones (most recently processed first)."""
    pending_first = db.case((DeviceResetRequest.status == "pending", 0), else_=1)
    return (db.select(DeviceResetRequest)
            .order_by(pending_first,
                      db.case((DeviceResetRequest.status == "pending", DeviceResetRequest.created_at)),
                      DeviceResetRequest.processed_at.desc(), DeviceResetRequest.id.desc()))


def pending_device_reset_count() -> int:
    """How many device-reset requests wait for an admin."""
    return db.session.scalar(
        db.select(db.func.count(DeviceResetRequest.id)).where(DeviceResetRequest.status == "pending"))


#: Actions on many people at once from the users list (:func:`bulk_update_users`).
BULK_ACTIONS = ("move_office", "move_department", "deactivate", "reset_device")
#: Most people one bulk action takes (a page of the list is 20; a "select all" stays bounded).
MAX_BULK = 500


def bulk_users(user_ids) -> list[User]:
    """The people (not deleted) of ``user_ids``, by name; ids of nobody are left out.

    :raises ValidationFailed: (``user_ids``) no id, not whole numbers, or more than :data:`MAX_BULK`.
    """
    try:
        ids = sorted({int(i) for i in user_ids})
    except (TypeError, ValueError):
        raise ValidationFailed({"user_ids": ["Select people from the list."]}) from None
    if not ids or len(ids) > MAX_BULK:
        raise ValidationFailed({"user_ids": [f"Select 1 to {MAX_BULK} people."]})
    return list(db.session.scalars(db.select(User).where(User.id.in_(ids), User.deleted_at.is_(None))
                                   .order_by(User.name, User.id)))


def bulk_update_users(actor: User, people: list[User], action: str, *, office=None, department=None) -> int:
    """Apply one of :data:`BULK_ACTIONS` to ``people`` (from :func:`bulk_users`).

    - ``move_office``: work at ``office`` (an :class:`~app.places.models.Office`, required);
    - ``move_department``: belong to ``department`` (None: no department);
    - ``deactivate``: cannot sign in any more (their API tokens are revoked); ``actor`` is skipped;
    - ``reset_device``: their bound phone is released, the next mobile sign-in binds a new one
      (as an approved device reset, contract 001 "Device Reset").

    Each change is written to the audit trail (``user.update``, before → after), as one edit.

    :returns: how many people changed (those already so are not counted).
    :raises ValidationFailed: unknown ``action``, or ``move_office`` without an office.
    """
    if action not in BULK_ACTIONS:
        raise ValidationFailed({"action": ["Choose an action."]})
    if action == "move_office" and office is None:
        raise ValidationFailed({"office_id": ["Choose an office."]})
    from ..audit.services import record

    changed = 0
    for person in people:
        before = _placement(person)
        if action == "move_office" and person.office_id != office.id:
            person.office_id, changed = office.id, changed + 1
        elif action == "move_department" and person.department_id != (department.id if department else None):
            person.department_id, changed = (department.id if department else None), changed + 1
        elif action == "deactivate" and person.is_active and person.id != actor.id:
            from .api_tokens import revoke_all

            person.is_active, changed = False, changed + 1
            revoke_all(person)
        elif action == "reset_device" and person.device is not None:
            record(actor, "user.update", subject_type="user", subject_id=person.id, person=person,
                   before={"device": person.device.device_id}, after={"device": None})
            db.session.delete(person.device)
            changed += 1
            continue
        else:
            continue
        db.session.flush()
        db.session.refresh(person, ["office", "department"])
        record(actor, "user.update", subject_type="user", subject_id=person.id, person=person, before=before,
               after=_placement(person))
    db.session.flush()
    return changed
