"""Reading and writing posts (contract 001, "Blog/Berita")."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import update

from ..common.errors import NotFound
from ..common.types import utcnow
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
    stmt = db.select(Post).where(Post.status == "published", Post.published_at <= utcnow())
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
