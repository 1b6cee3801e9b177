"""Contract 002 section 7: announcements (pengumuman).

An announcement is a :class:`~app.posts.models.Post` of category
``announcement`` (the admin web app's posts list shows them too);
``is_published`` is ``status == 'published'`` with ``published_at`` reached.

Who sees and does what (the contract does not say; decided here):

- everyone signed in lists and reads the published announcements;
- an unpublished one (a draft) is visible only to its author and to
  administrators, in the list and in detail; to anyone else it is 404;
- teachers (``guru``), the principal (``kepsek``) and administrators create
  (``is_published`` defaults to true: published now); others get 403;
- the author or an administrator changes and deletes; anyone else who can see
  it gets 403.

``published_at`` is set when an announcement is published (the contract's
example prints null right after creating a published one, an artefact of its
backend; a real time is more useful to the app and to the ordering).
"""
from __future__ import annotations

from flask import g

from ...accounts.roles import SCHOOL_STAFF_ROLES
from ...common import clock
from ...common.errors import NotFound, PermissionDenied
from ...posts import services as posts
from ...posts.models import Post
from . import envelope
from .auth import token_required
from .blueprint import bp
from ..laravel import paginate
from .validation import body, parse_bool

#: Roles that may publish announcements.
AUTHORS = SCHOOL_STAFF_ROLES


def announcement_json(post: Post) -> dict:
    """The contract's announcement object."""
    return {
        "id": post.id,
        "title": post.title,
        "content": post.content,
        "author_id": post.author_id,
        "is_published": posts.is_published(post),
        "published_at": clock.iso_utc(post.published_at) if posts.is_published(post) else None,
        "created_at": clock.iso_utc(post.created_at),
        "updated_at": clock.iso_utc(post.updated_at),
    }


def _created_json(post: Post) -> dict:
    """``POST``'s answer in the contract's (Laravel insertion) key order."""
    data = announcement_json(post)
    keys = ("title", "content", "author_id", "is_published", "published_at", "updated_at", "created_at", "id")
    return {key: data[key] for key in keys}


def _visibility() -> dict:
    return {"viewer_id": g.user.id, "all_drafts": g.user.role == "admin"}


def _load(post_id: int) -> Post:
    try:
        return posts.get_announcement(post_id, **_visibility())
    except NotFound:
        raise NotFound("Pengumuman tidak ditemukan") from None


def _load_own(post_id: int) -> Post:
    """The announcement if the caller may change it (author or admin): 404 unseen, 403 others'."""
    post = _load(post_id)
    if post.author_id != g.user.id and g.user.role != "admin":
        raise PermissionDenied("Akses ditolak")
    return post


def _values(data: dict) -> dict:
    values = {key: data[key] for key in ("title", "content") if key in data}
    if "is_published" in data:
        flag = parse_bool(data["is_published"])
        # an unreadable value goes through unchanged: the service refuses it with the other fields
        values["is_published"] = data["is_published"] if flag is None else flag
    return values


@bp.get("/announcements")
@token_required()
def list_announcements():
    """Announcements, newest first, in Laravel's paginator (``page``, ``per_page`` 1..100, default 15)."""
    stmt = posts.announcements_query(**_visibility())
    return envelope.ok("Data pengumuman berhasil diambil", paginate(stmt, announcement_json))


@bp.post("/announcements")
@token_required(*AUTHORS)
def create_announcement():
    """Create (201).  Body: ``title`` (≤ 200), ``content`` (≤ 50 000), ``is_published`` (default true)."""
    data = body()
    values = _values(data)
    post = posts.create_announcement(g.user, data.get("title"), data.get("content"),
                                     values.get("is_published", True))
    return envelope.ok("Pengumuman berhasil dibuat", _created_json(post), status=201)


@bp.get("/announcements/<int:post_id>")
@token_required()
def show_announcement(post_id: int):
    """One announcement (drafts: author and administrators only; others 404)."""
    return envelope.ok("Data pengumuman berhasil diambil", announcement_json(_load(post_id)))


@bp.put("/announcements/<int:post_id>")
@token_required()
def update_announcement(post_id: int):
    """Change ``title``, ``content``, ``is_published`` (all optional): author or administrator."""
    post = _load_own(post_id)
    posts.update_announcement(post, g.user, **_values(body()))
    return envelope.ok("Pengumuman berhasil diperbarui", announcement_json(post))


@bp.delete("/announcements/<int:post_id>")
@token_required()
def delete_announcement(post_id: int):
    """Delete for good: author or administrator."""
    posts.delete_post(_load_own(post_id), actor=g.user)
    return envelope.ok("Pengumuman berhasil dihapus")
