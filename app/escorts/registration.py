"""What the emergency room plugs into the core, at app setup (:func:`register`, called by
:func:`app.create_app`): the ER staff's home card — escorts waiting to be verified or rejected
(the igd contract's roles, :data:`~app.accounts.roles.ER_STAFF_ROLES`)."""
from __future__ import annotations

from datetime import date

from ..accounts.roles import ER_STAFF_ROLES
from ..personal.cards import HomeCard, register_card
from . import services


def _escorts_waiting(user, today: date) -> dict | None:
    """How many escorts wait for a decision (None for roles that do not verify escorts)."""
    if user.role not in ER_STAFF_ROLES:
        return None
    stats = services.escort_stats(recent=0)
    return {"waiting": stats.by_status.get("pending", 0), "today": stats.today}


ESCORTS_CARD = HomeCard("escorts.waiting", 40, "escorts/_cards/waiting.html", _escorts_waiting)


def register() -> None:
    """Register the emergency room's parts in the core's registries (idempotent)."""
    register_card(ESCORTS_CARD)
