"""Contract 001, "Blog/Berita": published, featured, detail by id, detail by slug.

Only published posts whose ``published_at`` has come are visible; a detail
read counts one view.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.posts.models import Post

from .conftest import ISO_RE, now_utc, validation_fields

SUMMARY = {"id", "title", "slug", "excerpt", "image_thumbnail", "category", "is_featured", "is_pinned",
           "published_at", "view_count"}
FEATURED = {"id", "title", "slug", "excerpt", "image", "image_thumbnail", "category", "published_at"}
DETAIL = {"id", "title", "slug", "excerpt", "content", "image", "image_thumbnail", "category", "status",
          "is_featured", "is_pinned", "author_name", "published_at", "view_count", "created_at"}
NOT_FOUND = {"rcode": "81", "message": "Blog not found"}


@pytest.fixture
def headers(factory, auth):
    return auth(factory.user(npp="10001"))


@pytest.fixture
def hidden(factory):
    """A draft, an archived post and one scheduled for tomorrow: none may be seen."""
    return [
        factory.post("Draft", "draft-post", status="draft", is_featured=True),
        factory.post("Arsip", "archived-post", status="archived", published_at=now_utc() - timedelta(days=3),
                     is_featured=True),
        factory.post("Besok", "future-post", published_at=now_utc() + timedelta(days=1), is_featured=True),
    ]


def ids(response):
    assert response.status_code == 200, response.json
    assert (response.json["rcode"], response.json["message"]) == ("00", "Success")
    return [item["id"] for item in response.json["data"]]


# --- published ---------------------------------------------------------------------------------

def test_published_item_has_every_documented_field(client, factory, headers):
    published_at = now_utc().replace(microsecond=123456) - timedelta(hours=2)
    post = factory.post("Pengumuman Libur Tahun Baru", "pengumuman-libur-tahun-baru", category="announcement",
                        is_featured=True, is_pinned=True, published_at=published_at, view_count=150,
                        image_thumbnail="blogs/thumbnail-1.jpg")
    r = client.get("/api/blogs/published", headers=headers)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": [{
        "id": post.id, "title": "Pengumuman Libur Tahun Baru", "slug": "pengumuman-libur-tahun-baru",
        "excerpt": "Diberitahukan kepada seluruh karyawan...", "image_thumbnail": "blogs/thumbnail-1.jpg",
        "category": "announcement", "is_featured": True, "is_pinned": True,
        "published_at": published_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "view_count": 150}]}
    assert ISO_RE.match(r.json["data"][0]["published_at"])


def test_published_hides_drafts_archived_and_future_posts(client, factory, headers, hidden):
    visible = factory.post("Terbit", "terbit")
    assert ids(client.get("/api/blogs/published", headers=headers)) == [visible.id]


def test_published_pinned_first_then_newest(client, factory, headers):
    old = factory.post("Lama", published_at=now_utc() - timedelta(days=10))
    new = factory.post("Baru", published_at=now_utc() - timedelta(hours=1))
    pinned = factory.post("Disematkan", published_at=now_utc() - timedelta(days=30), is_pinned=True)
    assert ids(client.get("/api/blogs/published", headers=headers)) == [pinned.id, new.id, old.id]


def test_published_honours_category(client, factory, headers):
    news = factory.post("Berita", category="news")
    factory.post("Pengumuman", category="announcement")
    event = factory.post("Acara", category="event")
    r = client.get("/api/blogs/published?category=news", headers=headers)
    assert ids(r) == [news.id]
    assert {item["category"] for item in r.json["data"]} == {"news"}
    assert ids(client.get("/api/blogs/published?category=event", headers=headers)) == [event.id]
    assert ids(client.get("/api/blogs/published?category=other", headers=headers)) == []


def test_published_limit_defaults_to_ten(client, factory, headers):
    for i in range(12):
        factory.post(f"Post {i}", published_at=now_utc() - timedelta(hours=i + 1))
    assert len(ids(client.get("/api/blogs/published", headers=headers))) == 10
    assert len(ids(client.get("/api/blogs/published?limit=3", headers=headers))) == 3
    assert len(ids(client.get("/api/blogs/published?limit=50", headers=headers))) == 12


def test_published_category_and_limit_together(client, factory, headers):
    posts = [factory.post(f"A{i}", category="announcement", published_at=now_utc() - timedelta(hours=i + 1))
             for i in range(4)]
    factory.post("N", category="news")
    r = client.get("/api/blogs/published?category=announcement&limit=2", headers=headers)
    assert ids(r) == [posts[0].id, posts[1].id]


@pytest.mark.parametrize("query, field", [
    ("category=sports", "category"),
    ("category=NEWS", "category"),
    ("limit=abc", "limit"),
    ("limit=0", "limit"),
    ("limit=-1", "limit"),
    ("limit=51", "limit"),
    ("limit=1.5", "limit"),
])
def test_published_rejects_bad_category_or_limit(client, factory, headers, query, field):
    factory.post()
    r = client.get(f"/api/blogs/published?{query}", headers=headers)
    assert validation_fields(r) == {field}


# --- featured ----------------------------------------------------------------------------------

def test_featured_item_has_every_documented_field(client, factory, headers, hidden):
    published_at = now_utc().replace(microsecond=0) - timedelta(days=2)
    post = factory.post("Update Aplikasi Absensi v2.0", "update-aplikasi-absensi-v2", category="news",
                        is_featured=True, published_at=published_at, image="blogs/banner-1.jpg",
                        excerpt="Versi terbaru sudah tersedia...")
    factory.post("Bukan unggulan", is_featured=False)
    r = client.get("/api/blogs/featured", headers=headers)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": [{
        "id": post.id, "title": "Update Aplikasi Absensi v2.0", "slug": "update-aplikasi-absensi-v2",
        "excerpt": "Versi terbaru sudah tersedia...", "image": "blogs/banner-1.jpg",
        "image_thumbnail": "blogs/thumbnail-1.jpg", "category": "news",
        "published_at": published_at.strftime("%Y-%m-%dT%H:%M:%S.000000Z")}]}


def test_featured_limit_defaults_to_five(client, factory, headers):
    for i in range(7):
        factory.post(f"F{i}", is_featured=True, published_at=now_utc() - timedelta(hours=i + 1))
    assert len(ids(client.get("/api/blogs/featured", headers=headers))) == 5
    assert len(ids(client.get("/api/blogs/featured?limit=2", headers=headers))) == 2
    assert len(ids(client.get("/api/blogs/featured?limit=10", headers=headers))) == 7


@pytest.mark.parametrize("limit", ["abc", "0", "51", "-3"])
def test_featured_rejects_a_bad_limit(client, factory, headers, limit):
    factory.post(is_featured=True)
    r = client.get(f"/api/blogs/featured?limit={limit}", headers=headers)
    assert validation_fields(r) == {"limit"}


# --- detail ----------------------------------------------------------------------------------------

def test_detail_has_every_documented_field_and_counts_the_view(client, factory, headers, fetch):
    author = factory.user(npp="90001", role="admin", name="Admin HRD")
    published_at = now_utc().replace(microsecond=0) - timedelta(days=1)
    post = factory.post("Pengumuman Libur Tahun Baru", "pengumuman-libur-tahun-baru", category="announcement",
                        is_featured=True, is_pinned=True, author=author, published_at=published_at, view_count=150)
    r = client.get(f"/api/blogs/{post.id}", headers=headers)
    assert r.status_code == 200
    data = r.json["data"]
    assert (r.json["rcode"], r.json["message"]) == ("00", "Success")
    assert set(data) == DETAIL
    assert ISO_RE.match(data.pop("created_at"))
    assert data == {
        "id": post.id, "title": "Pengumuman Libur Tahun Baru", "slug": "pengumuman-libur-tahun-baru",
        "excerpt": "Diberitahukan kepada seluruh karyawan...",
        "content": "<p>Dengan hormat, diberitahukan kepada seluruh karyawan...</p>",
        "image": "blogs/image-1.jpg", "image_thumbnail": "blogs/thumbnail-1.jpg", "category": "announcement",
        "status": "published", "is_featured": True, "is_pinned": True, "author_name": "Admin HRD",
        "published_at": published_at.strftime("%Y-%m-%dT%H:%M:%S.000000Z"), "view_count": 151}
    assert fetch(Post)[0].view_count == 151


def test_each_read_counts_one_view(client, factory, headers, fetch):
    post = factory.post(slug="dibaca")
    counts = [client.get(f"/api/blogs/{post.id}", headers=headers).json["data"]["view_count"] for _ in range(3)]
    assert counts == [1, 2, 3]
    assert client.get("/api/blogs/slug/dibaca", headers=headers).json["data"]["view_count"] == 4
    assert fetch(Post)[0].view_count == 4
    # Listing does not count views.
    client.get("/api/blogs/published", headers=headers)
    client.get("/api/blogs/featured", headers=headers)
    assert fetch(Post)[0].view_count == 4


def test_detail_of_a_post_without_author(client, factory, headers):
    post = factory.post()
    assert client.get(f"/api/blogs/{post.id}", headers=headers).json["data"]["author_name"] is None


def test_by_slug_returns_the_same_object(client, factory, headers):
    post = factory.post("Pengumuman Libur Tahun Baru", "pengumuman-libur-tahun-baru")
    factory.post("Lain", "lain")
    by_id = client.get(f"/api/blogs/{post.id}", headers=headers).json["data"]
    r = client.get("/api/blogs/slug/pengumuman-libur-tahun-baru", headers=headers)
    assert r.status_code == 200
    by_slug = r.json["data"]
    assert by_slug == {**by_id, "view_count": by_id["view_count"] + 1}


@pytest.mark.parametrize("which", [0, 1, 2], ids=["draft", "archived", "future"])
def test_hidden_posts_are_not_found_and_not_counted(client, headers, hidden, fetch, which):
    post = hidden[which]
    for path in (f"/api/blogs/{post.id}", f"/api/blogs/slug/{post.slug}"):
        r = client.get(path, headers=headers)
        assert r.status_code == 404
        assert r.json == NOT_FOUND
    assert {p.id: p.view_count for p in fetch(Post)}[post.id] == 0
    assert post.id not in ids(client.get("/api/blogs/featured", headers=headers))


def test_unknown_post_is_not_found(client, factory, headers):
    post = factory.post(slug="ada")
    assert client.get(f"/api/blogs/{post.id + 100}", headers=headers).json == NOT_FOUND
    r = client.get("/api/blogs/slug/tidak-ada", headers=headers)
    assert r.status_code == 404
    assert r.json == NOT_FOUND
