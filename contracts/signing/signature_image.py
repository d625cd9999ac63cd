"""Checking a drawn signature before it is stored, and storing only a clean copy of it.

The signing page sends a drawing as a ``data:image/png;base64,...`` URL. It is accepted
only when it is a complete PNG of bounded size and dimensions that Pillow decodes in
full. Its header is read before anything is decompressed, so a small file that claims
millions of pixels is refused unread. What is stored is never the upload itself but the
decoded pixels written afresh as an RGBA PNG no larger than STORED_MAX_SIZE, without
any of the upload's metadata (text, colour profiles, EXIF, timestamps).
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zlib
from collections.abc import Iterator

MAX_SIGNATURE_BYTES = 150_000
MAX_WIDTH, MAX_HEIGHT = 3000, 1200  # device-pixel canvases can be large
# What is kept: enough for the 70 mm by 18 mm box of the PDF at over 400 dpi.
STORED_MAX_SIZE = (1200, 400)

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

# Everything Pillow raises for a file it cannot decode.
_DECODING_ERRORS = (OSError, SyntaxError, ValueError, EOFError, zlib.error, struct.error)


class InvalidSignature(ValueError):
    """Message is shown to the signer, so plain words."""


def decode_signature(data_url: str) -> bytes | None:
    """A clean PNG of a drawn signature sent as a data: URL, or None when nothing was
    drawn (empty string).

    Raises InvalidSignature for anything that is not a PNG of bounded size and dimensions
    that decodes in full.
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
    return clean_png(png)


def _check_png(png: bytes) -> None:
    """The structure, the header and the amount of pixel data, before any decoding.

    Every chunk must be whole with its checksum right, the header first and IEND last,
    and the compressed pixel data must inflate to exactly what the header announces (no
    more is ever inflated). Pillow alone would not do: with WeasyPrint loaded, it fills a
    truncated image in silently (ImageFile.LOAD_TRUNCATED_IMAGES).
    """
    if len(png) < _MIN_PNG_BYTES or not png.startswith(PNG_SIGNATURE):
        raise InvalidSignature(UNREADABLE)
    chunks = list(_chunks(png))
    kind, header = chunks[0]
    if kind != b"IHDR" or len(header) != _IHDR_LENGTH:
        raise InvalidSignature(UNREADABLE)
    width, height, bit_depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if not (1 <= width <= MAX_WIDTH and 1 <= height <= MAX_HEIGHT):
        if width > MAX_WIDTH or height > MAX_HEIGHT:
            raise InvalidSignature(TOO_LARGE)
        raise InvalidSignature(UNREADABLE)
    if chunks[-1] != (b"IEND", b"") or not png.endswith(IEND_CHUNK):
        raise InvalidSignature(UNREADABLE)
    if colour_type not in _CHANNELS or interlace not in (0, 1):
        raise InvalidSignature(UNREADABLE)
    expected = _scanline_bytes(
        width, height, bits=bit_depth * _CHANNELS[colour_type], interlaced=interlace == 1
    )
    pixel_data = b"".join(data for kind, data in chunks if kind == b"IDAT")
    if _inflated_size(pixel_data, limit=expected) != expected:
        raise InvalidSignature(UNREADABLE)


def _chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each chunk's type and data, checksums checked; InvalidSignature if one is cut."""
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 12 > len(png):
            raise InvalidSignature(UNREADABLE)
        length, kind = struct.unpack_from(">I4s", png, offset)
        end = offset + 8 + length
        if end + 4 > len(png):
            raise InvalidSignature(UNREADABLE)
        (crc,) = struct.unpack_from(">I", png, end)
        if zlib.crc32(png[offset + 4 : end]) != crc:
            raise InvalidSignature(UNREADABLE)
        yield kind, png[offset + 8 : end]
        offset = end + 4


# Samples per pixel for each PNG colour type: grey, RGB, palette, grey+alpha, RGBA.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7: each pass's first column and row, and its steps across and down.
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


def _scanline_bytes(width: int, height: int, *, bits: int, interlaced: bool) -> int:
    """How many bytes the pixel data inflates to: each row, plus its filter byte."""
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    total = 0
    for x, y, dx, dy in passes:
        columns, rows = -(-(width - x) // dx), -(-(height - y) // dy)
        if columns > 0 and rows > 0:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total


def _inflated_size(data: bytes, *, limit: int) -> int | None:
    """The size `data` inflates to, counted without keeping it; None when the stream is
    broken or unfinished, or inflates to more than `limit`."""
    inflater = zlib.decompressobj()
    size, pending = 0, data
    try:
        while size <= limit:
            inflated = inflater.decompress(pending, 1 << 20)
            pending = inflater.unconsumed_tail
            size += len(inflated)
            if inflater.eof or not (inflated or pending):
                break
    except zlib.error:
        return None
    return size if inflater.eof and size <= limit else None


def clean_png(png: bytes) -> bytes:
    """Decode a checked PNG in full and write its pixels afresh: RGBA, at most
    STORED_MAX_SIZE (the proportions kept), and nothing but the pixels."""
    from PIL import Image  # only a request carrying a drawing needs Pillow

    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            if image.width * image.height > MAX_WIDTH * MAX_HEIGHT:
                raise InvalidSignature(TOO_LARGE)
            if getattr(image, "n_frames", 1) != 1:
                raise InvalidSignature(UNREADABLE)  # an animation, not a drawing
            image.load()
            pixels = image.convert("RGBA")
        pixels.thumbnail(STORED_MAX_SIZE, Image.Resampling.LANCZOS)
        clean = Image.frombytes("RGBA", pixels.size, pixels.tobytes())
        output = io.BytesIO()
        clean.save(output, format="PNG")
    except Image.DecompressionBombError:
        raise InvalidSignature(TOO_LARGE) from None
    except _DECODING_ERRORS:
        raise InvalidSignature(UNREADABLE) from None
    return output.getvalue()
