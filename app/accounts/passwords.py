"""The password policy, and password hashing with argon2id (argon2-cffi), verify-and-rehash.

Policy (:func:`check_new_password`, applied wherever a password is set: the admin
user form, ``flask user create``, the users CSV import, face ``register``, school
``POST/PUT /api/users`` and ``PUT /api/profile/password``, clinic ``change-password``
and the admin's non-paramedis create and reset): at least
:data:`MIN_PASSWORD_LENGTH` characters, not all of them whitespace, at most
:data:`MAX_PASSWORD_LENGTH`.  Following NIST SP 800-63B §5.1.1.2: a minimum of 8,
no composition rules (any character, spaces included, counts), and a maximum of at
least 64 — 128 here, longer than any passphrase a person types, which bounds what
each sign-in feeds to argon2.  Signing in is not limited by the policy (passwords
set before it still work).

Parameters are argon2-cffi's defaults, which follow RFC 9106's second
recommended option (t=3, m=64 MiB, p=4).  Hashes made with older or weaker
parameters, and legacy Werkzeug ``pbkdf2:``/``scrypt:`` hashes imported from
older systems, are accepted once and replaced by a fresh argon2id hash.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash

from ..common.errors import ValidationFailed
from ..common.i18n import N_

_hasher = PasswordHasher()

#: Fewest characters a new password may have (NIST SP 800-63B §5.1.1.2).
MIN_PASSWORD_LENGTH = 8
#: The refusal of a short ``password`` (the users CSV import shows it per row), written out for
#: the catalogs; it names :data:`MIN_PASSWORD_LENGTH`.
PASSWORD_TOO_SHORT = N_("The password must be at least 8 characters.")
assert str(MIN_PASSWORD_LENGTH) in PASSWORD_TOO_SHORT
#: Most characters a new password may have (NIST asks for at least 64; see the module doc).
MAX_PASSWORD_LENGTH = 128


class PasswordRejected(ValidationFailed):
    """A new password breaks the policy.

    ``reason`` says which rule: ``required`` (missing, empty or not text),
    ``too_short``, ``too_long`` or ``blank`` (only whitespace); ``errors`` is
    ``{field: [English message in Laravel's wording]}``, so a dialect can answer
    with it as it is or word the reason its own way.
    """

    code = "password_rejected"

    def __init__(self, reason: str, field: str = "password"):
        attribute = field.replace("_", " ")
        message = {
            "required": f"The {attribute} field is required.",
            "too_short": PASSWORD_TOO_SHORT if field == "password" else
            f"The {attribute} must be at least {MIN_PASSWORD_LENGTH} characters.",
            "too_long": f"The {attribute} may not be greater than {MAX_PASSWORD_LENGTH} characters.",
            "blank": f"The {attribute} may not consist of spaces only.",
        }[reason]
        self.reason = reason
        super().__init__({field: [message]})


def check_new_password(password, field: str = "password") -> str:
    """Return ``password`` when it may be set, per the policy of the module doc.

    Length is counted in characters (code points); whitespace is what
    :meth:`str.isspace` calls so (spaces, tabs, ideographic spaces...).

    :param field: the request field it came from, named in the error.
    :raises PasswordRejected: with ``reason`` ``required``, ``too_short``,
        ``too_long`` or ``blank`` (checked in that order).
    """
    if not isinstance(password, str) or not password:
        raise PasswordRejected("required", field)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected("too_short", field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected("too_long", field)
    if password.isspace():
        raise PasswordRejected("blank", field)
    return password


def hash_password(password: str) -> str:
    """Return an argon2id PHC string for ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Check ``password`` against ``stored_hash``.

    :returns: ``(ok, new_hash)``; ``new_hash`` is not None when the caller
        should store it (old parameters or a legacy scheme).
    """
    if not stored_hash:
        return False, None
    if stored_hash.startswith(("pbkdf2:", "scrypt:")):
        ok = check_password_hash(stored_hash, password)
        return ok, (hash_password(password) if ok else None)
    try:
        _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(stored_hash):
        return True, hash_password(password)
    return True, None
