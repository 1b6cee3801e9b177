"""Liveness challenges: issued by the server per attempt, answered once, before a deadline.

A challenge is one blink and one head turn (left or right, at random) in a
random order: four variants, drawn with the operating system's random source
(:func:`choose_steps`).  The tablet gets the steps and a nonce (24 random
bytes, URL-safe base64); the database keeps the nonce's SHA-256, the kiosk,
the steps and the deadline, so the burst that answers it may reach any app
server.  :func:`consume` marks a challenge used whatever the verdict: a failed
attempt needs a new challenge, and a burst cannot be replayed.

Deadline: :data:`CHALLENGE_TTL_S` after issue, enough for the tablet's lead-in,
the steps (:data:`app.faces.liveness.STEP_MS` each) and the upload of the
burst, too short to record and edit a video that follows the steps.
Challenges expired for more than :data:`PURGE_AFTER_S` are deleted when new
ones are issued.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..common.errors import RuleViolation
from ..extensions import db
from . import liveness
from .models import LivenessChallenge

#: Seconds from issue to the deadline: 0.5 s lead-in + 2 × 2 s of steps + upload and slack.
CHALLENGE_TTL_S = 12
#: Expired challenges older than this (seconds) are deleted when a new one is issued.
PURGE_AFTER_S = 3600
#: The turn directions and the orders a challenge is drawn from.
TURNS = (liveness.TURN_LEFT, liveness.TURN_RIGHT)

_random = secrets.SystemRandom()


class ChallengeInvalid(RuleViolation):
    """This liveness challenge is unknown, was already answered, or belongs to another kiosk."""

    code = "challenge_invalid"


class ChallengeExpired(RuleViolation):
    """This liveness challenge has expired."""

    code = "challenge_expired"


@dataclass(frozen=True)
class IssuedChallenge:
    """What the tablet receives: ``nonce`` (to send back with the burst), ``steps`` (in
    order), ``expires_at`` (UTC) and ``step_ms`` (how long each step is shown)."""

    nonce: str
    steps: tuple[str, ...]
    expires_at: datetime
    step_ms: int = liveness.STEP_MS


def choose_steps() -> tuple[str, ...]:
    """A blink and a turn (left or right), in a random order: one of four challenges."""
    steps = [liveness.BLINK, _random.choice(TURNS)]
    _random.shuffle(steps)
    return tuple(steps)


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue(kiosk_id: int | None, now: datetime) -> IssuedChallenge:
    """Issue a new challenge to kiosk ``kiosk_id`` (flushed, not committed); ``now`` is aware UTC.

    Steps come from :func:`choose_steps` (tests replace it to know the answer).
    """
    db.session.execute(db.delete(LivenessChallenge)
                       .where(LivenessChallenge.expires_at < now - timedelta(seconds=PURGE_AFTER_S)))
    steps = tuple(choose_steps())
    if not steps or any(step not in liveness.STEPS for step in steps):
        raise ValueError(f"invalid challenge steps {steps!r}")
    nonce = secrets.token_urlsafe(24)
    expires_at = now + timedelta(seconds=CHALLENGE_TTL_S)
    db.session.add(LivenessChallenge(nonce_hash=_digest(nonce), kiosk_id=kiosk_id, steps=",".join(steps),
                                     issued_at=now, expires_at=expires_at))
    db.session.flush()
    return IssuedChallenge(nonce, steps, expires_at)


def consume(nonce, kiosk_id: int | None, now: datetime) -> LivenessChallenge:
    """The challenge named by ``nonce`` for kiosk ``kiosk_id``, marked used (flushed).

    The mark is one conditional ``UPDATE ... WHERE used_at IS NULL``: two
    bursts racing for one challenge, on one app server or two, cannot both
    get it.  An expired challenge is marked used as well.

    :raises ChallengeInvalid: not a string of a sensible length, unknown,
        another kiosk's, or already used.
    :raises ChallengeExpired: past its deadline.
    """
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
        raise ChallengeInvalid(field="challenge")
    challenge = db.session.scalar(db.select(LivenessChallenge).filter_by(nonce_hash=_digest(nonce)))
    if challenge is None or challenge.kiosk_id != kiosk_id:
        raise ChallengeInvalid(field="challenge")
    marked = db.session.execute(db.update(LivenessChallenge)
                                .where(LivenessChallenge.id == challenge.id, LivenessChallenge.used_at.is_(None))
                                .values(used_at=now)
                                .execution_options(synchronize_session=False))
    if marked.rowcount != 1:
        raise ChallengeInvalid(field="challenge")
    db.session.refresh(challenge)
    if now > challenge.expires_at:
        raise ChallengeExpired(field="challenge")
    return challenge
