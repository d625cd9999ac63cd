"""Checking a drawn signature before it is stored.

The signing page sends a drawing as a ``data:image/png;base64,...`` URL. It is accepted
only when it is a PNG of bounded size and dimensions whose header is intact and which is
complete. The standard library is enough for this: the image is never decoded or drawn
here, only its structure checked.
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib

MAX_SIGNATURE_BYTES = 150_000
MAX_WIDTH, MAX_HEIGHT = 3000, 1200  # device-pixel canvases can be large

DATA_URL_PREFIX = "data:image/png;base64,"
# The longest base64 text that can decode to MAX_SIGNATURE_BYTES (padded to whole quads).
MAX_BASE64_CHARS = 4 * -(-MAX_SIGNATURE_BYTES // 3)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IEND_CHUNK = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # length 0, type, CRC of b"IEND"
_IHDR_LENGTH = 13
# Signature, then the IHDR chunk (length, type, 13 bytes of data, CRC), then IEND.
_MIN_PNG_BYTES = len(PNG_SIGNATURE) + 4 + 4 + _IHDR_LENGTH + 4 + len(IEND_CHUNK)

UNREADABLE = "The drawn signature could not be read. Clear it and draw it again."
TOO_LARGE = "The drawn signature is too large. Clear it and draw it again."


class InvalidSignature(ValueError):
    """Message is shown to the signer, so plain words."""


def decode_signature(data_url: str) -> bytes | None:
    """The PNG bytes of a drawn signature sent as a data: URL, or None when nothing was
    drawn (empty string).

    Raises InvalidSignature for anything that is not a PNG of bounded size and dimensions.
    """
    data_url = data_url.strip()
    if not data_url:
        return None
    if not data_url.startswith(DATA_URL_PREFIX):
        raise InvalidSignature(UNREADABLE)
    encoded = data_url[len(DATA_URL_PREFIX) :]
    # Refuse a huge upload by its length alone, before any decoding work.
    if len(encoded) > MAX_BASE64_CHARS:
        raise InvalidSignature(TOO_LARGE)
    try:
        png = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSignature(UNREADABLE) from None
    if len(png) > MAX_SIGNATURE_BYTES:
        raise InvalidSignature(TOO_LARGE)
    _check_png(png)
    return png


def _check_png(png: bytes) -> None:
    if len(png) < _MIN_PNG_BYTES or not png.startswith(PNG_SIGNATURE):
        raise InvalidSignature(UNREADABLE)

    offset = len(PNG_SIGNATURE)
    length, chunk_type = struct.unpack_from(">I4s", png, offset)
    if length != _IHDR_LENGTH or chunk_type != b"IHDR":
        raise InvalidSignature(UNREADABLE)
    header = png[offset + 4 : offset + 8 + _IHDR_LENGTH]  # type and data
    (crc,) = struct.unpack_from(">I", png, offset + 8 + _IHDR_LENGTH)
    if zlib.crc32(header) != crc:
        raise InvalidSignature(UNREADABLE)

    width, height = struct.unpack_from(">II", png, offset + 8)
    if not (1 <= width <= MAX_WIDTH and 1 <= height <= MAX_HEIGHT):
        if width > MAX_WIDTH or height > MAX_HEIGHT:
            raise InvalidSignature(TOO_LARGE)
        raise InvalidSignature(UNREADABLE)

    if not png.endswith(IEND_CHUNK):
        raise InvalidSignature(UNREADABLE)
