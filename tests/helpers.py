"""Helpers shared by every test package: driving the admin web app through its public
surface (HTML + forms, :class:`AdminSession`), the kiosk page's CSRF token, and reading
rows back in a fresh application context (:func:`count`, :func:`fetch`, :func:`fetch_all`)."""
from __future__ import annotations

import html
import re
from pathlib import Path

from app.extensions import db

ROOT = Path(__file__).resolve().parents[1]
_CSRF_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*?value="([^"]+)"')
HTMX = {"HX-Request": "true"}


def compile_catalogs() -> None:
    """Build translations/*/LC_MESSAGES/messages.mo from the .po files (``pybabel compile -d translations``)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parts[-3])
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog)


def csrf_from(page_html: str) -> str:
    """The CSRF token of the first form on a rendered page."""
    match = _CSRF_RE.search(page_html)
    assert match, "no CSRF token on the page"
    return html.unescape(match.group(1))


def text_of(page_html: str) -> str:
    """Visible text, roughly: tags removed, entities decoded, whitespace collapsed."""
    no_tags = re.sub(r"<script.*?</script>|<[^>]+>", " ", page_html, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(no_tags)).strip()


def field_error(page_html: str, field_id: str) -> str | None:
    """Text of the error shown next to the field with this id (``<p class="field-error" id="ID-error">``)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', page_html, re.S)
    return text_of(match.group(1)) if match else None


def field_has_error_class(page_html: str, field_id: str) -> bool:
    """True when the field's wrapper carries ``has-error`` (red border) and the input ``aria-invalid``."""
    pattern = rf'<div class="field has-error">\s*<label for="{re.escape(field_id)}"'
    return re.search(pattern, page_html) is not None and re.search(
        rf'<[^>]*id="{re.escape(field_id)}"[^>]*aria-invalid="true"|<[^>]*aria-invalid="true"[^>]*id="{re.escape(field_id)}"',
        page_html) is not None


class AdminSession:
    """A test client that behaves like a browser user: reads pages, posts their forms with the scraped token."""

    def __init__(self, client):
        self.client = client

    def get(self, url, htmx: bool = False, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        if htmx:
            headers.update(HTMX)
        return self.client.get(url, headers=headers, **kwargs)

    def token(self, page_url: str) -> str:
        """Load ``page_url`` and take the CSRF token from its form."""
        response = self.client.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code)
        return csrf_from(response.get_data(as_text=True))

    def submit(self, page_url: str, action_url: str, data: dict | None = None, *, htmx: bool = False, **kwargs):
        """Post ``data`` to ``action_url`` with the token from ``page_url``'s form (as the page would)."""
        payload = dict(data or {})
        payload["csrf_token"] = self.token(page_url)
        headers = dict(HTMX) if htmx else {}
        return self.client.post(action_url, data=payload, headers=headers, **kwargs)

    def login(self, identifier: str, password: str = "password123", next_url: str | None = None):
        url = "/admin/login" + (f"?next={next_url}" if next_url else "")
        return self.submit(url, url, {"identifier": identifier, "password": password})


def kiosk_csrf(client) -> str:
    """The CSRF token the kiosk page hands its script (``data-csrf`` on the page)."""
    page = client.get("/kiosk/").get_data(as_text=True)
    match = re.search(r'data-csrf="([^"]+)"', page)
    assert match, "no data-csrf on the kiosk page"
    return match.group(1)


def fetch(app, model, ident):
    """A fresh copy of one row (``None`` if it is gone)."""
    with app.app_context():
        db.session.expire_all()
        obj = db.session.get(model, ident)
        if obj is not None:
            db.session.expunge(obj)
        return obj


def fetch_all(app, model, **filters) -> list:
    """Every row of ``model`` matching ``filters`` (``filter_by``), by id, detached."""
    with app.app_context():
        rows = list(db.session.scalars(db.select(model).filter_by(**filters).order_by(model.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def count_rows(model, *where, **filters) -> int:
    """How many rows of ``model`` match ``where`` (SQL conditions) and ``filters``
    (``filter_by``), read in the current session (inside an application context)."""
    stmt = db.select(db.func.count()).select_from(model).filter_by(**filters)
    for clause in where:
        stmt = stmt.where(clause)
    return db.session.scalar(stmt)


def count(app, model, *where, **filters) -> int:
    """:func:`count_rows` read in a fresh application context of ``app`` (what is committed)."""
    with app.app_context():
        return count_rows(model, *where, **filters)


def audit_trail(app, **filters) -> list[tuple]:
    """The audit entries matching ``filters`` (columns of AuditEntry), oldest first, as
    ``(action, actor_id, person_id, subject_type, subject_id, before, after, reason)``."""
    from app.audit.models import AuditEntry

    with app.app_context():
        rows = db.session.scalars(db.select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)).all()
        return [(e.action, e.actor_id, e.person_id, e.subject_type, e.subject_id, e.before, e.after, e.reason)
                for e in rows]
