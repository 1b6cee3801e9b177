"""Pages and fragments (DESIGN.md, "Pages, fragments and macros apart").

A page template ``include``s its fragment, so markup exists once; an htmx
request gets the fragment alone, a normal request the whole page.  Both vary
on the ``HX-Request`` header.
"""
from __future__ import annotations

from flask import make_response, render_template

from ..extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not a boosted navigation
    and not a history restore, which both need the whole page)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page_template: str, fragment_template: str, /, **context):
    """Render ``fragment_template`` for an htmx request, else ``page_template``; sets ``Vary: HX-Request``."""
    template = fragment_template if wants_fragment() else page_template
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response
