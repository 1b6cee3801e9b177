"""Translation helpers, and clock times written the way the reader's language writes them."""
from __future__ import annotations

import functools
import re
from datetime import datetime, time

from babel import Locale
from flask_babel import get_locale

from . import clock


def N_(message: str) -> str:
    """Mark ``message`` for extraction by ``pybabel extract`` without translating it now.

    Used for texts translated later in another locale (e.g. notifications,
    always written in the organisation's default language).
    """
    return message


@functools.lru_cache(maxsize=None)
def time_separator(locale: str) -> str:
    """The separator between hours and minutes in ``locale``'s short time format (CLDR, via
    Babel): ``.`` in Indonesian (``13.45``, as the Indonesian spelling rules write *pukul 13.45*),
    ``:`` in English.  Every clock time a person reads uses it, always on the 24-hour clock."""
    match = re.search(r"[Hh]+(.+?)mm", Locale.parse(locale).time_formats["short"].pattern)
    return match.group(1).strip("'") if match else ":"


@functools.lru_cache(maxsize=None)
def clock_pattern(locale: str) -> str:
    """The strftime pattern of a 24-hour clock time in ``locale`` (``%H.%M`` in Indonesian)."""
    return "%H" + time_separator(locale).replace("%", "%%") + "%M"


def clock_time(moment: datetime | time | None) -> str:
    """The local clock time of ``moment`` in the current request's language: a UTC ``datetime``
    is turned to the organisation's zone first, a plain ``time`` is taken as local already
    (``08.15`` in Indonesian, ``08:15`` in English; ``—`` for None).  Written by strftime, not
    Babel: a report shows a time in each of its cells, and Babel costs 20 times more."""
    if moment is None:
        return "—"
    pattern = clock_pattern(str(get_locale() or "id"))
    if isinstance(moment, time):
        return moment.strftime(pattern)
    return clock.to_local(moment).strftime(pattern)
