"""One cookie policy for every cookie the app sets, applied where they all pass: the WSGI response.

Cookies are set in many places — Flask's session (after every ``after_request`` hook),
Flask-Login's ``remember_token``, the igd app's ``igd_session`` and ``XSRF-TOKEN``, the
face app's ``token``, the kiosk's ``hadir_kiosk`` — and a flag forgotten in one of them is
a hole.  :class:`CookiePolicy` wraps the WSGI app and rewrites each ``Set-Cookie`` header:

- ``Secure`` whenever the request came over HTTPS (``wsgi.url_scheme``; behind a reverse
  proxy that is ``X-Forwarded-Proto``, trusted through ``TRUSTED_PROXIES`` by ProxyFix,
  which wraps this middleware).  Over plain HTTP (``make run`` on 127.0.0.1) the flag is
  left off, or the browser would drop the cookie.
- ``SameSite=Lax`` when the cookie names no ``SameSite`` (Flask-Login sets none for
  ``remember_token``): it is not sent with cross-site POSTs (CSRF), while a link from
  another site still arrives signed in.

Attributes a cookie already has (``HttpOnly``, a stricter ``SameSite``) are kept.
"""
from __future__ import annotations


def harden_set_cookie(value: str, https: bool) -> str:
    """``value`` (one ``Set-Cookie`` header) with ``Secure`` added when ``https`` and
    ``SameSite=Lax`` added when it has no ``SameSite``."""
    attributes = {part.strip().split("=", 1)[0].lower() for part in value.split(";")[1:]}
    if https and "secure" not in attributes:
        value += "; Secure"
    if "samesite" not in attributes:
        value += "; SameSite=Lax"
    return value


class CookiePolicy:
    """WSGI middleware applying :func:`harden_set_cookie` to every response (see the module doc)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        https = environ.get("wsgi.url_scheme") == "https"

        def start(status, headers, exc_info=None):
            """``start_response`` with every ``Set-Cookie`` header hardened (:func:`harden_set_cookie`)."""
            headers = [(name, harden_set_cookie(value, https) if name.lower() == "set-cookie" else value)
                       for name, value in headers]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
