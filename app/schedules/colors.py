"""Colours of roster cells and schedule chips: each schedule's ``color`` as a CSS class.

The pages carry no inline styles: :func:`stylesheet` writes one rule per schedule
(``.shift--<id>``), served by the schedules blueprint and linked from the layout.
The text colour on a background is black or white, whichever contrasts more
(WCAG 2.1 relative luminance and contrast ratio, success criterion 1.4.3).
"""
from __future__ import annotations

import hashlib
import re

_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
#: Colour of a schedule without one (a neutral grey-blue).
DEFAULT_COLOR = "#64748b"
#: Colours offered to a new schedule, in order (the first one not used yet is proposed).
PALETTE = ("#1e88e5", "#f59e0b", "#7c3aed", "#059669", "#db2777", "#0891b2", "#65a30d", "#dc2626", "#475569")


def _luminance(hex_color: str) -> float:
    """Relative luminance 0..1 of ``#rrggbb`` (WCAG 2.1 definition)."""
    value = _HEX.match(hex_color or "") and hex_color[1:] or DEFAULT_COLOR[1:]
    channels = []
    for i in (0, 2, 4):
        c = int(value[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_color(background: str | None) -> str:
    """``#ffffff`` or ``#111827``: the text colour with the higher contrast ratio on ``background``."""
    lum = _luminance(background or DEFAULT_COLOR)
    dark = _luminance("#111827")
    on_white = (1.0 + 0.05) / (lum + 0.05)
    on_dark = (lum + 0.05) / (dark + 0.05)
    return "#ffffff" if on_white >= on_dark else "#111827"


def next_color(used) -> str:
    """The first colour of :data:`PALETTE` not in ``used`` (else the first)."""
    used = {c.lower() for c in used if c}
    return next((c for c in PALETTE if c not in used), PALETTE[0])


def stylesheet(schedules) -> str:
    """CSS rules ``.shift--<id> { --shift-bg: ...; --shift-fg: ... }`` for ``schedules``."""
    lines = ["/* roster colours of the work schedules (generated) */"]
    for schedule in schedules:
        background = schedule.color if schedule.color and _HEX.match(schedule.color) else DEFAULT_COLOR
        lines.append(f".shift--{int(schedule.id)} {{ --shift-bg: {background}; --shift-fg: {text_color(background)}; }}")
    return "\n".join(lines) + "\n"


def etag(css: str) -> str:
    """A short strong validator of the stylesheet's text."""
    return hashlib.sha256(css.encode()).hexdigest()[:20]
