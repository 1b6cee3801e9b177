"""``flask kiosk create`` and ``flask kiosk pairing-code``: the printed code pairs a tablet."""
from __future__ import annotations

import re

from app.extensions import db
from app.kiosk.models import Kiosk

from .conftest import pair


def _code(output: str) -> str:
    return re.search(r": ([A-Z2-9]{4}-[A-Z2-9]{4}) \(works once", output).group(1)


def test_create_prints_a_code_that_pairs(app, factory):
    factory.office(code="0001")
    result = app.test_cli_runner().invoke(args=["kiosk", "create", "--name", "Gerbang", "--office", "0001",
                                                "--modes", "qr,cards"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        kiosk = db.session.scalar(db.select(Kiosk))
        assert (kiosk.name, kiosk.mode_list, kiosk.office.code) == ("Gerbang", ["qr", "cards"], "0001")
    assert pair(app.test_client(), _code(result.output)).status_code == 303
    again = app.test_cli_runner().invoke(args=["kiosk", "pairing-code", str(kiosk.id)])
    assert again.exit_code == 0 and _code(again.output) != _code(result.output)


def test_bad_arguments_fail_and_create_nothing(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["kiosk", "create", "--name", "X", "--office", "9999"]).exit_code != 0
    bad_mode = runner.invoke(args=["kiosk", "create", "--name", "X", "--modes", "teleport"])
    assert bad_mode.exit_code == 1 and "modes" in bad_mode.output
    assert runner.invoke(args=["kiosk", "pairing-code", "42"]).exit_code != 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Kiosk.id))) == 0
