"""Images to upload as logos, and a coach with a brand."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from coaching import services
from coaching.branding import logo_prepare
from coaching.models import CoachProfile, User

BRAND_COLOR = "#7a1f5c"


def png(
    width: int = 400,
    height: int = 120,
    *,
    color: tuple[int, int, int, int] = (122, 31, 92, 255),
    text: dict[str, str] | None = None,
) -> bytes:
    image = Image.new("RGBA", (width, height), color)
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    output = io.BytesIO()
    image.save(output, "PNG", pnginfo=info)
    return output.getvalue()


def jpeg(width: int = 400, height: int = 120, *, exif: bytes = b"") -> bytes:
    image = Image.new("RGB", (width, height), (31, 78, 95))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=80, exif=exif)
    return output.getvalue()


def upload(
    data: bytes, name: str = "logo.png", content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def brand_coach(
    coach: User, *, color: str = BRAND_COLOR, logo: bytes | None = None
) -> CoachProfile:
    """Give the coach a colour and a logo (a PNG unless another is given)."""
    profile = CoachProfile.objects.get(coach=coach)
    services.coach_update_brand(
        profile=profile,
        color=color,
        logo=logo_prepare(io.BytesIO(png() if logo is None else logo)),
    )
    profile.refresh_from_db()
    return profile
