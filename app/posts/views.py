"""Admin pages of blog posts / announcements: list, create, edit, publish (admins only).

Announcements are posts of category ``announcement`` (what the school API
serves as announcements).  The list filtered by that category
(``posts.index?category=announcement``, also at ``posts.announcements``,
``/admin/posts/announcements``) is "the announcements page": its title is
"Announcements" and its "New announcement" button opens the form with that
category chosen; the form and the edit links carry ``category`` so saving
returns to the same filtered list.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.access import admin_required
from ..admin.rendering import render, wants_fragment
from ..common import clock
from ..common.errors import NotFound
from ..extensions import db
from . import services as posts
from .forms import CATEGORY_CHOICES, PostForm, STATUS_CHOICES
from .models import CATEGORIES, STATUSES, Post

bp = Blueprint("posts", __name__, url_prefix="/admin/posts")

#: Posts per page.
PER_PAGE = 20


def _load(post_id: int):
    try:
        return posts.get_post(post_id)
    except NotFound:
        abort(404)


def _category_arg() -> str:
    """The ``category`` query argument when it is a known category, else ``""``."""
    category = request.args.get("category") or ""
    return category if category in CATEGORIES else ""


def _list_url(category: str) -> str:
    return url_for("posts.index", category=category) if category else url_for("posts.index")


def _listing(category: str):
    status = request.args.get("status") or ""
    if status not in STATUSES:
        status = ""
    search = (request.args.get("q") or "").strip()[:100]
    stmt = posts.posts_query(status=status or None, search=search)
    if category:
        stmt = stmt.where(Post.category == category)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int) or 1, per_page=PER_PAGE, error_out=False)
    filters = {k: v for k, v in (("category", category), ("status", status), ("q", search)) if v}
    return render("posts/index.html", "posts/_partials/list.html", page=page, status=status, search=search,
                  category=category, categories=CATEGORY_CHOICES, statuses=STATUS_CHOICES, filters=filters,
                  now=clock.now())


@bp.get("/")
@admin_required
def index():
    """Every post (any status), newest first, with category and status filters and a title search.

    ``?category=announcement`` is the announcements page (title "Announcements").
    """
    return _listing(_category_arg())


@bp.get("/announcements")
@admin_required
def announcements():
    """The announcements page: the list of posts of category ``announcement`` (a link without arguments)."""
    return _listing("announcement")


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Write a post; its slug is made unique from the title."""
    category = _category_arg()
    form = PostForm()
    if request.method == "GET":
        form.category.data = category or "news"
        form.status.data = "draft"
    if form.validate_on_submit():
        ok, post = form.call(lambda: posts.create_post(current_user._get_current_object(), **form.values(clock.local_zone())))
        if ok:
            flash(_("Post “%(title)s” was saved.", title=post.title), "success")
            return redirect(_list_url(category), code=303)
    return render_template("posts/form.html", form=form, post=None, category=category)


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(post_id: int):
    """Edit a post (the slug stays once it has been published)."""
    post = _load(post_id)
    category = _category_arg()
    form = PostForm(obj=post)
    if request.method == "GET" and post.published_at is not None:
        form.published_at.data = clock.to_local(post.published_at).replace(tzinfo=None, second=0, microsecond=0)
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: posts.update_post(post, current_user._get_current_object(), **form.values(clock.local_zone())))
        if ok:
            flash(_("Post “%(title)s” was saved.", title=post.title), "success")
            return redirect(_list_url(category), code=303)
    return render_template("posts/form.html", form=form, post=post, category=category)


@bp.post("/<int:post_id>/publish")
@admin_required
def publish(post_id: int):
    """Publish now (inline: the row is swapped in place)."""
    post = _load(post_id)
    posts.publish_post(post, actor=current_user)
    if wants_fragment():
        return render_template("posts/_partials/row.html", post=post, now=clock.now())
    flash(_("Post “%(title)s” was published.", title=post.title), "success")
    return redirect(url_for("posts.index"), code=303)
