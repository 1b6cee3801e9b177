"""Reading and writing posts (contract 001, "Blog/Berita")."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import update

from ..common import clock
from ..common.errors import NotFound
from ..common.i18n import N_
from ..common.search import contains_text
from ..extensions import db
from .models import Post


def slugify(text: str) -> str:
    """ASCII slug: ``"Pengumuman Libur!"`` → ``"pengumuman-libur"`` (at most 200 chars)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:200] or "post"


def unique_slug(title: str, exclude_id: int | None = None) -> str:
    """A slug for ``title`` not used by another post (``-2``, ``-3`` ... appended)."""
    base = slugify(title)
    slug, n = base, 1
    while True:
        stmt = db.select(Post.id).filter_by(slug=slug)
        if exclude_id is not None:
            stmt = stmt.where(Post.id != exclude_id)
        if db.session.scalar(stmt) is None:
            return slug
        n += 1
        slug = f"{base}-{n}"


def published_query(*, category: str | None = None, featured: bool = False):
    """Select statement of visible posts: pinned first, then newest published."""
    stmt = db.select(Post).where(Post.status == "published", Post.published_at <= clock.now())
    if category:
        stmt = stmt.where(Post.category == category)
    if featured:
        stmt = stmt.where(Post.is_featured.is_(True))
    return stmt.order_by(Post.is_pinned.desc(), Post.published_at.desc(), Post.id.desc())


def read_published(*, post_id: int | None = None, slug: str | None = None) -> Post:
    """Fetch a visible post by id or slug and count the view (+1 ``view_count``).

    :raises NotFound: no such post, or it is not published.
    """
    stmt = published_query()
    stmt = stmt.where(Post.id == post_id) if post_id is not None else stmt.where(Post.slug == slug)
    post = db.session.scalar(stmt)
    if post is None:
        raise NotFound("Blog not found")
    db.session.execute(update(Post).where(Post.id == post.id).values(view_count=Post.view_count + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(post)
    return post


# --- admin web app ---------------------------------------------------------------

from ..common.errors import ValidationFailed  # noqa: E402
from .models import CATEGORIES, STATUSES  # noqa: E402

_POST_FIELDS = ("title", "content", "excerpt", "category", "status", "is_featured", "is_pinned", "published_at")


def posts_query(*, status: str | None = None, search: str | None = None):
    """Select statement of every post (any status) for the admin list: newest first."""
    stmt = db.select(Post)
    if status:
        stmt = stmt.where(Post.status == status)
    search = (search or "").strip()
    if search:
        stmt = stmt.where(contains_text(search, Post.title))
    return stmt.order_by(Post.created_at.desc(), Post.id.desc())


def get_post(post_id: int) -> Post:
    """:raises NotFound: no post with this id."""
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound(N_("Post not found"))
    return post


def _clean_post(values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = [N_("The title is required.")]
    elif len(title) > 200:
        errors["title"] = [N_("The title may not be greater than 200 characters.")]
    clean["title"] = title
    content = (values.get("content") or "").strip()
    if not content:
        errors["content"] = [N_("The content is required.")]
    clean["content"] = content
    clean["excerpt"] = (values.get("excerpt") or "").strip() or None
    if values.get("category") not in CATEGORIES:
        errors["category"] = [N_("Unknown category.")]
    clean["category"] = values.get("category")
    if values.get("status") not in STATUSES:
        errors["status"] = [N_("Unknown status.")]
    clean["status"] = values.get("status")
    clean["is_featured"] = bool(values.get("is_featured"))
    clean["is_pinned"] = bool(values.get("is_pinned"))
    published_at = values.get("published_at")
    if published_at is not None and published_at.tzinfo is None:
        errors["published_at"] = [N_("The publication time needs a time zone.")]
    clean["published_at"] = published_at
    if errors:
        raise ValidationFailed(errors)
    if clean["status"] == "published" and clean["published_at"] is None:
        clean["published_at"] = clock.now()
    return clean


def _state(post: Post) -> dict:
    """What the audit trail keeps of a post: title, slug, category, status, flags, publication
    time and the content's first 120 characters with its length (a change further in shows as
    a different length or beginning)."""
    content = post.content or ""
    return {"title": post.title, "slug": post.slug, "category": post.category, "status": post.status,
            "is_featured": bool(post.is_featured), "is_pinned": bool(post.is_pinned),
            "published_at": post.published_at,
            "content": content[:120] + ("…" if len(content) > 120 else ""), "content_length": len(content)}


def _audit(actor, action: str, post: Post, before: dict | None, after: dict | None) -> None:
    from ..audit.services import record

    record(actor, action, subject_type="post", subject_id=post.id, before=before, after=after,
           about={"title": post.title})


def create_post(author, *, actor=None, **values) -> Post:
    """Create a post with a unique slug made from its title.

    Keys: ``title``, ``content`` (required), ``excerpt``, ``category``
    (:data:`~.models.CATEGORIES`), ``status`` (:data:`~.models.STATUSES`),
    ``is_featured``, ``is_pinned``, ``published_at`` (aware datetime; a
    published post without one is published now).  Audited as ``post.create`` by ``actor``
    (a command's name, e.g. ``"flask demo load"``), else by ``author``.
    :raises ValidationFailed: a missing or unknown value.
    """
    clean = _clean_post(values)
    post = Post(slug=unique_slug(clean["title"]), author_id=author.id if author else None, **clean)
    db.session.add(post)
    db.session.flush()
    _audit(actor if actor is not None else author, "post.create", post, None, _state(post))
    return post


def update_post(post: Post, actor=None, **values) -> Post:
    """Change a post (the same keys and rules as :func:`create_post`); audited as
    ``post.update`` (changed fields before → after) by ``actor``.

    The slug follows the title only while the post has never been published,
    so links to a published post keep working.  Nothing changes when refused.
    """
    clean = _clean_post(values)
    before = _state(post)
    if clean["title"] != post.title and post.published_at is None:
        post.slug = unique_slug(clean["title"], exclude_id=post.id)
    for key, value in clean.items():
        setattr(post, key, value)
    db.session.flush()
    _audit(actor, "post.update", post, before, _state(post))
    return post


def publish_post(post: Post, *, actor=None) -> Post:
    """Publish ``post`` now (keeps an earlier ``published_at``); audited as ``post.publish``."""
    before = _state(post)
    post.status = "published"
    if post.published_at is None:
        post.published_at = clock.now()
    db.session.flush()
    _audit(actor, "post.publish", post, before, _state(post))
    return post


# --- announcements of the school app (contract 002, section 7) --------------

#: Longest announcement text, characters.
MAX_ANNOUNCEMENT_CONTENT = 50_000


def announcements_query(viewer_id: int | None = None, *, all_drafts: bool = False):
    """Select statement of announcements (posts of category ``announcement``), newest first.

    Published ones (``status == 'published'`` and ``published_at`` not in the
    future) for everyone; plus the unpublished ones authored by ``viewer_id``,
    or every unpublished one when ``all_drafts`` (administrators).
    """
    from sqlalchemy import and_, or_, true

    visible = and_(Post.status == "published", Post.published_at <= clock.now())
    if all_drafts:
        condition = true()
    elif viewer_id is not None:
        condition = or_(visible, Post.author_id == viewer_id)
    else:
        condition = visible
    return (db.select(Post).where(Post.category == "announcement", condition)
            .order_by(Post.created_at.desc(), Post.id.desc()))


def is_published(post: Post) -> bool:
    """True when ``post`` is visible to everyone: published and ``published_at`` reached."""
    return post.status == "published" and post.published_at is not None and post.published_at <= clock.now()


def get_announcement(post_id: int, viewer_id: int | None = None, *, all_drafts: bool = False) -> Post:
    """One announcement the viewer may read (same visibility as :func:`announcements_query`).

    :raises NotFound: no such announcement, or an unpublished one of someone else.
    """
    post = db.session.scalar(announcements_query(viewer_id, all_drafts=all_drafts).where(Post.id == post_id))
    if post is None:
        raise NotFound("Announcement not found")
    return post


def _clean_announcement(values: dict, *, partial: bool) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for field, limit in (("title", 200), ("content", MAX_ANNOUNCEMENT_CONTENT)):
        if field not in values and partial:
            continue
        value = values.get(field)
        if value is not None and not isinstance(value, str):
            errors[field] = [f"The {field} must be a string."]
        elif not (value or "").strip():
            errors[field] = [f"The {field} field is required."]
        elif len(value.strip()) > limit:
            errors[field] = [f"The {field} may not be greater than {limit} characters."]
        else:
            clean[field] = value.strip()
    if "is_published" in values:
        if not isinstance(values["is_published"], bool):
            errors["is_published"] = ["The is published field must be true or false."]
        else:
            clean["is_published"] = values["is_published"]
    if errors:
        raise ValidationFailed(errors)
    return clean


def _apply_published(post: Post, published: bool) -> None:
    if published:
        post.status = "published"
        if post.published_at is None or post.published_at > clock.now():
            post.published_at = clock.now()
    else:
        post.status = "draft"


def create_announcement(author, title: str, content: str, is_published: bool = True) -> Post:
    """Create an announcement by ``author``; published now unless ``is_published`` is False (a draft).

    :param title: required, at most 200 characters; :param content: required, at most
        :data:`MAX_ANNOUNCEMENT_CONTENT` characters; :param is_published: a bool.
    Audited as ``post.create`` by ``author``.
    :raises ValidationFailed: a bad field (keyed by field name).
    """
    clean = _clean_announcement({"title": title, "content": content, "is_published": is_published}, partial=False)
    post = Post(title=clean["title"], content=clean["content"], slug=unique_slug(clean["title"]),
                category="announcement", author_id=author.id, status="draft")
    _apply_published(post, clean.get("is_published", True))
    db.session.add(post)
    db.session.flush()
    _audit(author, "post.create", post, None, _state(post))
    return post


def update_announcement(post: Post, actor=None, **values) -> Post:
    """Change ``title``, ``content`` and/or ``is_published`` (the keys given); audited as
    ``post.update`` by ``actor``.

    Unpublishing makes it a draft again and keeps the first ``published_at`` (the
    slug stays stable); the slug follows the title only while never published.
    Who may change it (author, administrator) is the caller's check.
    :raises ValidationFailed: a bad field; nothing changes.
    """
    clean = _clean_announcement(values, partial=True)
    before = _state(post)
    if "title" in clean and clean["title"] != post.title and post.published_at is None:
        post.slug = unique_slug(clean["title"], exclude_id=post.id)
    for key in ("title", "content"):
        if key in clean:
            setattr(post, key, clean[key])
    if "is_published" in clean:
        _apply_published(post, clean["is_published"])
    db.session.flush()
    _audit(actor, "post.update", post, before, _state(post))
    return post


def delete_post(post: Post, *, actor=None) -> None:
    """Remove ``post`` for good (audited as ``post.delete`` with what it was, by ``actor``)."""
    _audit(actor, "post.delete", post, _state(post), None)
    db.session.delete(post)
    db.session.flush()
