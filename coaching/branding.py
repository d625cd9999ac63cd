"""A practice's brand: its logo and colour, on the pages, emails and PDFs its parties see.

The colour is kept only if white text on it is readable (WCAG AA, 4.5:1), since buttons
and the header put white text on it; links and headings put it on white, the same ratio.
A logo is a PNG or JPEG, decoded in full by Pillow, scaled down and encoded afresh, so
what is stored holds pixels and nothing else (no EXIF, no location, no comments).

Pages reached by a party's link load `/brand/<key>.css` and `/brand/<key>/logo`, where
`key` is a random, stable, per-coach identifier: the strict Content-Security-Policy
forbids inline styles, and the key reveals nothing and cannot be guessed.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import io
import logging
import re
import secrets
import threading
import weakref
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.urls import reverse

from coaching.models import CoachProfile

LOCAL_CACHE = "local"

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)

MIN_CONTRAST = 4.5
WHITE = "#ffffff"
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SOURCE_SIDE = 3000  # pixels, each side, of the uploaded image
LOGO_MIN_SIDE = 16
LOGO_BOX = (800, 320)  # the largest logo kept; twice the largest size it is shown at
LOGO_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}

_HEX = re.compile(r"#?([0-9a-f]{6}|[0-9a-f]{3})")


class LogoRefused(ValueError):
    """Why an uploaded logo cannot be used; the message is for the coach."""


def normalise_color(value: str) -> str:
    """`#rrggbb` in lower case, from `#RRGGBB`, `rrggbb` or `#rgb`; ValueError otherwise."""
    found = _HEX.fullmatch(value.strip().lower())
    if found is None:
        raise ValueError(value)
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return f"#{digits}"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in (red, green, blue))


def relative_luminance(color: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    red, green, blue = (linear(c) for c in _rgb(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def darker(color: str, factor: float) -> str:
    """The same hue, each channel scaled by `factor` (below 1: darker)."""
    return _hex(*(c * factor for c in _rgb(color)))


def readable_shade(color: str) -> str:
    """The colour itself if white text on it is readable, else the nearest darker shade
    that is (offered to the coach as a suggestion, never applied silently)."""
    factor = 1.0
    shade = color
    while contrast_ratio(shade, WHITE) < MIN_CONTRAST and factor > 0:
        factor = round(factor - 0.02, 2)
        shade = darker(color, factor)
    return shade


@dataclasses.dataclass(frozen=True)
class Logo:
    """A logo as stored: re-encoded pixels, and their size."""

    content: bytes
    extension: str
    width: int
    height: int


def logo_prepare(upload: IO[bytes]) -> Logo:
    """The uploaded file as a logo ready to store, or LogoRefused saying why not.

    At most LOGO_MAX_BYTES are read. The image is decoded in full (a truncated or
    disguised file is refused), flattened to its first frame, scaled down to fit
    LOGO_BOX and encoded again in its own format, without any of the file's metadata.
    """
    from PIL import Image  # only an upload of a logo needs Pillow, not every web process

    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise LogoRefused("The logo is larger than 1 MB. Save it smaller, or as a JPEG.")
    try:
        with (
            _whole_images_only(),
            Image.open(io.BytesIO(data), formats=list(LOGO_FORMATS)) as image,
        ):
            source_format = image.format or ""
            if max(image.size) > LOGO_MAX_SOURCE_SIDE:
                raise LogoRefused(
                    f"The logo is {image.width} by {image.height} pixels: at most "
                    f"{LOGO_MAX_SOURCE_SIDE} pixels on each side, please."
                )
            if min(image.size) < LOGO_MIN_SIDE:
                raise LogoRefused(
                    f"The logo is {image.width} by {image.height} pixels: at least "
                    f"{LOGO_MIN_SIDE} pixels on each side, so that it stays sharp."
                )
            image.load()
            pixels = _plain_pixels(image, keep_alpha=source_format == "PNG")
    except LogoRefused:
        raise
    except Image.DecompressionBombError:
        raise LogoRefused(
            f"The logo has far too many pixels: at most {LOGO_MAX_SOURCE_SIDE} pixels on "
            "each side, please."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise LogoRefused("This file is not a PNG or JPEG image that can be read.") from None
    pixels.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    extension, _ = LOGO_FORMATS[source_format]
    return Logo(
        content=_encoded(pixels, source_format),
        extension=extension,
        width=pixels.width,
        height=pixels.height,
    )


_STRICT_DECODING = threading.Lock()


@contextlib.contextmanager
def _whole_images_only() -> Iterator[None]:
    """Decode with Pillow refusing a cut-off image. WeasyPrint, once imported, has Pillow
    fill truncated images in for the whole process; the images it is given meanwhile (logos
    stored by `logo_prepare`, checked signatures) are whole, so the flag does not matter to
    them while it is off."""
    from PIL import ImageFile

    with _STRICT_DECODING:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _plain_pixels(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """The image's pixels in a fresh image (RGB, or RGBA when it has transparency), which
    carries none of the original's metadata."""
    transparent = keep_alpha and (
        image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    )
    from PIL import Image

    converted = image.convert("RGBA" if transparent else "RGB")
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def _encoded(image: Image.Image, image_format: str) -> bytes:
    output = io.BytesIO()
    if image_format == "JPEG":
        image.save(output, "JPEG", quality=90, optimize=True)
    else:
        image.save(output, "PNG", optimize=True)
    return output.getvalue()


def new_brand_key() -> str:
    return secrets.token_urlsafe(18)


def fit(width: int, height: int, *, box: tuple[int, int]) -> tuple[int, int]:
    """The logo's size scaled down (never up) to fit the box, in whole pixels."""
    scale = min(box[0] / width, box[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


@dataclasses.dataclass(frozen=True)
class Brand:
    """What a party's page, email or PDF shows of a practice."""

    key: str
    practice_name: str
    color: str  # "#rrggbb", or "" for the product's own colours
    logo_name: str  # the logo's name in storage, or ""
    logo_width: int
    logo_height: int

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_name)

    @property
    def revision(self) -> str:
        """Changes whenever the colour or the logo does, so cached copies are replaced."""
        return hashlib.sha256(f"{self.color}|{self.logo_name}".encode()).hexdigest()[:12]

    @property
    def hover_color(self) -> str:
        return darker(self.color, 0.8) if self.color else ""

    @property
    def css_url(self) -> str:
        return f"{reverse('coaching:brand-css', args=[self.key])}?v={self.revision}"

    @property
    def logo_url(self) -> str:
        return f"{reverse('coaching:brand-logo', args=[self.key])}?v={self.revision}"

    def without_logo(self) -> Brand:
        return dataclasses.replace(self, logo_name="", logo_width=0, logo_height=0)

    def logo_size(self, box: tuple[int, int]) -> tuple[int, int]:
        return fit(self.logo_width, self.logo_height, box=box)

    @property
    def header_logo_size(self) -> tuple[int, int]:
        return self.logo_size((240, 40))

    @property
    def email_logo_size(self) -> tuple[int, int]:
        return self.logo_size((280, 80))

    @property
    def logo_mimetype(self) -> str:
        return "image/jpeg" if self.logo_name.endswith(".jpg") else "image/png"

    @property
    def logo_cid(self) -> str:
        """The Content-ID of the logo inside an email (without its angle brackets)."""
        domain = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "localhost"
        return f"practice-logo.{self.revision}@{domain}"


def brand_of(profile: CoachProfile) -> Brand | None:
    """The practice's brand, or None when it has chosen neither a colour nor a logo."""
    if not profile.brand_key or not (profile.brand_color or profile.logo):
        return None
    return Brand(
        key=profile.brand_key,
        practice_name=profile.display_practice_name,
        color=profile.brand_color,
        logo_name=profile.logo.name or "",
        logo_width=profile.logo_width or 0,
        logo_height=profile.logo_height or 0,
    )


def logo_bytes(brand: Brand) -> bytes | None:
    """The stored logo, or None (with a warning logged) if storage cannot give it back:
    a missing logo never stops an email or a PDF."""
    if not brand.has_logo:
        return None
    try:
        with default_storage.open(brand.logo_name, "rb") as file:
            data: bytes = file.read(LOGO_MAX_BYTES + 1)
    except OSError as error:
        logger.warning("A practice's logo could not be read: %s", type(error).__name__)
        return None
    return data


def logo_for_print(brand: Brand) -> str | None:
    """The logo as a data: URL of an opaque image (flattened on white), for a PDF: PDF/A
    wants every byte inside the file, and an opaque image keeps transparency out of it."""
    from PIL import Image

    data = logo_bytes(brand)
    if data is None:
        return None
    if brand.logo_mimetype == "image/jpeg":
        return f"data:image/jpeg;base64,{base64.b64encode(data).decode()}"
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            rgba = image.convert("RGBA")
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        logger.warning("A practice's stored logo could not be decoded.")
        return None
    flat = Image.new("RGB", rgba.size, WHITE)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    output = io.BytesIO()
    flat.save(output, "PNG")  # WeasyPrint re-encodes the pixels: compressing harder is lost
    return f"data:image/png;base64,{base64.b64encode(output.getvalue()).decode()}"


def brand_css(brand: Brand) -> str:
    """The custom properties app.css reads, set to the practice's colour."""
    if not brand.color:
        return "/* This practice uses the standard colours. */\n"
    red, green, blue = _rgb(brand.color)
    hover = brand.hover_color
    h_red, h_green, h_blue = _rgb(hover)
    return (
        ":root {\n"
        f"  --brand: {brand.color};\n"
        f"  --brand-dark: {hover};\n"
        f"  --bs-link-color: {brand.color};\n"
        f"  --bs-link-color-rgb: {red}, {green}, {blue};\n"
        f"  --bs-link-hover-color: {hover};\n"
        f"  --bs-link-hover-color-rgb: {h_red}, {h_green}, {h_blue};\n"
        "}\n"
    )


# The coach whose brand a page reached by a party's link shows, noted by the view that
# checked the link (contracts.access) and read by the `party_brand` context processor.
_PARTY_PAGES: weakref.WeakKeyDictionary[HttpRequest, int] = weakref.WeakKeyDictionary()

# Every page reached by a party's link shows the practice's brand, which changes rarely:
# each process keeps it a minute (in the `local` cache), and forgets it at once when the
# coach changes it there. Another process shows the change within the minute.
BRAND_SECONDS = 60
_NO_BRAND = "none"


def mark_party_page(request: HttpRequest, *, coach_id: int) -> None:
    """This request is a party's, for an agreement of this coach: show the coach's brand."""
    _PARTY_PAGES[request] = coach_id


def _brand_cache_key(coach_id: int) -> str:
    return f"brand:{coach_id}"


def forget_brand(coach_id: int) -> None:
    """The practice's brand changed: read it afresh next time."""
    caches[LOCAL_CACHE].delete(_brand_cache_key(coach_id))


def party_brand(request: HttpRequest) -> Brand | None:
    coach_id = _PARTY_PAGES.get(request)
    if coach_id is None:
        return None
    cache = caches[LOCAL_CACHE]
    key = _brand_cache_key(coach_id)
    brand: Brand | str | None = cache.get(key)
    if brand is None:
        profile = CoachProfile.objects.select_related("coach").filter(coach_id=coach_id).first()
        brand = (brand_of(profile) if profile is not None else None) or _NO_BRAND
        cache.set(key, brand, BRAND_SECONDS)
    return brand if isinstance(brand, Brand) else None
