"""Admin form of a blog post / announcement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField

from ..admin.forms import AdminForm, max_length, optional, required

CATEGORY_CHOICES = [
    ("announcement", _l("Announcement")),
    ("news", _l("News")),
    ("event", _l("Event")),
    ("info", _l("Information")),
    ("other", _l("Other")),
]
STATUS_CHOICES = [("draft", _l("Draft")), ("published", _l("Published")), ("archived", _l("Archived"))]


class PostForm(AdminForm):
    """Title, category, excerpt, content, status, featured/pinned and the publication time (local)."""

    title = StringField(_l("Title"), validators=[required(), max_length(200)])
    category = SelectField(_l("Category"), choices=CATEGORY_CHOICES, validators=[required()])
    excerpt = TextAreaField(_l("Excerpt"), validators=[optional(), max_length(1000)],
                            description=_l("One or two sentences shown in the app's list."))
    content = TextAreaField(_l("Content"), validators=[required()],
                            description=_l("Plain text or HTML; the apps show it as written."))
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[required()])
    is_featured = BooleanField(_l("Featured (shown in the app's highlights)"))
    is_pinned = BooleanField(_l("Pinned (always on top of the list)"))
    published_at = DateTimeLocalField(_l("Publication time"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                      validators=[optional()],
                                      description=_l("Local time. Empty: now, when published. "
                                                     "A future time schedules the post."))

    def values(self, zone) -> dict:
        """The keyword arguments of :func:`~app.posts.services.create_post`; the local
        publication time is made aware in ``zone``."""
        published_at = self.published_at.data
        if published_at is not None:
            published_at = published_at.replace(tzinfo=zone)
        return dict(title=self.title.data, category=self.category.data, excerpt=self.excerpt.data,
                    content=self.content.data, status=self.status.data,
                    is_featured=bool(self.is_featured.data), is_pinned=bool(self.is_pinned.data),
                    published_at=published_at)
