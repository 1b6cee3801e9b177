"""Password hashing with argon2id (argon2-cffi), verify-and-rehash.

Parameters are argon2-cffi's defaults, which follow RFC 9106's second
recommended option (t=3, m=64 MiB, p=4).  Hashes made with older or weaker
parameters, and legacy Werkzeug ``pbkdf2:``/``scrypt:`` hashes imported from
older systems, are accepted once and replaced by a fresh argon2id hash.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash

_hasher = PasswordHasher()


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
