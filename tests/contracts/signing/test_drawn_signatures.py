"""Drawn signatures: only what Pillow decodes in full is kept, as a clean PNG of bounded
size; a stored drawing that cannot be drawn never stops the sealed PDF."""

import base64
import io
import logging
import struct
import zlib

import pytest
import weasyprint  # noqa: F401  # loaded by every web process, it changes Pillow's defaults
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFile, PngImagePlugin
from pypdf import PdfReader

from coaching.models import User
from contracts.documents.seal import seal_status
from contracts.models import AgreementStatus, SignerRole
from contracts.signing.signature_image import (
    MAX_SIGNATURE_BYTES,
    InvalidSignature,
    decode_signature,
)
from tests.contracts.signing_helpers import (
    confirmations,
    link_for,
    send_agreement,
    sign_as_coach,
    sign_by_link,
    signer,
)

pytestmark = pytest.mark.django_db

PREFIX = "data:image/png;base64,"


def chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data)
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def ihdr(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 6) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))


def png_of(chunks: list[bytes]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def forty_five_byte_png() -> bytes:
    """A header and an end, and no pixels at all: structurally a PNG, but nothing to draw."""
    png = png_of([ihdr(1, 1), chunk(b"IEND", b"")])
    assert len(png) == 45
    return png


def drawing(width: int = 600, height: int = 150, **info: str) -> bytes:
    """A real stroke on a transparent canvas, as the signing page sends it."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [
            (width // 10, height * 3 // 4),
            (width // 2, height // 4),
            (width * 9 // 10, height // 2),
        ],
        fill=(29, 42, 68, 255),
        width=max(2, width // 200),
    )
    text = PngImagePlugin.PngInfo()
    for key, value in info.items():
        text.add_text(key, value)
        text.add_text(f"{key}-z", value, zip=True)
        text.add_itxt(f"{key}-i", value, lang="en", tkey=key)
    output = io.BytesIO()
    image.save(output, format="PNG", pnginfo=text)
    return output.getvalue()


def data_url(png: bytes) -> str:
    return PREFIX + base64.b64encode(png).decode("ascii")


def chunks_of(png: bytes) -> list[tuple[bytes, bytes]]:
    found, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack_from(">I", png, offset)
        found.append((png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return found


def chunk_types(png: bytes) -> list[bytes]:
    return [kind for kind, _ in chunks_of(png)]


def test_a_45_byte_png_without_pixels_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(data_url(forty_five_byte_png()))


def test_a_png_whose_pixel_data_stops_short_is_refused() -> None:
    # As in every web process, where WeasyPrint has Pillow fill in truncated images.
    assert ImageFile.LOAD_TRUNCATED_IMAGES
    rows = b"".join(b"\x00" + b"\x1d\x2a\x44\xff" * 40 for _ in range(20))
    whole = zlib.compress(rows)
    half_the_rows = zlib.compress(rows[: len(rows) // 2])
    # Every chunk is well formed and the file ends properly; only the pixels run out.
    short_stream = png_of(
        [ihdr(40, 20), chunk(b"IDAT", whole[: len(whole) // 2]), chunk(b"IEND", b"")]
    )
    real = [
        chunk(kind, data[: len(data) // 2] if kind == b"IDAT" else data)
        for kind, data in chunks_of(drawing())
    ]
    for png in (
        short_stream,
        png_of([ihdr(40, 20), chunk(b"IDAT", half_the_rows), chunk(b"IEND", b"")]),
        png_of(real),
    ):
        with pytest.raises(InvalidSignature, match="could not be read"):
            decode_signature(data_url(png))


def test_a_decompression_bomb_is_refused_by_its_header_before_any_decoding() -> None:
    # 30,000 by 30,000 one-bit pixels: 112 MB of scanlines, compressed to a few dozen KB.
    width = height = 30_000
    row = b"\x00" + b"\x00" * (width // 8)
    packer = zlib.compressobj(9)
    stream = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    bomb = png_of(
        [
            ihdr(width, height, bit_depth=1, colour_type=0),
            chunk(b"IDAT", stream),
            chunk(b"IEND", b""),
        ]
    )
    assert len(bomb) < MAX_SIGNATURE_BYTES, "small enough to pass the size limit"
    with pytest.raises(InvalidSignature, match="too large"):
        decode_signature(data_url(bomb))


def test_metadata_is_stripped_and_only_the_pixels_are_kept() -> None:
    uploaded = drawing(Author="Mallory", Comment="<script>alert(1)</script>")
    exif = Image.Exif()
    exif[0x010E] = "a description nobody asked for"  # ImageDescription
    with Image.open(io.BytesIO(uploaded)) as image:
        with_exif = io.BytesIO()
        image.save(
            with_exif,
            format="PNG",
            pnginfo=PngImagePlugin.PngInfo(),
            exif=exif,
            dpi=(300, 300),
            icc_profile=b"\x00" * 128,
        )
    uploaded = with_exif.getvalue()
    assert {b"eXIf", b"pHYs", b"iCCP"} <= set(chunk_types(uploaded))

    stored = decode_signature(data_url(uploaded))

    assert stored is not None
    assert set(chunk_types(stored)) == {b"IHDR", b"IDAT", b"IEND"}
    assert b"Mallory" not in stored and b"description" not in stored
    with Image.open(io.BytesIO(stored)) as image, Image.open(io.BytesIO(uploaded)) as original:
        assert image.mode == "RGBA"
        assert image.size == original.size
        assert image.getbbox() == original.convert("RGBA").getbbox(), "the stroke is kept"


def test_a_large_canvas_is_stored_at_a_bounded_size_in_proportion() -> None:
    stored = decode_signature(data_url(drawing(2400, 600)))
    assert stored is not None
    with Image.open(io.BytesIO(stored)) as image:
        assert image.width <= 1200 and image.height <= 400
        assert image.size == (1200, 300)
        assert image.getbbox() is not None, "the stroke survives the reduction"


@pytest.mark.parametrize("kind", ["JPEG", "GIF", "WEBP", "BMP"])
def test_another_image_format_sent_as_a_png_is_refused(kind: str) -> None:
    image = Image.new("RGB", (200, 60), (255, 255, 255))
    ImageDraw.Draw(image).line([(10, 50), (190, 10)], fill=(0, 0, 0), width=3)
    output = io.BytesIO()
    image.save(output, format=kind)
    with pytest.raises(InvalidSignature, match="could not be read"):
        decode_signature(data_url(output.getvalue()))


def test_the_signing_page_refuses_a_bad_drawing_under_the_pad_and_keeps_the_rest(
    coach: User,
) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    http = HttpClient()
    form = {**confirmations(http, path), "typed_name": "Jamie Client"}

    response = http.post(path, {**form, "drawn_signature": data_url(forty_five_byte_png())})

    assert response.status_code == 400
    page = response.content.decode()
    pad = page.index("data-signature-pad")
    assert "could not be read" in page[pad:], "the message is shown under the signature pad"
    assert page.index('href="#id_drawn_signature"') < pad, "and listed at the top of the form"
    assert 'value="Jamie Client"' in page, "the typed name is kept"
    assert 'name="drawn_signature" id="id_drawn_signature" value=""' in page
    assert signer(version, SignerRole.CLIENT).signed_at is None

    assert http.post(path, {**form, "drawn_signature": ""}).status_code == 302
    assert signer(version, SignerRole.CLIENT).signed_at is not None


def test_a_stored_drawing_that_cannot_be_drawn_still_gives_a_sealed_pdf(
    coach: User, signed_in: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    client = signer(version, SignerRole.CLIENT)
    sponsor = signer(version, SignerRole.SPONSOR)
    sign_by_link(link_for(client.email), name="Jamie Client", drawn_signature=data_url(drawing()))
    # A drawing kept before drawings were decoded on arrival: it cannot be drawn.
    client.refresh_from_db()
    client.drawn_signature = forty_five_byte_png()
    client.save(update_fields=["drawn_signature"])
    sign_by_link(link_for(sponsor.email), name=sponsor.name, drawn_signature=data_url(drawing()))
    sign_as_coach(signed_in, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    with caplog.at_level(logging.WARNING, logger="contracts.documents.pdf"):
        response = signed_in.get(
            reverse("contracts:agreement-pdf", args=[agreement.pk, "executed"])
        )
        assert response.status_code == 200
        pdf = b"".join(response)

    status = seal_status(pdf)
    assert status.bottom_line and status.intact and status.trusted
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "The signature drawn by Jamie Client could not be reproduced" in text
    assert "drawn signature given but not reproduced" in text, "said in the certificate"
    assert "Jamie Client Typed signature" in text
    drawn = {image.data for page in reader.pages for image in page.images}
    assert len(drawn) == 1, "the sponsor's drawing is still there"
    warnings = [record.getMessage() for record in caplog.records]
    assert any("cannot be drawn" in message for message in warnings)
    assert not any(client.email in message for message in warnings)
