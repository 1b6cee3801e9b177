"""Response shapes of contract 003 (sections "Database Schema" and each endpoint).

Ids are strings (the contract's ``id: string``; Hadir's numeric ids printed as
text).  Times print as the contract's examples, ``2025-12-12T10:00:00Z`` (UTC,
whole seconds).  ``role`` is the person's Hadir role key: ``admin`` for
administrators (what the client tests), otherwise the ordinary key
(``mahasiswa`` for people who registered through this API, ``pegawai``,
``guru`` ... for people created elsewhere).
"""
from __future__ import annotations

from datetime import datetime, timezone


def iso(moment: datetime | None) -> str | None:
    """``2025-12-12T10:00:00Z`` (UTC, seconds), or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_brief(user) -> dict:
    """``{id, email, name, role}`` (login, register)."""
    return {"id": str(user.id), "email": user.email, "name": user.name, "role": user.role}


def user_profile(user) -> dict:
    """``{id, email, name, role, created_at, updated_at}`` (GET /api/profile)."""
    return {**user_brief(user), "created_at": iso(user.created_at), "updated_at": iso(user.updated_at)}


def user_updated(user) -> dict:
    """``{id, email, name, role, updated_at}`` (PUT /api/profile)."""
    return {**user_brief(user), "updated_at": iso(user.updated_at)}


def user_with_count(user, attendance_count: int) -> dict:
    """``{id, email, name, role, attendance_count, created_at}`` (GET /api/users)."""
    return {**user_brief(user), "attendance_count": int(attendance_count), "created_at": iso(user.created_at)}


def attendance_status(event) -> str:
    """``success`` (also while waiting for review), or ``failed`` for a check-in an admin rejected."""
    return "failed" if event.review_state == "rejected" else "success"


def attendance_created(event) -> dict:
    """``{id, userId, timestamp, status}`` (POST /api/attendance)."""
    return {"id": str(event.id), "userId": str(event.user_id), "timestamp": iso(event.occurred_at),
            "status": attendance_status(event)}


def attendance_record(event) -> dict:
    """``{id, userId, timestamp, status, created_at}`` (GET /api/attendance).

    ``created_at`` is when the server recorded the event, which is also its
    ``timestamp`` (the server's clock decides when a check-in happened).
    """
    return {**attendance_created(event), "created_at": iso(event.occurred_at)}


def failed_id(failure) -> str:
    """The id of a failed attempt as the client sees it: ``failed-<n>``, never equal to a check-in's id."""
    return f"failed-{failure.id}"


def failed_created(failure) -> dict:
    """``{id, userId, timestamp, status: "failed"}`` of a failed attempt (POST /api/attendance)."""
    return {"id": failed_id(failure), "userId": str(failure.user_id), "timestamp": iso(failure.occurred_at),
            "status": "failed"}


def failed_record(failure) -> dict:
    """``{id, userId, timestamp, status: "failed", created_at}`` of a failed attempt (GET /api/attendance)."""
    return {**failed_created(failure), "created_at": iso(failure.occurred_at)}
