import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from contracts.signing.signature_image import (
    MAX_HEIGHT,
    MAX_SIGNATURE_BYTES,
    MAX_WIDTH,
    InvalidSignature,
    decode_signature,
)

PREFIX = "data:image/png;base64,"


def chunk(chunk_type: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + chunk_type
        + data
        + struct.pack(">I", zlib.crc32(chunk_type + data))
    )


def make_png(width: int = 4, height: int = 3) -> bytes:
    """A real RGBA PNG, transparent apart from one dark pixel."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = []
    for y in range(height):
        pixels = bytearray(4 * width)
        if y == 0:
            pixels[0:4] = b"\x1d\x2a\x44\xff"
        rows.append(b"\x00" + bytes(pixels))  # filter type 0 for each scanline
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def data_url(png: bytes) -> str:
    return PREFIX + base64.b64encode(png).decode("ascii")


def test_a_valid_png_round_trips_to_the_same_bytes() -> None:
    png = make_png()
    assert decode_signature(data_url(png)) == png


def test_the_largest_allowed_dimensions_are_accepted_and_stored_smaller() -> None:
    png = make_png(MAX_WIDTH, MAX_HEIGHT)
    assert len(png) <= MAX_SIGNATURE_BYTES
    stored = decode_signature(data_url(png))
    assert stored is not None
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        assert image.size == (1000, 400), "proportions kept, within the stored bounds"


def test_nothing_drawn_is_none() -> None:
    assert decode_signature("") is None


@pytest.mark.parametrize(
    "value",
    [
        "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0").decode(),
        "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(),
        "data:image/png," + base64.b64encode(make_png()).decode(),
        "hello, this is my signature",
        base64.b64encode(make_png()).decode(),
    ],
)
def test_anything_but_a_base64_png_data_url_is_refused(value: str) -> None:
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(value)


@pytest.mark.parametrize(
    "encoded",
    [
        "not base64 at all!",
        base64.b64encode(make_png()).decode().rstrip("=") + "A",  # broken padding
        "iVBORw0KGgo\nAAAA",  # a newline is not base64
        "iVBORw0KGgoAAAA€",  # nor is anything outside ASCII
    ],
)
def test_invalid_base64_is_refused(encoded: str) -> None:
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(PREFIX + encoded)


@pytest.mark.parametrize(
    "payload",
    [
        b"GIF89a" + b"\x00" * 60,
        b"plain text pretending to be a picture, long enough to pass a length check",
        b"\x89PNG\r\n\x1a\n",  # the signature and nothing else
        b"\x89PNG\r\n\x1a\n" + chunk(b"IDAT", b"\x00" * 13) + chunk(b"IEND", b""),
    ],
)
def test_bytes_that_are_not_a_png_are_refused(payload: bytes) -> None:
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(data_url(payload))


def test_a_corrupted_header_crc_is_refused() -> None:
    png = bytearray(make_png())
    png[29] ^= 0xFF  # the first byte of the IHDR CRC (8 signature + 4 length + 4 type + 13)
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(data_url(bytes(png)))


def test_a_header_changed_without_fixing_its_crc_is_refused() -> None:
    png = bytearray(make_png())
    png[16:20] = struct.pack(">I", 5)  # width, altered after the CRC was computed
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(data_url(bytes(png)))


def test_a_truncated_png_is_refused() -> None:
    png = make_png()
    for cut in (12, 1, len(png) // 2):
        with pytest.raises(InvalidSignature, match="could not be read"):
            decode_signature(data_url(png[:-cut]))


def test_zero_width_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(data_url(make_png(width=0)))


def test_zero_height_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(data_url(make_png(height=0)))


@pytest.mark.parametrize(
    ("width", "height"), [(MAX_WIDTH + 1, 10), (10, MAX_HEIGHT + 1), (2**31, 2**31)]
)
def test_dimensions_over_the_limit_are_refused(width: int, height: int) -> None:
    # Only the header is read, so the pixel data need not match these dimensions.
    png = make_png()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    png = png[:8] + chunk(b"IHDR", ihdr) + png[33:]
    with pytest.raises(InvalidSignature, match="too large"):
        decode_signature(data_url(png))


def test_an_oversized_payload_is_refused_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def must_not_decode(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the payload was decoded")

    monkeypatch.setattr("contracts.signing.signature_image.base64.b64decode", must_not_decode)
    with pytest.raises(InvalidSignature, match="too large"):
        decode_signature(PREFIX + "A" * 400_000)


def test_a_payload_just_over_the_byte_limit_is_refused() -> None:
    png = make_png()
    padded = png + b"\x00" * (MAX_SIGNATURE_BYTES + 1 - len(png))
    with pytest.raises(InvalidSignature, match="too large"):
        decode_signature(data_url(padded))


def test_messages_are_in_plain_words() -> None:
    with pytest.raises(InvalidSignature) as refused:
        decode_signature("data:text/plain,hello")
    assert str(refused.value) == (
        "The drawn signature could not be read. Clear it and draw it again."
    )
