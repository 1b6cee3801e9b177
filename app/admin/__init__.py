"""The admin web app: server-rendered pages with HTMX, Flask-Login sessions, CSRF.

Each domain keeps its admin pages in ``app/<domain>/views.py`` (one blueprint
per domain, mounted under ``/admin``); this package holds what they share:
access decorators (:mod:`.access`), the page-or-fragment renderer
(:mod:`.rendering`), the form base class (:mod:`.forms`), template filters
(:mod:`.filters`) and the login, logout, dashboard and language views
(:mod:`.views`).
"""
from __future__ import annotations

from flask import Flask, flash, redirect, request
from flask_babel import lazy_gettext as _l

from ..extensions import db, htmx, login_manager

#: Blueprints of the admin pages, as ``module path, attribute`` (registered in this order).
ADMIN_BLUEPRINTS = (
    ("app.admin.views", "bp"),
    ("app.personal.views", "bp"),
    ("app.accounts.views", "bp"),
    ("app.places.views", "bp"),
    ("app.schedules.views", "bp"),
    ("app.review.views", "bp"),
    ("app.schedules.roster_views", "bp"),
    ("app.schedules.holiday_views", "bp"),
    ("app.departments.views", "bp"),
    ("app.attendance.views", "bp"),
    ("app.leave.views", "bp"),
    ("app.leave.self_views", "bp"),
    ("app.attendance.overtime_views", "bp"),
    ("app.attendance.recap_views", "bp"),
    ("app.school.views", "bp"),
    ("app.posts.views", "bp"),
    ("app.system.views", "bp"),
    ("app.kiosk.views", "bp"),
    ("app.faces.views", "bp"),
    ("app.faces.review", "bp"),
    ("app.escorts.views", "bp"),
    ("app.clinic.views", "bp"),
    ("app.clinic.review", "bp"),
    ("app.audit.views", "bp"),
    ("app.attendance.correction_views", "bp"),
)


def register_admin(app: Flask) -> None:
    """Register the admin blueprints, the session user loader, filters and security headers."""
    import importlib

    from ..accounts.models import User
    from .filters import register_filters
    from .navigation import register_navigation
    from .access import login_url_for_current_request

    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None

    @login_manager.unauthorized_handler
    def _unauthorized():
        """Anonymous request: send the browser to the login page (htmx: via ``HX-Redirect``)."""
        target = login_url_for_current_request()
        if htmx:
            response = app.response_class(status=401)
            response.headers["HX-Redirect"] = target
            return response
        flash(str(login_manager.login_message), login_manager.login_message_category)
        return redirect(target)

    blueprint_names = []
    for module_path, attribute in ADMIN_BLUEPRINTS:
        bp = getattr(importlib.import_module(module_path), attribute)
        app.register_blueprint(bp)
        blueprint_names.append(bp.name)
    app.extensions["hadir_admin_blueprints"] = tuple(blueprint_names)

    register_filters(app)
    register_navigation(app)
    from ..audit.presentation import register as register_audit_filters

    register_audit_filters(app)

    @app.after_request
    def _admin_headers(response):
        """Admin pages: never cached; pages and fragments vary on ``HX-Request`` (the security
        headers of every response: :mod:`app.common.security_headers`)."""
        if request.blueprint in app.extensions["hadir_admin_blueprints"]:
            response.vary.add("HX-Request")
            response.headers.setdefault("Cache-Control", "no-store")
        return response
