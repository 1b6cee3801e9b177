"""The JSON dialects: one package per client contract, mounted by configuration.

Each dialect module exposes ``create_blueprint() -> Blueprint`` and
``render_http_error(exc: HTTPException) -> Response`` (its own error body for
404/405/413/415/429 ... inside its mount).  :func:`register_dialects` mounts the
ones named in ``DIALECT_MOUNTS`` and refuses to start when two of them claim
the same method and path.
"""
from __future__ import annotations

import importlib
import re

from flask import Flask, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from ..common.database import RETRY_AFTER_S, is_unavailable
from ..extensions import csrf

#: dialect name → module implementing it.
DIALECT_MODULES = {
    "mobile": "app.api.mobile",
    "school": "app.api.school",
    "igd": "app.api.igd",
    "face": "app.api.face",
    "clinic": "app.api.clinic",
}


class MountConflict(RuntimeError):
    """Two mounted dialects claim the same method and path."""


def _normalise(rule: str) -> str:
    return re.sub(r"<[^>]+>", "<>", rule)


def check_conflicts(app: Flask, blueprint_names: dict[str, str]) -> None:
    """Raise :class:`MountConflict` naming both routes if two dialects share a method+path.

    :param blueprint_names: blueprint name → dialect name.
    """
    seen: dict[tuple[str, str], str] = {}
    for rule in app.url_map.iter_rules():
        bp = rule.endpoint.split(".", 1)[0]
        if bp not in blueprint_names:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            key = (method, _normalise(rule.rule))
            other = seen.get(key)
            if other and other.split(".", 1)[0] != bp:
                raise MountConflict(
                    f"{method} {rule.rule} is claimed by two dialects: "
                    f"{other} ({blueprint_names[other.split('.', 1)[0]]}) and "
                    f"{rule.endpoint} ({blueprint_names[bp]}); change DIALECT_MOUNTS / MOUNT_<DIALECT>"
                )
            seen[key] = rule.endpoint


def register_dialects(app: Flask) -> None:
    """Mount every dialect of ``app.config['DIALECT_MOUNTS']`` and route errors to them."""
    mounted: list[tuple[str, object]] = []
    names: dict[str, str] = {}
    by_blueprint: dict[str, object] = {}
    for dialect, prefix in app.config["DIALECT_MOUNTS"].items():
        module = importlib.import_module(DIALECT_MODULES[dialect])
        bp = module.create_blueprint()
        csrf.exempt(bp)
        app.register_blueprint(bp, url_prefix=prefix or None)
        names[bp.name] = dialect
        by_blueprint[bp.name] = module
        mounted.append((prefix, module))
    check_conflicts(app, names)
    # Longest prefix first, so /face/api wins over /api.
    mounted.sort(key=lambda item: len(item[0]), reverse=True)
    app.extensions["hadir_dialects"] = mounted

    def dialect_for_path(path: str):
        """The dialect that answers errors for ``path``.

        A request that reached a route belongs to that route's dialect.  Otherwise
        (unknown path, wrong method) the longest mount prefix decides; where two
        dialects share a prefix (``mobile`` and ``school`` at ``/api``), the first
        whose ``owns_request()`` recognises the request (e.g. its token's form) wins.
        """
        if request.blueprint in by_blueprint:
            return by_blueprint[request.blueprint]
        candidates = [module for prefix, module in mounted
                      if path == prefix or path.startswith(prefix + "/") or prefix == ""]
        if not candidates:
            return None
        best_len = max(len(prefix) for prefix, module in mounted if module in candidates)
        candidates = [module for prefix, module in mounted if module in candidates and len(prefix) == best_len]
        for module in candidates:
            owns = getattr(module, "owns_request", None)
            if owns is not None and owns(request):
                return module
        return candidates[0]

    app.extensions["hadir_dialect_for_path"] = dialect_for_path

    def render(exc: HTTPException):
        """``exc`` in the body of whoever is asking: the path's dialect, else an HTML page.

        A 503 (the database unreachable: :mod:`app.common.database`) always says when to
        come back (``Retry-After``)."""
        module = dialect_for_path(request.path)
        if module is not None:
            response = app.make_response(module.render_http_error(exc))
        else:
            from ..admin.errors import render_html_error
            try:
                response = app.make_response(render_html_error(exc))
            except Exception as error:  # the page needed the database (the signed-in user) and it is gone
                if not is_unavailable(error):
                    raise
                response = app.make_response(render_html_error(unavailable(error)))
        if response.status_code == 503:
            response.headers.setdefault("Retry-After", str(RETRY_AFTER_S))
        return response

    def unavailable(exc: BaseException) -> ServiceUnavailable:
        """A 503 with ``Retry-After`` for a database that does not answer (``exc``), logged once as a warning."""
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path,
                           str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return ServiceUnavailable(retry_after=RETRY_AFTER_S)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # an error in an after_request hook (the boundary's commit) arrives as a 500 wrapping it
        if isinstance(exc, InternalServerError) and is_unavailable(exc.original_exception):
            exc = unavailable(exc.original_exception)
        return render(exc)

    @app.errorhandler(Exception)
    def _server_error(exc: Exception):
        if is_unavailable(exc):
            return render(unavailable(exc))
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render(InternalServerError(original_exception=exc))
