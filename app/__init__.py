"""Hadir: one Flask application serving the admin web app, the kiosk and five JSON dialects.

:func:`create_app` is the only way to build the app (``wsgi.py`` calls it, tests
call it with their own settings).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, redirect, request, session, url_for

from .config import load_config
from .extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    """Locale for UI text: the one chosen in the session, else Indonesian (``id``)."""
    from flask import current_app

    chosen = session.get("lang")
    if chosen in current_app.config["BABEL_SUPPORTED_LOCALES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config: dict | None = None) -> Flask:
    """Build the application.

    :param config: settings that override the environment (tests pass
        ``SQLALCHEMY_DATABASE_URI``, ``RATELIMIT_ENABLED`` ...).
    :raises app.api.MountConflict: two mounted dialects claim one method + path.
    """
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.json.sort_keys = False  # keep the contracts' field order (rcode, message, data ...)
    from .common.ids import RowIdConverter
    app.url_map.converters["int"] = RowIdConverter  # ids beyond the database's integer: 404
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))

    from .common.cookies import CookiePolicy
    app.wsgi_app = CookiePolicy(app.wsgi_app)  # Secure over HTTPS, SameSite on every cookie
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a reverse proxy the client address (rate-limit keys) and the scheme (Secure
        # cookies) come from X-Forwarded-For / -Proto; ProxyFix runs before CookiePolicy.
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from . import models  # noqa: F401  (registers every table)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    htmx.init_app(app)
    from .common.security_headers import init_security_headers
    init_security_headers(app)

    from .common.boundary import register_request_boundary
    register_request_boundary(app)

    # The verticals plug into the core's registries (the core imports no vertical).
    from .school.registration import register as register_school
    register_school()
    from .clinic.registration import register as register_clinic
    register_clinic()
    from .escorts.registration import register as register_escorts
    register_escorts()

    from .api import register_dialects
    register_dialects(app)

    from .admin import register_admin
    register_admin(app)

    from kiosk import init_kiosk  # the tablet client (top-level kiosk/); app/kiosk is its domain
    init_kiosk(app)

    from .cli import register_cli
    register_cli(app)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from .common.sqlite import tune_sqlite
        with app.app_context():
            tune_sqlite(db.engine)

    @app.get("/")
    def index():
        """The root opens the admin web app."""
        return redirect(url_for("admin.dashboard"))

    @app.get("/healthz")
    def healthz():
        """Health probe for load balancers: runs ``SELECT 1``.

        200 ``{"status": "ok"}``; 503 ``{"status": "unavailable", "database": "unreachable"}``
        with ``Retry-After`` when the database does not answer (stop sending traffic here).
        """
        from .common.database import RETRY_AFTER_S, database_reachable

        if database_reachable():
            return {"status": "ok"}
        return {"status": "unavailable", "database": "unreachable"}, 503, {"Retry-After": str(RETRY_AFTER_S)}

    @app.get("/favicon.ico")
    def favicon():
        """The logo (``static/logo.svg``, the same mark as the admin's and the kiosk's) for browsers
        that ask for ``/favicon.ico`` before reading the pages' ``<link rel="icon">``; cached a day."""
        from flask import send_from_directory

        return send_from_directory(app.static_folder, "logo.svg", mimetype="image/svg+xml", max_age=86400)

    @app.context_processor
    def _inject_locale():
        return {"current_lang": select_locale(), "request": request}

    return app
