"""One sign-in attempt in each app, as its client sends it (shared by the login-limit tests)."""
from __future__ import annotations

import re

#: app → an identifier of the account the tests create (see :func:`make_accounts`).
ACCOUNTS = {"mobile": "20001", "school": "6001", "face": "staf@hadir.test", "igd": "staf@hadir.test",
            "clinic": "staf@hadir.test", "admin": "staf@hadir.test"}
APPS = tuple(ACCOUNTS)


def make_accounts(factory):
    """The account every app signs in (a petugas: the one role all six apps let in)."""
    return factory.user(role="petugas", name="Staf", email="staf@hadir.test", npp="20001", nisn_nip_nik="6001")


def other_identifier(app_name: str, n: int) -> str:
    """The ``n``-th identifier nobody has, in the app's identifier form."""
    return f"7{n:04d}" if app_name in ("mobile", "school") else f"nobody{n}@hadir.test"


def attempt(app_name: str, client, identifier: str, password: str):
    """POST one sign-in; returns the response."""
    if app_name == "admin":
        page = client.get("/admin/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        return client.post("/admin/login", data={"csrf_token": token, "identifier": identifier, "password": password})
    path, body = {
        "mobile": ("/api/login", {"npp": identifier, "password": password, "device_id": "phone-1"}),
        "school": ("/api/auth/login", {"nisn_nip_nik": identifier, "password": password}),
        "face": ("/face/api/login", {"email": identifier, "password": password}),
        "igd": ("/igd/api/auth/login", {"email": identifier, "password": password}),
        "clinic": ("/api/v2/auth/login", {"email": identifier, "password": password}),
    }[app_name]
    return client.post(path, json=body)


def is_apps_429(app_name: str, response) -> bool:
    """A 429 in the app's own shape (contracts 000-004; the admin's HTML page)."""
    if response.status_code != 429:
        return False
    if app_name == "admin":
        return "<html" in response.get_data(as_text=True)
    body = response.get_json()
    return {
        "mobile": lambda b: b["rcode"] == "83",
        "school": lambda b: b["success"] is False and "message" in b,
        "face": lambda b: set(b) == {"message"},
        "igd": lambda b: b["message"] == "Too Many Attempts." and b["retry_after"] >= 1,
        "clinic": lambda b: b["success"] is False and "rate_limit" in b["errors"],
    }[app_name](body)


def signed_in(app_name: str, response) -> bool:
    """Whether the attempt signed in (200, or the admin's redirect)."""
    return response.status_code == (302 if app_name == "admin" else 200)
