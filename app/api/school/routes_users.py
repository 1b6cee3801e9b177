"""Contract 002 section 13: user management (administrators only).

Every endpoint needs a school token of a user whose role is ``admin``; others
get 403.  ``role_id`` is the stable role number of :data:`app.accounts.roles.ROLE_BY_ID`.

Self-protection: an administrator cannot change their own role, deactivate
themselves or delete themselves (403), so nobody raises their own role and
the school never loses its last way in by accident.

``DELETE`` deletes softly (:func:`app.accounts.services.delete_user`): afterwards
the person is gone for this API — ``GET``/``PUT``/``DELETE`` of the id are 404, the
lists leave them out, they cannot sign in to any app, their tokens are revoked —
while the row and their attendance history stay (DESIGN.md, "an acknowledged
check-in is never lost").  That is distinct from ``is_active: false``, which
keeps a deactivated person listed (``is_active=0``) and reactivatable with
``PUT``.  A deleted person's NISN/NIP/NIK and email stay reserved (creating a
user with them → 422 "has already been taken", as Laravel's ``unique`` rule
answers for soft-deleted rows); an admin restores a person deleted by mistake
in the admin web app (Users → Deleted).
"""
from __future__ import annotations

from flask import g, request

from ...accounts import services as accounts
from ...accounts.api_tokens import revoke_all
from ...accounts.models import User
from ...accounts.roles import ROLE_BY_ID
from ...common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from . import envelope
from .auth import DIALECT, token_required
from .blueprint import bp
from ..laravel import paginate
from .serializers import user as user_json
from .validation import Checker, body, parse_bool, parse_int, unique_failed

ADMIN = "admin"


def _load(user_id: int) -> User:
    """The user ``user_id``; :raises NotFound: unknown or deleted."""
    try:
        return accounts.get_user(user_id)
    except NotFound:
        raise NotFound("Pengguna tidak ditemukan") from None


def _check(data: dict, *, creating: bool) -> dict:
    """Validate a create/update body; returns service keyword arguments (role key, not id)."""
    check = Checker(data)
    check.string("nisn_nip_nik", required=creating, nullable=False, max_length=32, allow_int=True)
    check.string("name", required=creating, nullable=False, max_length=120)
    check.string("email", email=True, max_length=254)
    check.string("phone", max_length=32)
    check.string("photo_path", max_length=255)
    check.integer("role_id", required=creating)
    check.boolean("is_active")
    check.password("password", required=creating)
    if "role_id" in check.clean and check.clean["role_id"] not in ROLE_BY_ID:
        check.fail("role_id", "The selected role id is invalid.")
    values = check.done()
    if "role_id" in values:
        values["role"] = ROLE_BY_ID[values.pop("role_id")].key
    return values


@bp.get("/users")
@token_required(ADMIN)
def list_users():
    """Users ordered by id (not the deleted ones), in Laravel's paginator.

    Query: ``role_id`` (a known role number), ``is_active`` (1/0),
    ``page``, ``per_page`` (1..100, default 15); a bad value → 422 naming it.
    """
    filters: dict = {}
    errors = {}
    role_id = request.args.get("role_id")
    if role_id not in (None, ""):
        number = parse_int(role_id)
        if number not in ROLE_BY_ID:
            errors["role_id"] = ["The selected role id is invalid."]
        else:
            filters["role"] = ROLE_BY_ID[number].key
    is_active = request.args.get("is_active")
    if is_active not in (None, ""):
        flag = parse_bool(is_active)
        if flag is None:
            errors["is_active"] = ["The is active field must be true or false."]
        else:
            filters["is_active"] = flag
    if errors:
        raise ValidationFailed(errors)
    return envelope.ok("Data pengguna berhasil diambil", paginate(accounts.users_by_id_query(**filters), user_json))


@bp.post("/users")
@token_required(ADMIN)
def create_user():
    """Add a user (201).  Required: ``nisn_nip_nik``, ``name``, ``password`` (the password policy:
    8..128 characters, not only spaces), ``role_id``;
    optional: ``email``, ``phone``, ``photo_path``, ``is_active`` (default true).
    A taken ``nisn_nip_nik`` or ``email`` → 422 naming it."""
    values = _check(body(), creating=True)
    try:
        user = accounts.create_user(**values, actor=g.user)
    except Conflict as exc:
        raise unique_failed(exc) from None
    return envelope.ok("Pengguna berhasil ditambahkan", user_json(user), status=201)


@bp.get("/users/<int:user_id>")
@token_required(ADMIN)
def show_user(user_id: int):
    """One user; unknown id → 404."""
    return envelope.ok("Data pengguna berhasil diambil", user_json(_load(user_id)))


@bp.put("/users/<int:user_id>")
@token_required(ADMIN)
def update_user(user_id: int):
    """Change the keys given (all optional).  A new password or a deactivation
    revokes the user's tokens (one's own password: every token but the one used).
    Own role change or own deactivation → 403."""
    user = _load(user_id)
    values = _check(body(), creating=False)
    if user.id == g.user.id:
        if "role" in values and values["role"] != user.role:
            raise PermissionDenied("Anda tidak dapat mengubah peran Anda sendiri")
        if values.get("is_active") is False:
            raise PermissionDenied("Anda tidak dapat menonaktifkan akun Anda sendiri")
    password = values.pop("password", None)
    try:
        accounts.update_user(user, g.user, **values)
    except Conflict as exc:
        raise unique_failed(exc) from None
    if password is not None:
        mine = user.id == g.user.id          # one's own: every school token but the one used ends
        accounts.reset_password(user, password, g.user, end_sessions=True, dialect=DIALECT if mine else None,
                                keep=g.api_token if mine else None)
    elif user.id != g.user.id and values.get("is_active") is False:
        revoke_all(user)
    return envelope.ok("Data pengguna berhasil diperbarui", user_json(user))


@bp.delete("/users/<int:user_id>")
@token_required(ADMIN)
def delete_user(user_id: int):
    """Delete the user softly (see the module notes): 200 ``Pengguna berhasil dihapus``;
    unknown or already deleted → 404; oneself → 403."""
    user = _load(user_id)
    if user.id == g.user.id:
        raise PermissionDenied("Anda tidak dapat menghapus akun Anda sendiri")
    accounts.delete_user(user, actor=g.user)
    return envelope.ok("Pengguna berhasil dihapus")
