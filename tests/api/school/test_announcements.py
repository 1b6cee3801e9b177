"""Contract 002, section 7: announcements (posts of category ``announcement``)."""
import re
from datetime import timedelta

import pytest

from app.common import clock
from app.extensions import db
from app.posts.models import Post
from tests.helpers import count

from .tokens import bearer, school_user

KEYS = ["id", "title", "content", "author_id", "is_published", "published_at", "created_at", "updated_at"]
CREATED_KEYS = ["title", "content", "author_id", "is_published", "published_at", "updated_at", "created_at", "id"]
ISO_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"


@pytest.fixture
def people(factory):
    return {
        "siswa": school_user(factory, "siswa", "1001"),
        "guru": school_user(factory, "guru", "2001"),
        "guru2": school_user(factory, "guru", "2002"),
        "pegawai": school_user(factory, "pegawai", "3001"),
        "kepsek": school_user(factory, "kepsek", "4001"),
        "admin": school_user(factory, "admin", "5001"),
    }


@pytest.fixture
def auth(app, people):
    return {key: bearer(app, user) for key, user in people.items()}


def _post(app, author, title="Jadwal UTS", status="published", category="announcement", published_at="now"):
    with app.app_context():
        when = clock.now() - timedelta(minutes=1) if published_at == "now" else published_at
        post = Post(title=title, slug=re.sub(r"\W+", "-", title.lower()) + f"-{author.id}-{status}-{category}",
                    content="Isi " + title, category=category, status=status, author_id=author.id,
                    published_at=when if status == "published" or published_at != "now" else None)
        db.session.add(post)
        db.session.commit()
        return post.id


def _row(app, post_id):
    with app.app_context():
        row = db.session.get(Post, post_id)
        if row is not None:
            db.session.expunge(row)
        return row


def test_every_announcement_endpoint_needs_a_token(app, client, people):
    post_id = _post(app, people["admin"])
    for method, path in (("get", "/api/announcements"), ("post", "/api/announcements"),
                         ("get", f"/api/announcements/{post_id}"), ("put", f"/api/announcements/{post_id}"),
                         ("delete", f"/api/announcements/{post_id}")):
        response = getattr(client, method)(path, json={"title": "x", "content": "y"})
        assert response.status_code == 401, (method, path)
        assert response.json == {"success": False, "message": "Token tidak valid"}
    assert count(app, Post) == 1


# --- create -------------------------------------------------------------------

@pytest.mark.parametrize("role", ["guru", "kepsek", "admin"])
def test_staff_create_published_announcements(app, client, people, auth, role):
    response = client.post("/api/announcements", headers=auth[role],
                           json={"title": " Pengumuman Tes ", "content": "Ini adalah pengumuman tes"})
    assert response.status_code == 201, response.json
    assert response.json["message"] == "Pengumuman berhasil dibuat"
    data = response.json["data"]
    assert list(data) == CREATED_KEYS
    assert data["title"] == "Pengumuman Tes" and data["author_id"] == people[role].id
    assert data["is_published"] is True and re.match(ISO_RE, data["published_at"])
    row = _row(app, data["id"])
    assert row.category == "announcement" and row.status == "published" and row.slug == "pengumuman-tes"
    # everybody sees it
    listed = client.get("/api/announcements", headers=auth["siswa"]).json["data"]["data"]
    assert [item["id"] for item in listed] == [data["id"]]


def test_a_draft_and_a_second_slug(app, client, people, auth):
    first = client.post("/api/announcements", headers=auth["guru"], json={"title": "Rapat", "content": "a"})
    draft = client.post("/api/announcements", headers=auth["guru"],
                        json={"title": "Rapat", "content": "b", "is_published": False})
    assert draft.status_code == 201
    assert draft.json["data"]["is_published"] is False and draft.json["data"]["published_at"] is None
    assert _row(app, draft.json["data"]["id"]).status == "draft"
    assert _row(app, draft.json["data"]["id"]).slug == "rapat-2" and _row(app, first.json["data"]["id"]).slug == "rapat"


@pytest.mark.parametrize("role", ["siswa", "pegawai"])
def test_students_and_employees_cannot_create(app, client, auth, role):
    response = client.post("/api/announcements", headers=auth[role], json={"title": "Libur", "content": "Besok"})
    assert response.status_code == 403 and response.json == {"success": False, "message": "Akses ditolak"}
    assert count(app, Post) == 0


@pytest.mark.parametrize("payload, fields", [
    ({}, {"title", "content"}),
    ({"title": "  ", "content": "x"}, {"title"}),
    ({"title": "x" * 201, "content": "x"}, {"title"}),
    ({"title": 5, "content": "x"}, {"title"}),
    ({"title": "x", "content": "x" * 50_001}, {"content"}),
    ({"title": "x", "content": "x", "is_published": "yes"}, {"is_published"}),
    ({"content": "x", "is_published": None}, {"title", "is_published"}),
])
def test_create_refuses_bad_fields(app, client, auth, payload, fields):
    response = client.post("/api/announcements", headers=auth["admin"], json=payload)
    assert response.status_code == 422 and response.json["message"] == "Validasi gagal"
    assert set(response.json["errors"]) == fields
    assert count(app, Post) == 0


# --- list and detail ----------------------------------------------------------

def test_list_shows_published_announcements_and_ones_own_drafts(app, client, people, auth):
    public = _post(app, people["kepsek"], "Upacara")
    guru_draft = _post(app, people["guru"], "Draf guru", status="draft")
    kepsek_draft = _post(app, people["kepsek"], "Draf kepsek", status="draft")
    _post(app, people["admin"], "Berita", category="news")
    _post(app, people["admin"], "Nanti", published_at=clock.now() + timedelta(days=1))

    def ids(who):
        response = client.get("/api/announcements", headers=auth[who])
        assert response.status_code == 200 and response.json["message"] == "Data pengumuman berhasil diambil"
        page = response.json["data"]
        assert page["path"] == "http://localhost/api/announcements" and page["per_page"] == 15
        return sorted(item["id"] for item in page["data"])

    assert ids("siswa") == [public]
    assert ids("guru") == sorted([public, guru_draft])
    assert ids("guru2") == [public]
    assert ids("kepsek") == sorted([public, kepsek_draft])
    assert len(ids("admin")) == 4  # every announcement, the news post stays out


def test_list_is_paginated_newest_first(app, client, people, auth):
    ids = [_post(app, people["admin"], f"Pengumuman {n}") for n in range(3)]
    page = client.get("/api/announcements?per_page=2&page=2", headers=auth["siswa"]).json["data"]
    assert [item["id"] for item in page["data"]] == [ids[0]]
    assert page["total"] == 3 and page["last_page"] == 2 and page["from"] == 3
    assert client.get("/api/announcements?per_page=101", headers=auth["siswa"]).status_code == 422


def test_detail_of_published_for_all_and_of_a_draft_for_author_and_admin(app, client, people, auth):
    public = _post(app, people["guru"], "Upacara")
    draft = _post(app, people["guru"], "Draf", status="draft")
    news = _post(app, people["guru"], "Berita", category="news")
    response = client.get(f"/api/announcements/{public}", headers=auth["siswa"])
    assert response.status_code == 200
    data = response.json["data"]
    assert list(data) == KEYS and data["is_published"] is True and data["author_id"] == people["guru"].id
    assert data["content"] == "Isi Upacara"
    for who in ("guru", "admin"):
        assert client.get(f"/api/announcements/{draft}", headers=auth[who]).status_code == 200
    for who in ("siswa", "guru2", "kepsek"):
        response = client.get(f"/api/announcements/{draft}", headers=auth[who])
        assert response.status_code == 404 and response.json["success"] is False
    assert client.get(f"/api/announcements/{news}", headers=auth["admin"]).status_code == 404


# --- update and delete ------------------------------------------------------------

def test_the_author_updates_and_unpublishes(app, client, people, auth):
    post_id = _post(app, people["guru"], "Rapat")
    response = client.put(f"/api/announcements/{post_id}", headers=auth["guru"],
                          json={"title": "Rapat - Updated", "is_published": False})
    assert response.status_code == 200 and response.json["message"] == "Pengumuman berhasil diperbarui"
    data = response.json["data"]
    assert list(data) == KEYS and data["title"] == "Rapat - Updated" and data["content"] == "Isi Rapat"
    assert data["is_published"] is False and data["published_at"] is None
    assert _row(app, post_id).status == "draft"
    assert client.get(f"/api/announcements/{post_id}", headers=auth["siswa"]).status_code == 404
    again = client.put(f"/api/announcements/{post_id}", headers=auth["admin"], json={"is_published": True})
    assert again.status_code == 200 and again.json["data"]["is_published"] is True
    assert client.get(f"/api/announcements/{post_id}", headers=auth["siswa"]).status_code == 200


def test_only_author_or_admin_change_or_delete(app, client, people, auth):
    post_id = _post(app, people["guru"], "Rapat")
    for who in ("guru2", "kepsek", "siswa"):
        assert client.put(f"/api/announcements/{post_id}", headers=auth[who], json={"title": "X"}).status_code == 403
        assert client.delete(f"/api/announcements/{post_id}", headers=auth[who]).status_code == 403
    assert _row(app, post_id).title == "Rapat"
    bad = client.put(f"/api/announcements/{post_id}", headers=auth["guru"], json={"title": "", "content": 3})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"title", "content"}
    assert _row(app, post_id).title == "Rapat"
    draft = _post(app, people["guru"], "Draf", status="draft")
    assert client.delete(f"/api/announcements/{draft}", headers=auth["guru2"]).status_code == 404
    response = client.delete(f"/api/announcements/{post_id}", headers=auth["admin"])
    assert response.status_code == 200
    assert response.json == {"success": True, "message": "Pengumuman berhasil dihapus"}
    assert _row(app, post_id) is None
    assert client.delete(f"/api/announcements/{draft}", headers=auth["guru"]).status_code == 200
    assert count(app, Post) == 0
    assert client.delete(f"/api/announcements/{draft}", headers=auth["admin"]).status_code == 404
