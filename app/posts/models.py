"""Blog posts / announcements (contract 001, "Blog/Berita")."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

CATEGORIES = ("announcement", "news", "event", "info", "other")
STATUSES = ("draft", "published", "archived")


class Post(db.Model):
    """A news item or announcement.

    Visible to apps when ``status == 'published'`` and ``published_at`` is not
    in the future.  ``image``/``image_thumbnail`` are storage-relative paths
    (contract 001, "Image URL").  ``view_count`` grows by one per detail read.
    """

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("category IN (" + ", ".join(f"'{c}'" for c in CATEGORIES) + ")", name="category_known"),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_known"),
        Index("ix_posts_listing", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    excerpt: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str | None] = mapped_column(String(255))
    image_thumbnail: Mapped[str | None] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(20), default="news")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    is_featured: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    is_pinned: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    view_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    author = relationship("User")
