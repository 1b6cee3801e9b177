"""The ``face`` dialect's blueprint: rate limits, the cross-site check and error bodies."""
from __future__ import annotations

from flask import Blueprint

from ...common.errors import DomainError
from ...extensions import limiter
from . import errors
from .auth import check_origin, rate_limit_key

bp = Blueprint("face", __name__)

#: One budget per caller (the cookie's token, else the address) for the whole dialect.
DEFAULT_LIMIT = "60 per minute"
limiter.shared_limit(DEFAULT_LIMIT, scope="face", key_func=rate_limit_key)(bp)

bp.before_request(check_origin)


@bp.errorhandler(errors.ApiError)
def _api_error(exc: errors.ApiError):
    return errors.fail(exc.message, exc.status)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return errors.from_domain_error(exc)
