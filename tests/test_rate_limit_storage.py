"""With ``REDIS_URL`` set, rate-limit counters are shared by every worker (Redis storage)."""
import os
import uuid

import pytest

from app import create_app


def _redis_up() -> bool:
    try:
        import redis
        return redis.Redis(host="127.0.0.1", port=6379, socket_timeout=0.5).ping()
    except Exception:
        return False


@pytest.mark.skipif(not _redis_up() and not os.environ.get("REQUIRE_REDIS"), reason="no Redis on 127.0.0.1:6379")
def test_two_app_instances_share_the_login_limit_through_redis(database_url):
    """Two apps (as two gunicorn workers would be) count one client's logins together."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 32,
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    worker_a, worker_b = create_app(config), create_app(config)
    # A fresh NPP and key prefix per run: other processes may share this Redis.
    body = {"npp": str(uuid.uuid4().int)[:12], "password": "whatever-pass", "device_id": "d"}
    statuses = []
    for i in range(6):
        worker = worker_a if i % 2 == 0 else worker_b
        statuses.append(worker.test_client().post("/api/login", json=body).status_code)
    assert statuses[:5] == [404] * 5  # unknown NPP, 5 allowed per minute (contract 001)
    assert statuses[5] == 429
