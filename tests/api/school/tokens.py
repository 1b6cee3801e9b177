"""Helpers for school-dialect tests: a signed-in user's bearer header without logging in."""
from app.accounts.api_tokens import issue_token
from app.accounts.models import User
from app.extensions import db


def bearer(app, user) -> dict:
    """An ``Authorization`` header with a fresh school token of ``user``."""
    with app.app_context():
        token, _row = issue_token(db.session.get(User, user.id), "school")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def school_user(factory, role, ident, **kw):
    """A user of the school app (``nisn_nip_nik`` set, no NPP)."""
    return factory.user(role=role, npp=None, nisn_nip_nik=ident, **kw)
