"""Rate-limit plumbing shared by the apps: what a 429 tells the client about the limit it
breached (Flask-Limiter's current limit), and the per-address limit of every sign-in."""
from __future__ import annotations

import time

from flask import current_app, g, request

from ..extensions import limiter


def retry_after_seconds(default: int = 60) -> int:
    """Seconds until the limit this request breached resets, for a 429's body.

    Between 1 and the limit's window (60 for "per minute"), truncated as Flask-Limiter
    truncates when it writes the ``Retry-After`` header, so body and header agree (a
    storage's reset time may lie a fraction beyond the window: rounding up gave 61).
    ``default`` when no limit was breached in this request (``limiter.current_limit`` is None).
    """
    current = limiter.current_limit
    if current is None:
        return default
    window = current.limit.GRANULARITY.seconds * current.limit.multiples
    return min(window, max(1, int(current.reset_at - time.time())))


# --- sign-in limits ------------------------------------------------------------------------------

#: Default of ``LOGIN_ADDRESS_LIMIT``: refused sign-ins per client address, across every
#: account and every app (Flask-Limiter syntax).  See :func:`login_address_limit`.
DEFAULT_LOGIN_ADDRESS_LIMIT = "20 per minute"
#: The scope shared by every sign-in route, so one address has one budget across all apps.
LOGIN_ADDRESS_SCOPE = "login-address"


def note_failed_login() -> None:
    """Mark this request as a refused sign-in, for a sign-in page that answers 200 with the
    form and its error (the admin login); JSON sign-ins are refused with a 4xx status."""
    g.login_failed = True


def _refused_sign_in(response) -> bool:
    """Whether a sign-in answer counts against :func:`login_address_limit`: any refusal (4xx/5xx,
    or a page marked with :func:`note_failed_login`) except the 429 of a limit itself."""
    return g.get("login_failed", False) or (response.status_code >= 400 and response.status_code != 429)


def _address_key() -> str:
    return "login:ip:" + (request.remote_addr or "?")


def _address_limit() -> str:
    return current_app.config.get("LOGIN_ADDRESS_LIMIT") or DEFAULT_LOGIN_ADDRESS_LIMIT


def login_address_limit(view):
    """Decorator for every sign-in route: at most ``LOGIN_ADDRESS_LIMIT`` (default
    :data:`DEFAULT_LOGIN_ADDRESS_LIMIT`) *refused* sign-ins per client address, counted
    together across all accounts and all apps (one Flask-Limiter scope); past it, 429 in
    the app's own body until the window ends.

    This stops credential stuffing (many accounts tried from one address), which the
    per-account limits (5 per minute per address and identifier, the contracts' figure)
    cannot see.  Only refusals count (Flask-Limiter's ``deduct_when``): an office whose
    hundred people sign in from one NAT address at 8 a.m. spends nothing with right
    passwords, and 20 wrong ones a minute from one office is far above typing mistakes.
    Counters live in the limiter's storage, shared by every worker with ``REDIS_URL``.
    POST only (the admin login page's GET shows the form).  Put it *above* the route's
    per-account limit: Flask-Limiter's ``X-RateLimit-*`` headers describe the limit
    registered first (the decorator nearest the function), which should stay the
    per-account one the contracts document.
    """
    return limiter.shared_limit(_address_limit, scope=LOGIN_ADDRESS_SCOPE, key_func=_address_key,
                                deduct_when=_refused_sign_in, methods=["POST"])(view)
