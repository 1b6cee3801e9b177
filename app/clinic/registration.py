"""What the clinic plugs into the core, at app setup (:func:`register`, called by
:func:`app.create_app`): a clinic worker's home card — this month's procedures and service fees
(*jaspel*), as the service-fee report counts them (:func:`.reports.service_fee_row`)."""
from __future__ import annotations

from datetime import date

from ..accounts.roles import CLINIC_WORKER_ROLES
from ..personal.cards import HomeCard, register_card
from . import reports


def _service_fees(user, today: date) -> dict | None:
    """The signed-in clinic worker's row of this month's service-fee report (None for other roles)."""
    if user.role not in CLINIC_WORKER_ROLES:
        return None
    return {"fees": reports.service_fee_row(user, today.replace(day=1))}


SERVICE_FEES_CARD = HomeCard("clinic.service_fees", 40, "clinic/_cards/service_fees.html", _service_fees)


def register() -> None:
    """Register the clinic's parts in the core's registries (idempotent)."""
    register_card(SERVICE_FEES_CARD)
