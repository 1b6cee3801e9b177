"""The registry of review-inbox sections (see the package docstring for how to add one)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class OpenDecision:
    """A decision form shown open again (with its errors) after a refused post.

    ``section`` is the section's item kind as its template asks for it (``event``, ``leave``,
    ``procedure`` ...), ``item_id`` the item's id, ``action`` ``approve`` or ``reject``, ``form``
    the bound form (its fields' errors and data fill the row again).
    """

    section: str
    item_id: int
    action: str
    form: object

    def is_for(self, section: str, item_id: int, action: str) -> bool:
        """True when this is the open form of that item's action."""
        return (self.section, self.item_id, self.action) == (section, item_id, action)


@dataclass(frozen=True)
class InboxState:
    """What a section's loader gets: the signed-in ``user`` looking at the inbox, the
    ``page_number`` of the paginated list (1-based; decision URLs carry it back), and the
    ``decision`` form open again after a refusal (or None)."""

    user: object
    page_number: int
    decision: OpenDecision | None = None


@dataclass(frozen=True)
class ReviewSection:
    """One section of the review inbox.

    :param key: unique name (also a good ``id`` for the section's ``<section>``).
    :param order: position on the screen, lowest first (events 10, leave 20, procedures 30).
    :param template: partial rendered for the section, with ``load(state)``'s variables plus
        ``decision`` and ``page_number``.
    :param load: ``load(state: InboxState) -> dict`` — the template's variables.
    :param count: ``count() -> int`` — items waiting (the sidebar's badge adds them up).
    """

    key: str
    order: int
    template: str
    load: Callable[[InboxState], dict]
    count: Callable[[], int]


_SECTIONS: dict[str, ReviewSection] = {}


def register_section(section: ReviewSection) -> ReviewSection:
    """Add ``section`` to the inbox (replacing one of the same ``key``: registering twice is harmless)."""
    _SECTIONS[section.key] = section
    return section


def registered_sections() -> list[ReviewSection]:
    """The registered sections in screen order (``order``, then ``key``)."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def pending_total() -> int:
    """Items waiting in every section (the sidebar badge).

    :raises SQLAlchemyError: when the database cannot answer (the caller decides to hide the badge).
    """
    return sum(pending_counts().values())


def pending_counts() -> dict[str, int]:
    """Items waiting per section key, in screen order (the dashboard lists them; their sum is
    :func:`pending_total`, the sidebar's badge).

    :raises SQLAlchemyError: when the database cannot answer.
    """
    return {section.key: section.count() for section in registered_sections()}
