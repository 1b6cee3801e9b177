"""The layering of ``app/``, read from the source with :mod:`ast` (nothing is imported).

- The core knows no vertical: a module of a core domain (people, places, schedules,
  departments, attendance, leave, notifications, everyone's own pages, posts, the review
  inbox, system) never imports a vertical (school, clinic, ER escorts, faces, QR, kiosk) —
  not at module level, not inside a function, not for type checking.  A vertical plugs into the core through the
  registries the core owns; what composes everything (``app/demo/``, ``app/cli.py``) stands
  above all domains.
- No two modules import each other at module level (an import cycle that only works while
  the import order happens to suit it), other than a package's ``__init__`` and its own
  submodules (a package that owns a blueprint its submodules register routes on).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

#: Domains every organisation has.
CORE = ("accounts", "places", "schedules", "departments", "attendance", "leave", "notify", "personal", "posts",
        "review", "system")
#: Domains only some organisations have; they may import the core, never the reverse.
VERTICALS = ("school", "clinic", "escorts", "faces", "qr", "kiosk")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(APP.rglob("*.py"))}


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The modules of ``app`` that ``node`` (a statement of ``module``) imports."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "app"]
    if node.level:
        base = module.split(".") if _is_package(module) else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] != "app":
        return []
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in MODULES else target)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, *, module_level_only: bool) -> list[tuple[int, str]]:
    """``(line, imported module)`` of every import statement of ``module`` (those executed
    while the module itself is imported when ``module_level_only``)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))
    found: list[tuple[int, str]] = []

    def visit(nodes):
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.extend((node.lineno, target) for target in _resolve(module, node))
            elif module_level_only:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    continue
                if isinstance(node, ast.If) and _is_type_checking(node):
                    visit(node.orelse)
                    continue
                visit(ast.iter_child_nodes(node))
            else:
                visit(ast.iter_child_nodes(node))

    visit(tree.body)
    return found


def _domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def core_to_vertical_imports() -> list[str]:
    """``"module:line imports target"`` for every import of a vertical by a core module."""
    return sorted({f"{module}:{line} imports {target}"
                   for module in MODULES if _domain(module) in CORE
                   for line, target in _imports(module, module_level_only=False) if _domain(target) in VERTICALS})


def _within_own_package(a: str, b: str) -> bool:
    """True when one of ``a``, ``b`` is a package and the other one of its own submodules."""
    return (_is_package(a) and b.startswith(a + ".")) or (_is_package(b) and a.startswith(b + "."))


def mutual_module_level_imports() -> list[str]:
    """``"a <-> b"`` for every pair of modules of ``app`` importing each other at module level."""
    edges = {module: {target for _line, target in _imports(module, module_level_only=True) if target in MODULES}
             for module in MODULES}
    return sorted(f"{a} <-> {b}" for a, targets in edges.items() for b in targets
                  if a < b and a in edges.get(b, ()) and not _within_own_package(a, b))


def test_the_scan_sees_imports():
    """The scan itself works: it finds known imports of both kinds, so an empty result below means something."""
    assert len(MODULES) > 100
    school_services = {t for _l, t in _imports("app.school.services", module_level_only=False)}
    assert "app.accounts.models" in school_services
    views = {t for _l, t in _imports("app.school.views", module_level_only=True)}
    assert {"app.school.views.cards", "app.school.views.classes"} <= views
    assert _within_own_package("app.school.views", "app.school.views.cards")
    assert not _within_own_package("app.school.views.cards", "app.school.views.classes")


def test_core_imports_no_vertical():
    assert core_to_vertical_imports() == []


def test_no_two_modules_import_each_other_at_module_level():
    assert mutual_module_level_imports() == []


@pytest.mark.parametrize("source, line, expected", [
    ("from ..school.models import SchoolClass\n", 1, "app.school.models"),
    ("import json\n\ndef f():\n    from ..kiosk import services\n", 4, "app.kiosk.services"),
    ("import app.clinic.models\n", 1, "app.clinic.models"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..faces.models import Face\n", 3, "app.faces.models"),
])
def test_a_core_import_of_a_vertical_is_seen(source, line, expected, tmp_path, monkeypatch):
    """A core module (here a temporary file) importing a vertical in any of these ways is reported."""
    fake = tmp_path / "fake.py"
    fake.write_text(source, encoding="utf-8")
    monkeypatch.setitem(MODULES, "app.attendance.fake", fake)
    assert f"app.attendance.fake:{line} imports {expected}" in core_to_vertical_imports()


@pytest.mark.parametrize("second, reported", [
    ("from . import first\n", True),
    ("def f():\n    from . import first\n", False),
])
def test_two_modules_importing_each_other_are_seen(second, reported, tmp_path, monkeypatch):
    """Two modules importing each other at module level are reported; an import inside a function is not."""
    (tmp_path / "first.py").write_text("from .second import x\n", encoding="utf-8")
    (tmp_path / "second.py").write_text(second, encoding="utf-8")
    monkeypatch.setitem(MODULES, "app.posts.first", tmp_path / "first.py")
    monkeypatch.setitem(MODULES, "app.posts.second", tmp_path / "second.py")
    assert ("app.posts.first <-> app.posts.second" in mutual_module_level_imports()) is reported
