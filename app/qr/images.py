"""QR code images: inline SVG for pages, module runs for vector PDFs, PNG for tests and downloads.

One place that turns a text into a QR symbol (ISO/IEC 18004) with `segno`_
1.6.6, so the student card sheet, its PDF and the kiosk's dynamic QR draw the
same symbol the same way.

Why segno and not ``qrcode`` (the design card's first choice): on this
machine segno made a ~300 px SVG 1.6x faster with a 4x smaller SVG
(``notes/browser-testing.md``), it has no dependencies, and it exposes the
module matrix, which the PDF needs to draw the code as vector rectangles.

Conventions of every helper here:

- ``error`` is the error-correction level, ``"l"``, ``"m"`` (15 %), ``"q"``
  (25 %) or ``"h"``; it is never silently lowered.  It is not raised either
  (``boost_error=False``), so the same text always gives the same symbol.
- ``border`` is the quiet zone in modules; the standard asks for 4 and
  scanners (phones, webcams) read far worse without it, so keep the default.
- Micro QR is never used: many phone scanners cannot read it.
- A text too long for a QR symbol raises :class:`segno.DataOverflowError`
  (a :class:`ValueError`); an empty text raises :class:`ValueError`.

.. _segno: https://segno.readthedocs.io/
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import segno
from markupsafe import Markup

#: The quiet zone the standard requires, in modules.
QUIET_ZONE = 4
#: Error-correction levels accepted (lower case, as segno names them).
ERROR_LEVELS = ("l", "m", "q", "h")


@lru_cache(maxsize=1024)
def make_qr(text: str, error: str = "m") -> segno.QRCode:
    """The QR symbol of ``text`` (smallest version that fits, never Micro QR).

    Encoding costs ~15 ms (segno tries all 8 masks), so the last 1024
    symbols are cached: a class's sheet printed again, or a kiosk token shown
    on several screens, is encoded once.  Treat the result as read-only.

    :param text: what the symbol encodes (UTF-8 when it is not plain ASCII).
    :param error: error-correction level, one of :data:`ERROR_LEVELS`.
    :raises ValueError: empty ``text``, unknown ``error``, or ``text`` too long
        (:class:`segno.DataOverflowError`).
    """
    if not text:
        raise ValueError("QR text must not be empty")
    if error not in ERROR_LEVELS:
        raise ValueError(f"unknown error-correction level {error!r}")
    return segno.make(text, error=error, micro=False, boost_error=False)


def qr_svg(text: str, *, error: str = "m", border: int = QUIET_ZONE, css_class: str = "qr",
           title: str | None = None, dark: str = "#000", light: str | None = "#fff") -> Markup:
    """An inline ``<svg>`` element of the QR symbol of ``text``, safe to put in a template as is.

    The SVG has a ``viewBox`` in module units (the symbol plus ``border`` on
    every side) and no ``width``/``height``: size it with CSS (e.g.
    ``.qr { width: 30mm; height: 30mm }``); it scales without blur.  The
    modules are drawn as one path with crisp edges.

    :param css_class: the ``class`` attribute of the ``<svg>``.
    :param title: accessible name (an SVG ``<title>``; escaped), e.g. the code in words.
    :param dark: colour of the dark modules; ``light``: background colour of
        the whole square including the quiet zone (None = transparent; keep
        it white when the page behind is not).
    :raises ValueError: as :func:`make_qr`.
    """
    qr = make_qr(text, error)
    svg = qr.svg_inline(omitsize=True, border=border, dark=dark, light=light, svgclass=css_class,
                        lineclass=None, title=title)
    # crisp module edges whatever the scale (no anti-aliased seams between rows)
    svg = svg.replace("<svg ", '<svg shape-rendering="crispEdges" role="img" ', 1)
    return Markup(svg)


@dataclass(frozen=True)
class QrModules:
    """The QR symbol of a text as dark rectangles on a square grid, for vector drawing (PDF).

    ``size`` is the side of the square in modules, quiet zone included;
    ``runs`` are horizontal runs of dark modules as ``(column, row, length)``
    in module units from the top-left corner of the square (quiet zone
    included), left to right, top to bottom.  Drawing each run as a
    ``length x 1`` filled rectangle reproduces the symbol; merging a row's
    adjacent modules avoids hairline seams in PDF viewers.
    """

    size: int
    runs: tuple[tuple[int, int, int], ...]


def qr_modules(text: str, *, error: str = "m", border: int = QUIET_ZONE) -> QrModules:
    """The dark modules of the QR symbol of ``text`` as runs (see :class:`QrModules`).

    :raises ValueError: as :func:`make_qr`.
    """
    qr = make_qr(text, error)
    runs: list[tuple[int, int, int]] = []
    size = 0
    for y, row in enumerate(qr.matrix_iter(border=border)):
        row = list(row)
        size = len(row)
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append((start, y, x - start))
            else:
                x += 1
    return QrModules(size=size, runs=tuple(runs))


def qr_png(text: str, *, error: str = "m", border: int = QUIET_ZONE, scale: int = 10) -> bytes:
    """The QR symbol of ``text`` as a black-on-white PNG, ``scale`` pixels per module.

    :raises ValueError: as :func:`make_qr`, or ``scale`` < 1.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1 pixel per module")
    buffer = io.BytesIO()
    make_qr(text, error).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
