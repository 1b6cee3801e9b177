"""Sign-in limits: 5 per minute per address and account in every app, and refused sign-ins per
address across accounts and apps (``LOGIN_ADDRESS_LIMIT``, default 20 per minute).

In one process, through the test client (each test speaks from its own address); the same
limits across two gunicorn workers: ``test_login_limits_gunicorn.py``.
"""
from __future__ import annotations

import itertools

import pytest

from .conftest import PASSWORD
from .logins import APPS, ACCOUNTS, attempt, is_apps_429, make_accounts, other_identifier, signed_in

_addresses = itertools.count(1)


@pytest.fixture
def browser(app):
    """A client speaking from an address of its own (as a device behind its own NAT)."""
    def make():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses) % 250 + 1}"
        return client
    return make


@pytest.mark.parametrize("app_name", APPS)
def test_twenty_wrong_passwords_for_one_account_check_five(app, factory, browser, app_name):
    make_accounts(factory)
    client = browser()
    answers = [attempt(app_name, client, ACCOUNTS[app_name], "wrong-password") for _ in range(20)]
    checked = [r for r in answers if r.status_code != 429]
    assert len(checked) == 5
    assert all(is_apps_429(app_name, r) for r in answers[5:])


@pytest.mark.parametrize("app_name", APPS)
def test_credential_stuffing_from_one_address_is_stopped(app, factory, browser, monkeypatch, app_name):
    """LOGIN_ADDRESS_LIMIT refusals from one address, each for another account: then 429,
    even for the right password of a real account; another address is not affected."""
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "4 per minute")
    make_accounts(factory)
    client = browser()
    answers = [attempt(app_name, client, other_identifier(app_name, n), "wrong-password") for n in range(4)]
    assert not any(r.status_code == 429 for r in answers)
    blocked = attempt(app_name, client, ACCOUNTS[app_name], PASSWORD)
    assert is_apps_429(app_name, blocked)
    assert signed_in(app_name, attempt(app_name, browser(), ACCOUNTS[app_name], PASSWORD))


def test_the_default_is_twenty_refusals_per_address(app, factory, browser):
    """(The mobile app answers an unknown NPP without hashing, which keeps this test quick.)"""
    assert app.config["LOGIN_ADDRESS_LIMIT"] == "20 per minute"
    client = browser()
    statuses = [attempt("mobile", client, other_identifier("mobile", n), "wrong-password").status_code
                for n in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429


def test_the_budget_is_shared_by_every_app(app, factory, browser, monkeypatch):
    """Spreading the attempts over the six apps gains nothing."""
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "6 per minute")
    make_accounts(factory)
    client = browser()
    for n, app_name in enumerate(APPS):
        assert attempt(app_name, client, other_identifier(app_name, n), "wrong-password").status_code != 429
    assert all(is_apps_429(name, attempt(name, client, other_identifier(name, 9), "wrong-password")) for name in APPS)


def test_sign_ins_with_the_right_password_do_not_count(app, factory, browser, monkeypatch):
    """An office behind one NAT address: many people signing in rightly never reach the limit."""
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "2 per minute")
    people = [factory.user(role="pegawai", email=f"p{n}@hadir.test") for n in range(3)]
    office = browser()
    assert attempt("face", office, "typo@hadir.test", "wrong-password").status_code == 401
    for person in people:
        assert attempt("face", office, person.email, PASSWORD).status_code == 200
    assert [attempt("face", office, f"typo{n}@hadir.test", "x" * 8).status_code for n in range(2)] == [401, 429]
