"""Translation helpers."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction by ``pybabel extract`` without translating it now.

    Used for texts translated later in another locale (e.g. notifications,
    always written in the organisation's default language).
    """
    return message
