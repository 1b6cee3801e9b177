"""Response shapes of contract 001, field for field."""
from __future__ import annotations

from decimal import Decimal

from ...common import clock


def _t(value) -> str | None:
    return value.strftime("%H:%M:%S") if value is not None else None


def schedule(s, *, timestamps: bool = False) -> dict:
    """``jam-absensi`` object (contract 001, "Jam Kerja")."""
    data = {
        "id": s.id,
        "nama": s.name,
        "start_jam_masuk": _t(s.check_in_start),
        "end_jam_masuk": _t(s.check_in_end),
        "start_jam_pulang": _t(s.check_out_start),
        "end_jam_pulang": _t(s.check_out_end),
        "is_active": bool(s.is_active),
    }
    if timestamps:
        data["created_at"] = clock.iso_utc(s.created_at)
        data["updated_at"] = clock.iso_utc(s.updated_at)
    return data


def daily(d) -> dict:
    """``getabsen`` row: local date and ``HH:MM`` local times, remark in Indonesian."""
    if d.status == "rejected" and d.time_in is None:
        remark = "Ditolak"
    elif d.status == "pending_review":
        remark = "Menunggu verifikasi"
    elif d.status == "late":
        remark = f"Terlambat {d.late_minutes} menit"
    else:
        remark = "-"
    return {
        "tanggal": d.work_date.isoformat(),
        "jam_masuk": clock.to_local(d.time_in).strftime("%H:%M") if d.time_in else None,
        "jam_keluar": clock.to_local(d.time_out).strftime("%H:%M") if d.time_out else None,
        "ket_absensi": remark,
    }


def _coordinate(value) -> str | None:
    """Decimal degrees as a plain string with every stored digit (``-6.20881234``, never ``1e-05``)."""
    if value is None:
        return None
    text = format(Decimal(repr(float(value) + 0.0)), "f")  # + 0.0 turns -0.0 into 0.0
    return text.rstrip("0").rstrip(".") if "." in text else text


def office(o) -> dict:
    """``kantor`` object; coordinates as strings like the contract's example."""
    return {
        "kode_kantor": o.code,
        "nama_kantor": o.name,
        "latitude": _coordinate(o.latitude),
        "longitude": _coordinate(o.longitude),
        "radius": o.geofence_radius_m,
    }


def reset_request(r, *, full: bool = False) -> dict:
    """Device-reset request (``request`` and ``my-request`` shapes)."""
    data = {
        "id": r.id,
        "npp": r.user.npp,
        "old_device_id": r.old_device_id,
        "reason": r.reason,
        "status": r.status,
    }
    if full:
        data.update({
            "processed_by": r.processed_by.name if r.processed_by else None,
            "processed_at": clock.iso_utc(r.processed_at),
            "admin_notes": r.admin_notes,
        })
    data["created_at"] = clock.iso_utc(r.created_at)
    return data


def post_summary(p) -> dict:
    """``blogs/published`` item."""
    return {
        "id": p.id, "title": p.title, "slug": p.slug, "excerpt": p.excerpt,
        "image_thumbnail": p.image_thumbnail, "category": p.category,
        "is_featured": bool(p.is_featured), "is_pinned": bool(p.is_pinned),
        "published_at": clock.iso_utc(p.published_at), "view_count": p.view_count,
    }


def post_featured(p) -> dict:
    """``blogs/featured`` item."""
    return {
        "id": p.id, "title": p.title, "slug": p.slug, "excerpt": p.excerpt, "image": p.image,
        "image_thumbnail": p.image_thumbnail, "category": p.category, "published_at": clock.iso_utc(p.published_at),
    }


def post_detail(p) -> dict:
    """``blogs/{id}`` and ``blogs/slug/{slug}`` object."""
    return {
        "id": p.id, "title": p.title, "slug": p.slug, "excerpt": p.excerpt, "content": p.content,
        "image": p.image, "image_thumbnail": p.image_thumbnail, "category": p.category, "status": p.status,
        "is_featured": bool(p.is_featured), "is_pinned": bool(p.is_pinned),
        "author_name": p.author.name if p.author else None, "published_at": clock.iso_utc(p.published_at),
        "view_count": p.view_count, "created_at": clock.iso_utc(p.created_at),
    }


def notification(n, npp: str | None) -> dict:
    """``notifications`` item."""
    return {
        "id": n.id, "npp": npp, "type": n.type, "title": n.title, "body": n.body,
        "is_read": bool(n.is_read), "read_at": clock.iso_utc(n.read_at), "created_at": clock.iso_utc(n.created_at),
    }


def push_token(t, npp: str | None) -> dict:
    """``fcm/register`` object."""
    return {"id": t.id, "npp": npp, "fcm_token": t.token, "device_type": t.device_type,
            "device_id": t.device_id, "is_active": bool(t.is_active)}
