"""Announcements in the admin: the posts list filtered by category, "New announcement" defaults the category."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.posts.models import Post

from tests.helpers import text_of


@pytest.fixture
def en_admin(as_admin):
    """The administrator's browser with the UI in English."""
    as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": "/admin/posts/"})
    return as_admin


def _post(app, title, category, status="draft"):
    with app.app_context():
        post = Post(title=title, slug=re.sub(r"\W+", "-", title.lower()), category=category, status=status,
                    content="Isi")
        db.session.add(post)
        db.session.commit()
        return post.id


def _titles(body):
    return re.findall(r'<a href="/admin/posts/\d+/edit[^"]*"><strong>([^<]+)</strong></a>', body)


def test_category_filter_and_the_announcements_page(app, en_admin):
    _post(app, "Libur semester", "announcement", "published")
    _post(app, "Upacara bendera", "announcement")
    _post(app, "Juara lomba", "news", "published")
    everything = en_admin.get("/admin/posts/").get_data(as_text=True)
    assert sorted(_titles(everything)) == ["Juara lomba", "Libur semester", "Upacara bendera"]
    assert '<select id="post-category" name="category">' in everything

    page = en_admin.get("/admin/posts/?category=announcement").get_data(as_text=True)
    assert sorted(_titles(page)) == ["Libur semester", "Upacara bendera"]
    assert re.search(r"<h1>\s*Announcements\s*</h1>", page)
    assert 'href="/admin/posts/new?category=announcement"' in page and "New announcement" in page
    assert '<option value="announcement" selected>' in page

    assert _titles(en_admin.get("/admin/posts/?category=news").get_data(as_text=True)) == ["Juara lomba"]
    combined = en_admin.get("/admin/posts/?category=announcement&status=published").get_data(as_text=True)
    assert _titles(combined) == ["Libur semester"]
    unknown = en_admin.get("/admin/posts/?category=bogus").get_data(as_text=True)
    assert len(_titles(unknown)) == 3                                # an unknown category is ignored

    alias = en_admin.get("/admin/posts/announcements").get_data(as_text=True)
    assert sorted(_titles(alias)) == ["Libur semester", "Upacara bendera"]


def test_filter_by_htmx_returns_the_list_and_keeps_the_category_in_page_links(app, en_admin):
    for i in range(22):
        _post(app, f"Pengumuman {i:02d}", "announcement")
    _post(app, "Berita", "news")
    response = en_admin.get("/admin/posts/?category=announcement", htmx=True)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="post-list"') and len(_titles(body)) == 20
    assert 'href="/admin/posts/?category=announcement&amp;page=2"' in body


def test_new_announcement_defaults_the_category_and_returns_to_the_announcements(app, en_admin):
    form_page = en_admin.get("/admin/posts/new?category=announcement").get_data(as_text=True)
    assert re.search(r"<h1>\s*New announcement\s*</h1>", form_page)
    assert '<option selected value="announcement">' in form_page or \
        '<option value="announcement" selected>' in form_page
    assert 'action="/admin/posts/new?category=announcement"' in form_page
    response = en_admin.submit("/admin/posts/new?category=announcement", "/admin/posts/new?category=announcement",
                               {"title": "Rapat orang tua", "category": "announcement", "content": "Sabtu pukul 09.00",
                                "status": "published", "published_at": ""})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/posts/?category=announcement")
    with app.app_context():
        post = db.session.scalar(db.select(Post).filter_by(title="Rapat orang tua"))
        assert (post.category, post.status) == ("announcement", "published")
    listing = en_admin.get("/admin/posts/?category=announcement").get_data(as_text=True)
    assert _titles(listing) == ["Rapat orang tua"]
    assert f'href="/admin/posts/{post.id}/edit?category=announcement"' in listing

    plain = en_admin.get("/admin/posts/new").get_data(as_text=True)
    assert re.search(r"<h1>\s*New post\s*</h1>", plain)


def test_empty_announcements_page_offers_the_first_announcement(en_admin):
    text = text_of(en_admin.get("/admin/posts/?category=announcement").get_data(as_text=True))
    assert "No announcements yet" in text


def test_petugas_gets_403(as_petugas):
    assert as_petugas.get("/admin/posts/?category=announcement").status_code == 403
    assert as_petugas.get("/admin/posts/announcements").status_code == 403
