"""Rate limits by endpoint type (contract 000, "Rate Limiting").

=================  ==========================
type               limit
=================  ==========================
authentication     5 requests per minute
attendance         10 requests per minute
face_recognition   3 requests per minute
bulk               2 requests per minute
general            60 requests per minute
=================  ==========================

Every route of the dialect counts against ``general`` unless it is tagged with
another type::

    @bp.post("/bulk/create")
    @rate_limit("bulk")
    @token_required("admin")
    def bulk_create(): ...

A tag replaces the blueprint's ``general`` budget for that route (Flask-Limiter's
``override_defaults``).  All routes of one type share one budget per caller
(``shared_limit`` scope ``clinic-<type>``): the token's id when a Sanctum-form
bearer token is sent, else the client address.  Counters live in the limiter's
storage (``RATELIMIT_STORAGE_URI``: Redis when ``REDIS_URL`` is set, so every
worker and server shares them).  Answers carry ``X-RateLimit-Limit``,
``X-RateLimit-Remaining``, ``X-RateLimit-Reset`` (``RATELIMIT_HEADERS_ENABLED``)
and a 429 adds ``Retry-After`` and the contract's body (:func:`too_many_requests`).
"""
from __future__ import annotations

from flask import Blueprint, request

from ...accounts.api_tokens import token_id
from ...common.ratelimit import retry_after_seconds
from ...extensions import limiter
from . import envelope

#: Endpoint type → Flask-Limiter limit string (contract "Rate Limits by Endpoint Type").
LIMITS = {
    "authentication": "5 per minute",
    "attendance": "10 per minute",
    "face_recognition": "3 per minute",
    "bulk": "2 per minute",
    "general": "60 per minute",
}


def rate_limit_key() -> str:
    """The caller: ``token:<id>`` for a Sanctum-form bearer token (no database access), else ``ip:<address>``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    row_id = token_id(token.strip()) if scheme.lower() == "bearer" else None
    if row_id is not None:
        return f"clinic:token:{row_id}"
    return "clinic:ip:" + (request.remote_addr or "?")


def login_key() -> str:
    """The caller of an unauthenticated sign-in: client address and the ``email`` sent.

    Staff behind one clinic router share an address, so each account gets its own
    budget of 5 attempts per minute from it (guessing one account's password stays slow).
    """
    data = request.get_json(silent=True) if request.is_json else None
    email = data.get("email") if isinstance(data, dict) else None
    email = email.strip().lower()[:254] if isinstance(email, str) else "-"
    return f"clinic:login:{request.remote_addr or '?'}:{email}"


def _shared(kind: str, key_func=None):
    if kind not in LIMITS:
        raise KeyError(f"unknown clinic rate-limit type {kind!r}; one of {', '.join(LIMITS)}")
    return limiter.shared_limit(LIMITS[kind], scope=f"clinic-{kind}", key_func=key_func or rate_limit_key)


def rate_limit(kind: str, *, key_func=None):
    """Decorator: count the route against the ``kind`` budget of :data:`LIMITS` instead of ``general``.

    :param key_func: who the budget belongs to; default :func:`rate_limit_key` (token, else address).
    :raises KeyError: (at import) ``kind`` is not a type of :data:`LIMITS`.
    """
    return _shared(kind, key_func)


def apply_general_limit(bp: Blueprint) -> None:
    """Give every route of ``bp`` the ``general`` budget (routes tagged with :func:`rate_limit` replace it)."""
    _shared("general")(bp)


def too_many_requests():
    """The contract's 429: ``errors.rate_limit`` naming the limit, ``retry_after`` seconds (and header).

    Flask-Limiter then sets ``X-RateLimit-*`` and rewrites ``Retry-After`` from the same reset time.
    """
    current = limiter.current_limit
    amount = 60 if current is None else current.limit.amount
    retry = retry_after_seconds()
    per = "minute" if current is None else current.limit.GRANULARITY.name
    return envelope.fail(envelope.RATE_LIMIT_MESSAGE, 429,
                         {"rate_limit": [f"Exceeded {amount} requests per {per} limit"]},
                         headers={"Retry-After": str(retry)}, retry_after=retry)
