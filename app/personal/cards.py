"""The cards of a person's home page (``/admin/me/``): a registry the core owns and the verticals fill.

The home page knows no domain: it asks every registered :class:`HomeCard` whether it has
something for the signed-in person today and renders those that do, in ``order``.  The core's
own cards (today's schedule and attendance, leave balance and requests, leave to approve, this
week's schedule, phone and account) live in :mod:`.home_cards`; a vertical registers its own
at app setup (the school's roll call and school today, the clinic's service fees, the ER's
escorts waiting: each vertical's ``registration.register``), so no core module imports a vertical.

Adding a card:

1. a partial ``templates/<domain>/_cards/<key>.html`` rendering one tile
   (``<a class="stat stat-link" ...>``, ``kind="tile"``) or one ``<section class="card">``
   (``kind="section"``), reading its variables from ``card`` (the dict ``load`` returned) and
   linking to the page it summarises;
2. ``load(user, today) -> dict | None``: the card's variables for ``user`` (a
   :class:`~app.accounts.models.User`) on the organisation's local date ``today``, or None when
   the card is not for that person (another role, nothing to show);
3. ``register_card(HomeCard(key=..., order=..., template=..., load=...))`` at app setup.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

#: Where a card goes on the home page: the row of figures at the top, or a section below it.
KINDS = ("tile", "section")


@dataclass(frozen=True)
class HomeCard:
    """One card of the home page.

    :param key: unique name (registering the same key again replaces the card).
    :param order: position, lowest first (core: 10-29 and 50-99; verticals: 30-49).
    :param template: the partial rendered with ``card`` (``load``'s dict) and ``today``.
    :param load: ``load(user, today: date) -> dict | None``; None leaves the card out.
    :param kind: ``tile`` (a figure in the top row) or ``section`` (a block below).
    """

    key: str
    order: int
    template: str
    load: Callable[[object, date], dict | None]
    kind: str = "tile"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown card kind {self.kind!r}")


_CARDS: dict[str, HomeCard] = {}


def register_card(card: HomeCard) -> HomeCard:
    """Show ``card`` on the home page of everyone its ``load`` answers for (idempotent by ``key``)."""
    _CARDS[card.key] = card
    return card


def registered_cards() -> list[HomeCard]:
    """The registered cards in page order (``order``, then ``key``)."""
    return sorted(_CARDS.values(), key=lambda c: (c.order, c.key))


def cards_for(user, today: date) -> list[tuple[HomeCard, dict]]:
    """``(card, its variables)`` of every registered card that has something for ``user`` on the
    local date ``today``, in page order."""
    shown = []
    for card in registered_cards():
        context = card.load(user, today)
        if context is not None:
            shown.append((card, context))
    return shown
