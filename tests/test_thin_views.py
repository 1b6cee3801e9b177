"""Views and dialect routes only parse, call and translate: they build no SELECT of their own.

House rule (DEVELOPERS.md, "one use case is one service, and a view only parses, calls and
translates"): a query belongs in its domain's service or query module, as a function with plain
arguments and a docstring.  Read from the source with :mod:`ast` (nothing is imported): every
call of ``db.select``, ``select``, ``db.session.get``, ``db.session.execute`` or
``db.session.scalar`` (counted by line) in a module of admin pages (``views.py``, ``*_views.py``, ``views/``,
``*_views/``) or of a dialect's routes (``app/api/<dialect>/routes*.py``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

#: Calls that build or run a statement.
QUERY_CALLS = {"db.select", "select", "db.session.get", "db.session.execute", "db.session.scalar"}

def _view_modules() -> list[Path]:
    found = set()
    for path in APP.rglob("*.py"):
        rel = path.relative_to(APP)
        parts = rel.parts
        if (path.name == "views.py" or path.stem.endswith("_views")
                or any(p == "views" or p.endswith("_views") for p in parts[:-1])
                or (parts[0] == "api" and len(parts) == 3 and path.name.startswith("routes"))):
            found.add(path)
    return sorted(found)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _query_lines(path: Path) -> list[int]:
    """The lines of ``path`` that call one of :data:`QUERY_CALLS` (each line once)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted({node.lineno for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and _dotted(node.func) in QUERY_CALLS})


def test_the_modules_are_found():
    names = {str(p.relative_to(APP)) for p in _view_modules()}
    assert {"faces/views.py", "kiosk/views.py", "schedules/roster_views/grid.py", "api/clinic/routes_admin.py",
            "accounts/views/users.py", "attendance/recap_views.py"} <= names


@pytest.mark.parametrize("path", _view_modules(), ids=lambda p: str(p.relative_to(APP)))
def test_a_view_builds_no_statement(path):
    lines = _query_lines(path)
    assert not lines, (
        f"{path.relative_to(APP)} builds its own statements on lines {lines}: move them into the "
        f"domain's service")
