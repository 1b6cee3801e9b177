"""Contract 001, "App Version": POST /api/app-version/check and GET /api/app-version/latest/{platform}."""
from __future__ import annotations

import pytest

from .conftest import validation_fields

STORE = "https://play.google.com/store/apps/details?id=com.app.absensi"


def check(client, **body):
    return client.post("/api/app-version/check", json=body)


# --- check ----------------------------------------------------------------

UP_TO_DATE = {
    "rcode": "00",
    "message": "Version check completed",
    "data": {"needs_update": False, "force_update": False, "maintenance_mode": False,
             "update_message": None, "store_url": None, "changelog": None},
}


@pytest.mark.parametrize("build", [20, 21])
def test_up_to_date_build_gets_all_false(client, factory, build):
    factory.app_version(build_number=20, min_build_number=15)
    r = check(client, platform="android", build_number=build, version_code="2.1.0")
    assert r.status_code == 200
    assert r.json == UP_TO_DATE


def test_no_version_row_for_the_platform_means_up_to_date(client, factory):
    factory.app_version(platform="ios", build_number=50, min_build_number=40)
    r = check(client, platform="android", build_number=1)
    assert r.status_code == 200
    assert r.json == UP_TO_DATE


@pytest.mark.parametrize("build", [15, 19])
def test_build_below_latest_but_not_below_minimum_needs_update_only(client, factory, build):
    factory.app_version(build_number=20, min_build_number=15,
                        update_message="Versi baru tersedia dengan fitur-fitur terbaru!",
                        changelog="- Fitur absensi baru\n- Perbaikan bug")
    r = check(client, platform="android", build_number=build, version_code="2.0.0")
    assert r.status_code == 200
    assert r.json == {
        "rcode": "00",
        "message": "Update available",
        "data": {"needs_update": True, "force_update": False, "maintenance_mode": False,
                 "update_message": "Versi baru tersedia dengan fitur-fitur terbaru!",
                 "store_url": STORE, "changelog": "- Fitur absensi baru\n- Perbaikan bug"},
    }


@pytest.mark.parametrize("build", [0, 14])
def test_build_below_minimum_forces_update(client, factory, build):
    factory.app_version(build_number=20, min_build_number=15,
                        update_message="Update wajib! Versi lama tidak lagi didukung.",
                        changelog="- Security patches\n- Critical bug fixes")
    r = check(client, platform="android", build_number=build)
    assert r.status_code == 200
    assert r.json == {
        "rcode": "00",
        "message": "Update required",
        "data": {"needs_update": True, "force_update": True, "maintenance_mode": False,
                 "update_message": "Update wajib! Versi lama tidak lagi didukung.",
                 "store_url": STORE, "changelog": "- Security patches\n- Critical bug fixes"},
    }


@pytest.mark.parametrize("build", [1, 20, 99])
def test_maintenance_wins_over_everything(client, factory, build):
    message = "Aplikasi sedang dalam pemeliharaan. Silakan coba lagi dalam 2 jam."
    factory.app_version(build_number=20, min_build_number=15, maintenance_mode=True, maintenance_message=message)
    r = check(client, platform="android", build_number=build)
    assert r.status_code == 200
    assert r.json == {
        "rcode": "00",
        "message": "App under maintenance",
        "data": {"needs_update": False, "force_update": False, "maintenance_mode": True,
                 "maintenance_message": message},
    }


def test_maintenance_is_per_platform(client, factory):
    factory.app_version(platform="ios", maintenance_mode=True, maintenance_message="Pemeliharaan")
    factory.app_version(platform="android", build_number=20, min_build_number=15)
    r = check(client, platform="android", build_number=20)
    assert r.json == UP_TO_DATE


def test_build_number_as_digit_string_is_accepted(client, factory):
    factory.app_version(build_number=20, min_build_number=15)
    r = check(client, platform="android", build_number="14")
    assert r.status_code == 200
    assert r.json["data"]["force_update"] is True


def test_check_needs_no_token(client, factory):
    r = client.post("/api/app-version/check", json={"platform": "ios", "build_number": 3},
                    headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 200
    assert r.json == UP_TO_DATE


@pytest.mark.parametrize("body, field", [
    ({"build_number": 15}, "platform"),
    ({"platform": "windows", "build_number": 15}, "platform"),
    ({"platform": "Android", "build_number": 15}, "platform"),
    ({"platform": ["android"], "build_number": 15}, "platform"),
    ({"platform": "android"}, "build_number"),
    ({"platform": "android", "build_number": None}, "build_number"),
    ({"platform": "android", "build_number": "abc"}, "build_number"),
    ({"platform": "android", "build_number": "15a"}, "build_number"),
    ({"platform": "android", "build_number": True}, "build_number"),
    ({"platform": "android", "build_number": 15.5}, "build_number"),
    ({"platform": "android", "build_number": -1}, "build_number"),
    ({"platform": "android", "build_number": [15]}, "build_number"),
    ({"platform": "android", "build_number": 15, "version_code": "2." * 11}, "version_code"),
    ({"platform": "android", "build_number": 15, "version_code": True}, "version_code"),
])
def test_bad_platform_or_build_is_refused_naming_the_field(client, factory, body, field):
    factory.app_version(build_number=20, min_build_number=15)
    r = client.post("/api/app-version/check", json=body)
    assert validation_fields(r) == {field}


# --- latest ---------------------------------------------------------------

def test_latest_returns_every_documented_field(client, factory):
    factory.app_version(platform="android", version_code="2.1.0", build_number=20, min_version_code="2.0.0",
                        min_build_number=15, changelog="- New features\n- Bug fixes")
    factory.app_version(platform="ios", version_code="3.0.0", build_number=30, min_version_code="2.9.0",
                        min_build_number=29, store_url="https://apps.apple.com/app/id1", changelog=None,
                        maintenance_mode=True)
    r = client.get("/api/app-version/latest/android")
    assert r.status_code == 200
    assert r.json == {
        "rcode": "00",
        "message": "Success",
        "data": {"platform": "android", "version_code": "2.1.0", "build_number": 20,
                 "min_version_code": "2.0.0", "min_build_number": 15, "store_url": STORE,
                 "changelog": "- New features\n- Bug fixes", "maintenance_mode": False},
    }
    r = client.get("/api/app-version/latest/ios")
    assert r.status_code == 200
    assert r.json["data"] == {"platform": "ios", "version_code": "3.0.0", "build_number": 30,
                              "min_version_code": "2.9.0", "min_build_number": 29,
                              "store_url": "https://apps.apple.com/app/id1", "changelog": None,
                              "maintenance_mode": True}


def test_latest_without_a_version_row_is_not_found(client, factory):
    factory.app_version(platform="android")
    r = client.get("/api/app-version/latest/ios")
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "No version information for this platform"}


@pytest.mark.parametrize("platform", ["windows", "ANDROID", "1"])
def test_latest_unknown_platform_is_a_validation_error(client, factory, platform):
    factory.app_version(platform="android")
    r = client.get(f"/api/app-version/latest/{platform}")
    assert validation_fields(r) == {"platform"}
