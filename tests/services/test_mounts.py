"""app.api.check_conflicts: two mounted dialects may not claim the same method and path.

Only one dialect exists so far, so the check is exercised on a tiny Flask app
with two blueprints standing in for two dialects.
"""
from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from app.api import MountConflict, check_conflicts


def make_app(first_rules, second_rules, *, first_prefix="/api", second_prefix="/api"):
    """Register two blueprints ``one`` and ``two`` with ``(rule, methods)`` routes each."""
    app = Flask(__name__)
    for name, rules, prefix in (("one", first_rules, first_prefix), ("two", second_rules, second_prefix)):
        bp = Blueprint(name, __name__)
        for i, (rule, methods) in enumerate(rules):
            bp.add_url_rule(rule, f"view_{i}", lambda **kw: "", methods=methods)
        app.register_blueprint(bp, url_prefix=prefix)
    return app


NAMES = {"one": "a", "two": "b"}


def test_same_method_and_path_conflict_naming_both_endpoints():
    app = make_app([("/x", ["POST"])], [("/x", ["POST"])])
    with pytest.raises(MountConflict) as info:
        check_conflicts(app, NAMES)
    message = str(info.value)
    assert "POST /api/x" in message
    assert "one.view_0 (a)" in message
    assert "two.view_0 (b)" in message


def test_different_methods_on_the_same_path_do_not_conflict():
    app = make_app([("/x", ["POST"])], [("/x", ["GET"])])
    check_conflicts(app, NAMES)


def test_same_path_under_different_prefixes_does_not_conflict():
    app = make_app([("/x", ["POST"])], [("/x", ["POST"])], second_prefix="/face/api")
    check_conflicts(app, NAMES)


def test_converters_with_different_names_still_conflict():
    app = make_app([("/users/<int:id>", ["GET"])], [("/users/<user_id>", ["GET", "PUT"])])
    with pytest.raises(MountConflict, match=r"GET /api/users/<user_id>.*one\.view_0 \(a\).*two\.view_0 \(b\)"):
        check_conflicts(app, NAMES)


def test_one_conflicting_method_among_several_is_found():
    app = make_app([("/profile", ["GET", "PUT"])], [("/profile", ["POST", "PUT"])])
    with pytest.raises(MountConflict, match=r"^PUT /api/profile"):
        check_conflicts(app, NAMES)


def test_blueprints_that_are_not_dialects_are_ignored():
    app = make_app([("/x", ["POST"])], [("/x", ["POST"])])
    check_conflicts(app, {"one": "a"})


def test_a_dialect_may_declare_a_path_twice_itself():
    app = make_app([("/x", ["POST"]), ("/x", ["POST"])], [("/y", ["POST"])])
    check_conflicts(app, NAMES)


def test_the_real_app_mounts_without_conflict(app):
    assert app.config["DIALECT_MOUNTS"]["mobile"] == "/api"
    assert "mobile" in app.blueprints
    check_conflicts(app, {"mobile": "mobile"})
