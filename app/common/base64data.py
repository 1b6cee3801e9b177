"""Base64 text that carries a file (a photo sent inside JSON), decoded once for every client.

Accepted forms — what browsers, phones and scripts actually send:

- bare base64 (contract 003's ``"image": "base64_image_data"``, contract 002's ``photo``);
- a data URL, ``data:[<media type>][;<parameter>]*;base64,<data>`` (RFC 2397; what a
  browser canvas's ``toDataURL`` gives);
- the standard or the URL-safe alphabet (RFC 4648 §4 and §5);
- with or without the ``=`` padding (JavaScript and URL-safe encoders often drop it);
- line breaks and spaces anywhere (MIME's 76-character lines, RFC 2045 §6.8).

Anything else is refused.  Sizes are checked on the text before decoding, so an
oversized upload costs no memory beyond the request itself.
"""
from __future__ import annotations

import base64
import binascii
import re

_DATA_URL = re.compile(r"^data:[a-zA-Z0-9!#$&^_.+/=;-]{0,100};base64,", re.ASCII | re.IGNORECASE)
_B64 = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_SPACE = re.compile(r"\s+")


class Base64Invalid(ValueError):
    """The text is not base64 (in any of the accepted forms)."""


class Base64TooLarge(ValueError):
    """The decoded data would be larger than allowed."""


def decode_base64_text(value, *, max_bytes: int) -> bytes:
    """The bytes that ``value`` (base64 text in one of the module's forms) carries.

    :param max_bytes: the most decoded bytes accepted.
    :raises Base64TooLarge: the data would exceed ``max_bytes`` (told from the text's length).
    :raises Base64Invalid: not a non-empty string, or not base64.
    """
    if not isinstance(value, str) or not value.strip():
        raise Base64Invalid("empty or not text")
    limit = (max_bytes * 4) // 3 + 4  # base64 length of max_bytes, padded
    if len(value) > limit + limit // 38 + 1024:  # room for a data-URL head and MIME line breaks
        raise Base64TooLarge("too large")
    text = _DATA_URL.sub("", value.strip(), count=1)
    raw = _SPACE.sub("", text).encode("ascii", "replace").translate(_URLSAFE)
    if len(raw) > limit:
        raise Base64TooLarge("too large")
    if raw and len(raw) % 4 and not raw.endswith(b"="):
        raw += b"=" * (-len(raw) % 4)
    if not raw or len(raw) % 4 or not _B64.match(raw):
        raise Base64Invalid("not base64")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise Base64Invalid("not base64") from None
    if len(data) > max_bytes:
        raise Base64TooLarge("too large")
    return data
