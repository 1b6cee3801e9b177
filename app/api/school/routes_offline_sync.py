"""Contract 002 section 10: offline sync (logs, batch processing, retry).

The rules live in :mod:`app.attendance.offline`: each item on its own
savepoint, replays recognised by ``user:type:timestamp``, every offline event
pending review (a phone's clock is not trusted).  Admins and the principal
(kepsek) see every log; others only their own.  Only admins send items of
other people and retry logs of other people.
"""
from __future__ import annotations

from flask import g, request

from ...accounts.roles import SCHOOL_LEAD_ROLES
from ...attendance import offline
from ...attendance.models import OfflineSyncLog
from ...common import clock
from ...common.errors import DomainError, NotFound, ValidationFailed
from . import envelope, serializers
from .auth import token_required
from .blueprint import bp
from ..laravel import paginate
from .routes_attendance import STAFF_ROLES, _record_json
from .validation import body, parse_int

#: Roles that see every log.
SEES_ALL = SCHOOL_LEAD_ROLES
#: Roles that retry logs of other people.
RETRIES_FOR_OTHERS = ("admin",)
STATUSES = ("pending", "success", "failed")


def _local_text(moment) -> str | None:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else None


def _log_json(log: OfflineSyncLog) -> dict:
    return {
        "id": log.id,
        "user_id": log.user_id,
        "action_type": log.action_type,
        "data": log.data,
        "synced_at": _local_text(log.synced_at),
        "status": log.status,
        "error_message": log.error_message,
        "event_id": log.event_id,
        "created_at": clock.iso_utc(log.created_at),
        "updated_at": clock.iso_utc(log.updated_at),
        "user": serializers.user(log.user) if log.user is not None else None,
    }


def _outcome_record(outcome, qr_token_used: str) -> dict:
    record = _record_json(outcome.event, outcome.daily, outcome.event.photo_path)
    record["qr_token_used"] = qr_token_used
    record["timestamp"] = _local_text(outcome.event.client_time)  # the phone's time, as the item sent it
    record["created_at"] = clock.iso_utc(outcome.event.occurred_at)
    record["replayed"] = outcome.replayed
    record["offline_sync_log_id"] = outcome.log.id if outcome.log is not None else None
    return record


def _visible_log(log_id: int) -> OfflineSyncLog | None:
    """The log ``log_id`` when the caller may see it (their own; anyone's for :data:`SEES_ALL`), else None."""
    try:
        return offline.visible_log(log_id, g.user, sees_all=g.user.role in SEES_ALL)
    except NotFound:
        return None


@bp.get("/offline-sync")
@token_required()
def offline_sync_index():
    """Logs, newest first; filters ``user_id`` (admin/kepsek), ``status``, ``action_type``; paginated."""
    errors: dict[str, list[str]] = {}
    filters: dict = {}
    raw_user = request.args.get("user_id")
    if g.user.role in SEES_ALL:
        if raw_user not in (None, ""):
            user_id = parse_int(raw_user)
            if user_id is None:
                errors["user_id"] = ["The user id must be an integer."]
            else:
                filters["user_id"] = user_id
    else:
        filters["user_id"] = g.user.id
    status = request.args.get("status")
    if status not in (None, ""):
        if status not in STATUSES:
            errors["status"] = ["The selected status is invalid."]
        else:
            filters["status"] = status
    action = request.args.get("action_type")
    if action not in (None, ""):
        filters["action_type"] = action[:20]
    if errors:
        raise ValidationFailed(errors)
    return envelope.ok(data=paginate(offline.logs_query(**filters), _log_json))


@bp.get("/offline-sync/<int:log_id>")
@token_required()
def offline_sync_show(log_id: int):
    """One log: its owner, admins and the principal; anyone else gets 404."""
    log = _visible_log(log_id)
    if log is None:
        return envelope.fail("Log sinkronisasi tidak ditemukan", 404)
    return envelope.ok(data=_log_json(log))


@bp.post("/offline-sync/process-attendance")
@token_required(*STAFF_ROLES)
def offline_sync_process():
    """Process ``{"attendances": [...]}``; refused items are reported per item, never fatal."""
    data = body()
    items = data.get("attendances")
    if not isinstance(items, list) or not items:
        raise ValidationFailed({"attendances": ["The attendances field is required and must be an array."]})
    result = offline.process_offline_batch(g.user, items)
    processed = [_outcome_record(o, "OFFLINE") for o in result.processed]
    failed = [{"data": o.data, "error": o.error, "offline_sync_log_id": o.log.id if o.log else None}
              for o in result.failed]
    return envelope.ok("Proses sinkronisasi data absensi selesai", {
        "processed": processed,
        "failed": failed,
        "processed_count": len(processed),
        "failed_count": len(failed),
    })


@bp.post("/offline-sync/<int:log_id>/retry")
@token_required()
def offline_sync_retry(log_id: int):
    """Process a failed log again (its owner or an admin); still refused → 400, the log stays failed."""
    log = _visible_log(log_id)
    if log is None:
        return envelope.fail("Log sinkronisasi tidak ditemukan", 404)
    if log.user_id != g.user.id and g.user.role not in RETRIES_FOR_OTHERS:
        return envelope.fail("Akses ditolak", 403)
    try:
        outcome = offline.retry_log(g.user, log)
    except DomainError as exc:
        return envelope.fail(exc.message, 400)
    return envelope.ok("Sinkronisasi berhasil diulang", _outcome_record(outcome, "OFFLINE_RETRY"))
