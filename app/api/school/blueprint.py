"""The ``school`` dialect's blueprint, shared by its route modules."""
from flask import Blueprint

from ...common.errors import DomainError
from ...extensions import limiter
from . import envelope
from .auth import rate_limit_key

bp = Blueprint("school", __name__)

#: One budget per caller (token's user, else address) for the whole dialect.
DEFAULT_LIMIT = "60 per minute"
limiter.shared_limit(DEFAULT_LIMIT, scope="school", key_func=rate_limit_key)(bp)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return envelope.from_domain_error(exc)
