"""The kiosk device and its credential."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

#: What a kiosk can do.  ``face``: recognise the person in front of its camera
#: and check them in or out; ``qr``: show the rotating dynamic QR code phones
#: scan (contract 002 section 3 tokens); ``cards``: read student QR cards held
#: up to its camera and record the students present; ``escorts``: at an emergency
#: room entrance, whoever brings a patient in registers as their escort, with a
#: photo.
KIOSK_MODES = ("face", "qr", "cards", "escorts")


class Kiosk(db.Model):
    """A tablet at an entrance: ``name``, the office it stands at (None = the school,
    QR location 0), the ``modes`` it offers (comma-separated :data:`KIOSK_MODES`).

    ``liveness`` (off by default): a face check-in needs a live person — the
    kiosk shows a random challenge (blink, turn the head) and the server judges
    the frames filmed meanwhile (:mod:`app.faces.liveness`) before anyone is
    checked in.

    Pairing: an admin issues a one-time code (stored as SHA-256 in
    ``pairing_code_hash``, valid until ``pairing_expires_at``); the tablet that
    enters it receives a credential (``<id>.<secret>``, stored as SHA-256 in
    ``credential_hash``).  Revoking clears the credential (``revoked_at`` set);
    pairing again gives a new one.  Times are UTC.
    """

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="SET NULL"))
    modes: Mapped[str] = mapped_column(String(100), default="qr")
    liveness: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credential_hash: Mapped[str | None] = mapped_column(String(64))
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    office = relationship("Office")

    @property
    def mode_list(self) -> list[str]:
        """The enabled modes, in :data:`KIOSK_MODES` order."""
        chosen = set((self.modes or "").split(","))
        return [m for m in KIOSK_MODES if m in chosen]

    @property
    def state(self) -> str:
        """``paired``, ``revoked`` or ``unpaired`` (registered, never paired or pairing pending)."""
        if self.credential_hash:
            return "paired"
        if self.revoked_at is not None:
            return "revoked"
        return "unpaired"
