"""Blog posts: list, create with a unique slug, edit, publish in place."""
from __future__ import annotations

from datetime import datetime, timezone

from app.extensions import db
from app.posts.models import Post

from tests.helpers import count, fetch, field_error, text_of


def _post_form(**values):
    data = {"title": "Libur Nasional", "category": "announcement", "excerpt": "Kantor tutup.",
            "content": "<p>Kantor tutup pada hari libur nasional.</p>", "status": "draft", "published_at": ""}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def _create(as_admin, **values):
    return as_admin.submit("/admin/posts/new", "/admin/posts/new", _post_form(**values))


def _by_title(app, title):
    with app.app_context():
        return list(db.session.scalars(db.select(Post).filter_by(title=title).order_by(Post.id)))


def test_create_drafts_with_unique_slugs(app, as_admin, admin):
    assert _create(as_admin).status_code == 303
    assert _create(as_admin, is_pinned="y").status_code == 303
    first, second = _by_title(app, "Libur Nasional")
    assert (first.slug, second.slug) == ("libur-nasional", "libur-nasional-2")
    assert (first.status, first.published_at, first.author_id) == ("draft", None, admin.id)
    assert (second.is_pinned, second.is_featured) == (True, False)
    text = text_of(as_admin.get("/admin/posts/").get_data(as_text=True))
    assert "libur-nasional-2" in text and "Draf" in text and "Pengumuman" in text


def test_publication_time_is_local(app, as_admin):
    _create(as_admin, status="published", published_at="2026-02-01T08:30")
    post = _by_title(app, "Libur Nasional")[0]
    assert post.published_at == datetime(2026, 2, 1, 1, 30, tzinfo=timezone.utc)
    page = as_admin.get(f"/admin/posts/{post.id}/edit").get_data(as_text=True)
    assert 'value="2026-02-01T08:30"' in page


def test_published_without_a_time_is_published_now(app, as_admin):
    _create(as_admin, status="published")
    assert _by_title(app, "Libur Nasional")[0].published_at is not None


def test_errors_next_to_the_field(app, as_admin):
    body = _create(as_admin, title="", content="", category="gosip").get_data(as_text=True)
    assert field_error(body, "title") == "Wajib diisi."
    assert field_error(body, "content") == "Wajib diisi."
    assert field_error(body, "category") == "Pilihan tidak valid."
    body = _create(as_admin, title="x" * 201, published_at="kemarin").get_data(as_text=True)
    assert field_error(body, "title") == "Maksimal 200 karakter."
    assert field_error(body, "published_at") == "Tanggal dan waktu tidak valid."
    assert count(app, Post) == 0


def test_edit_keeps_the_slug_of_a_published_post(app, as_admin):
    _create(as_admin, status="published")
    post = _by_title(app, "Libur Nasional")[0]
    url = f"/admin/posts/{post.id}/edit"
    response = as_admin.submit(url, url, _post_form(title="Libur Nasional 2026", status="published",
                                                    published_at="2026-02-01T08:30", is_featured="y"))
    assert response.status_code == 303
    saved = fetch(app, Post, post.id)
    assert (saved.title, saved.slug, saved.is_featured) == ("Libur Nasional 2026", "libur-nasional", True)


def test_edit_errors_change_nothing(app, as_admin):
    _create(as_admin)
    post = _by_title(app, "Libur Nasional")[0]
    url = f"/admin/posts/{post.id}/edit"
    body = as_admin.submit(url, url, _post_form(title="Baru", content="  ")).get_data(as_text=True)
    assert field_error(body, "content") == "Isi wajib diisi."
    assert fetch(app, Post, post.id).title == "Libur Nasional"


def test_publish_inline_swaps_the_row(app, as_admin):
    _create(as_admin)
    post = _by_title(app, "Libur Nasional")[0]
    response = as_admin.submit("/admin/posts/", f"/admin/posts/{post.id}/publish", htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith(f'<tr id="post-{post.id}"')
    assert "Terbit" in text_of(body) and f"/admin/posts/{post.id}/publish" not in body
    saved = fetch(app, Post, post.id)
    assert saved.status == "published" and saved.published_at is not None


def test_filter_search_and_pagination(as_admin, app, admin):
    with app.app_context():
        for i in range(22):
            db.session.add(Post(title=f"Berita {i:02d}", slug=f"berita-{i:02d}", content="x", category="news",
                                status="published" if i % 2 else "draft",
                                created_at=datetime(2026, 1, 1, i, tzinfo=timezone.utc)))
        db.session.commit()
    first = text_of(as_admin.get("/admin/posts/").get_data(as_text=True))
    assert "Menampilkan 1–20 dari 22" in first and "Berita 21" in first and "Berita 01" not in first
    drafts = text_of(as_admin.get("/admin/posts/?status=draft").get_data(as_text=True))
    assert "Menampilkan 1–11 dari 11" in drafts and "Berita 21" not in drafts
    found = as_admin.get("/admin/posts/?q=berita 0", htmx=True).get_data(as_text=True)
    assert "<html" not in found and "Menampilkan 1–10 dari 10" in text_of(found)


def test_empty_state(as_admin):
    assert "Belum ada pengumuman" in text_of(as_admin.get("/admin/posts/").get_data(as_text=True))
