"""The admin web app: server-rendered pages with HTMX, Flask-Login sessions, CSRF."""
from __future__ import annotations

from flask import Flask

from ..extensions import db, login_manager


def register_admin(app: Flask) -> None:
    """Register the admin blueprints and the session user loader."""
    from ..accounts.models import User
    from .views import bp

    login_manager.login_view = "admin.login"

    @login_manager.user_loader
    def _load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None

    app.register_blueprint(bp)
