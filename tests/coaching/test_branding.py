"""A practice's logo and colour: what is accepted, what is stored, and how it is served."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image, ImageFile

from coaching.branding import (
    LOGO_BOX,
    MIN_CONTRAST,
    WHITE,
    contrast_ratio,
    normalise_color,
    readable_shade,
)
from coaching.models import CoachProfile, User
from tests.coaching.branding_helpers import BRAND_COLOR, brand_coach, jpeg, png, upload

pytestmark = pytest.mark.django_db

BRANDING = "/accounts/branding/"


def post_branding(http: HttpClient, **data: object) -> str:
    response = http.post(reverse("coaching:branding"), data)
    return response.content.decode() if response.status_code != 302 else ""


def profile_of(coach: User) -> CoachProfile:
    return CoachProfile.objects.get(coach=coach)


def test_the_branding_page_is_reached_from_the_profile(signed_in: HttpClient) -> None:
    assert reverse("coaching:branding") == BRANDING
    page = signed_in.get(reverse("coaching:profile")).content.decode()
    assert f'href="{BRANDING}"' in page
    assert "Add your logo and colour" in page


@pytest.mark.parametrize(
    ("given", "stored"),
    [("#7A1F5C", "#7a1f5c"), ("7a1f5c", "#7a1f5c"), (" #123 ", "#112233"), ("", "")],
)
def test_a_colour_is_stored_as_six_lower_case_digits(
    given: str, stored: str, coach: User, signed_in: HttpClient
) -> None:
    assert post_branding(signed_in, brand_color=given) == ""
    assert profile_of(coach).brand_color == stored


@pytest.mark.parametrize(
    "given", ["red", "#12345", "#1234567", "#ggg000", "rgb(0,0,0)", "##123456"]
)
def test_a_colour_that_is_not_hexadecimal_is_refused_at_the_field(
    given: str, coach: User, signed_in: HttpClient
) -> None:
    page = post_branding(signed_in, brand_color=given)
    assert "Enter the colour as # and six hexadecimal digits" in page
    assert 'id="error_1_id_brand_color"' in page, "the error is at the field"
    assert profile_of(coach).brand_color == ""


def test_a_colour_too_light_for_white_text_is_refused_with_a_darker_suggestion(
    coach: User, signed_in: HttpClient
) -> None:
    page = post_branding(signed_in, brand_color="#FFCC00")
    assert "White text on #FFCC00 is hard to read (contrast 1.5 to 1" in page
    suggestion = readable_shade("#ffcc00")
    assert f"such as {suggestion.upper()}" in page
    assert contrast_ratio(suggestion, WHITE) >= MIN_CONTRAST
    assert profile_of(coach).brand_color == ""
    assert post_branding(signed_in, brand_color=suggestion) == "", "the suggestion is accepted"


def test_contrast_follows_wcag() -> None:
    assert round(contrast_ratio("#000000", WHITE), 1) == 21.0
    assert round(contrast_ratio("#767676", WHITE), 2) == 4.54, "the lightest grey that passes AA"
    assert contrast_ratio("#777777", WHITE) < MIN_CONTRAST
    assert normalise_color("#ABC") == "#aabbcc"
    assert readable_shade("#1f4e5f") == "#1f4e5f", "a readable colour is left alone"


def test_a_logo_is_stored_scaled_down_and_served_under_the_practices_key(
    coach: User, signed_in: HttpClient
) -> None:
    assert post_branding(signed_in, logo=upload(png(1600, 400)), brand_color="") == ""
    profile = profile_of(coach)
    assert profile.brand_key and len(profile.brand_key) >= 24
    assert str(profile.logo.name).startswith(f"brand/logos/{profile.brand_key}-")
    assert (profile.logo_width, profile.logo_height) == (LOGO_BOX[0], 200)

    response = HttpClient().get(reverse("coaching:brand-logo", args=[profile.brand_key]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    with Image.open(io.BytesIO(response.content)) as served:
        assert served.size == (800, 200)


def test_a_logos_metadata_is_not_kept(coach: User) -> None:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0131] = "SecretEditor"  # Software
    brand_coach(coach, logo=jpeg(exif=exif.tobytes()))
    stored = default_storage.open(str(profile_of(coach).logo.name)).read()
    assert b"CameraMaker" not in stored and b"SecretEditor" not in stored
    assert b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"

    brand_coach(coach, logo=png(text={"Comment": "home address 12 Elm Street"}))
    stored = default_storage.open(str(profile_of(coach).logo.name)).read()
    assert b"Elm Street" not in stored


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG header that declares a size, with a tiny body: a decompression bomb's shape."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def _gif() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (100, 40)).save(output, "GIF")
    return output.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just some text", "logo.png", "not a PNG or JPEG image that can be read"),
        (SVG, "logo.svg", "not a PNG or JPEG image that can be read"),
        (_gif(), "logo.gif", "not a PNG or JPEG image that can be read"),
        (png()[:200], "logo.png", "not a PNG or JPEG image that can be read"),
        (b"\x00" * (1024 * 1024 + 1), "logo.png", "larger than 1 MB"),
        (_png_declaring(40000, 40000), "logo.png", "far too many pixels: at most 3000"),
        (_png_declaring(2900, 2900), "logo.png", "not a PNG or JPEG image that can be read"),
        (png(4000, 100), "logo.png", "4000 by 100 pixels: at most 3000"),
        (png(200, 8), "logo.png", "at least 16 pixels on each side"),
    ],
    ids=["text", "svg", "gif", "truncated", "too-heavy", "bomb", "empty", "too-wide", "too-thin"],
)
def test_a_file_that_is_not_a_usable_logo_is_refused_at_the_field(
    data: bytes, name: str, message: str, coach: User, signed_in: HttpClient
) -> None:
    page = post_branding(signed_in, logo=upload(data, name), brand_color=BRAND_COLOR)
    assert message in page
    assert 'id="error_1_id_logo"' in page, "the error is at the field"
    profile = profile_of(coach)
    assert not profile.logo and profile.brand_color == "", "nothing was saved"


@pytest.mark.parametrize("data", [png()[:200], jpeg()[:300]], ids=["png", "jpeg"])
def test_a_cut_off_logo_is_refused_in_a_process_that_makes_pdfs(
    data: bytes, coach: User, signed_in: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WeasyPrint, once imported, has Pillow fill in truncated images for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    page = post_branding(signed_in, logo=upload(data), brand_color=BRAND_COLOR)
    assert "not a PNG or JPEG image that can be read" in page
    assert not profile_of(coach).logo
    assert ImageFile.LOAD_TRUNCATED_IMAGES, "PDFs are made as before"


def test_a_new_logo_replaces_the_old_file_and_remove_deletes_it(
    coach: User, signed_in: HttpClient, django_capture_on_commit_callbacks: object
) -> None:
    brand_coach(coach)
    first = str(profile_of(coach).logo.name)
    key = profile_of(coach).brand_key
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert post_branding(signed_in, logo=upload(jpeg(), "new.jpg", "image/jpeg")) == ""
    profile = profile_of(coach)
    assert str(profile.logo.name).endswith(".jpg") and profile.brand_key == key, "the key stays"
    assert not default_storage.exists(first)

    second = str(profile.logo.name)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert post_branding(signed_in, remove_logo="on", brand_color=BRAND_COLOR) == ""
    profile = profile_of(coach)
    assert not profile.logo and profile.logo_width is None
    assert not default_storage.exists(second)
    assert HttpClient().get(reverse("coaching:brand-logo", args=[key])).status_code == 404


def test_choosing_a_new_logo_and_removing_it_at_once_is_refused(
    coach: User, signed_in: HttpClient
) -> None:
    brand_coach(coach)
    before = str(profile_of(coach).logo.name)
    page = post_branding(signed_in, logo=upload(png()), remove_logo="on")
    assert "Choose a new logo or remove the logo, not both at once." in page
    assert str(profile_of(coach).logo.name) == before


def test_the_brand_stylesheet_sets_the_colours_app_css_reads(coach: User) -> None:
    key = brand_coach(coach, color="#7a1f5c").brand_key
    response = HttpClient().get(reverse("coaching:brand-css", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "public" in response["Cache-Control"]
    css = response.content.decode()
    assert "--brand: #7a1f5c;" in css
    assert "--bs-link-color-rgb: 122, 31, 92;" in css
    assert "--brand-dark: #62194a;" in css, "hover is a darker shade"


@pytest.mark.parametrize("method", ["get", "post", "head"])
@pytest.mark.parametrize("key", ["x", "not-a-key", "a" * 500, "0", "-_-"])
def test_brand_urls_answer_404_or_405_to_unknown_keys(key: str, method: str, coach: User) -> None:
    brand_coach(coach)
    for name in ("coaching:brand-css", "coaching:brand-logo"):
        status = getattr(HttpClient(), method)(reverse(name, args=[key])).status_code
        assert status == (405 if method == "post" else 404), (name, key, status)


def test_a_practice_without_a_brand_has_no_stylesheet_or_logo(coach: User) -> None:
    profile = profile_of(coach)
    profile.brand_key = "kept-after-removing-everything"
    profile.save(update_fields=["brand_key"])
    for name in ("coaching:brand-css", "coaching:brand-logo"):
        assert HttpClient().get(reverse(name, args=[profile.brand_key])).status_code == 404


def test_a_logo_missing_from_storage_is_a_404_not_an_error(coach: User) -> None:
    profile = brand_coach(coach)
    default_storage.delete(str(profile.logo.name))
    response = HttpClient().get(reverse("coaching:brand-logo", args=[profile.brand_key]))
    assert response.status_code == 404


def test_two_practices_have_their_own_keys_and_colours(coach: User, other_coach: User) -> None:
    mine = brand_coach(coach, color="#7a1f5c")
    theirs = brand_coach(other_coach, color="#1f4e5f")
    assert mine.brand_key != theirs.brand_key
    css = HttpClient().get(reverse("coaching:brand-css", args=[theirs.brand_key])).content
    assert b"#1f4e5f" in css and b"#7a1f5c" not in css


def test_the_branding_page_shows_the_current_logo_and_colour_without_inline_style(
    coach: User, signed_in: HttpClient
) -> None:
    profile = brand_coach(coach)
    page = signed_in.get(reverse("coaching:branding")).content.decode()
    assert reverse("coaching:brand-logo", args=[profile.brand_key]) in page
    assert 'fill="#7a1f5c"' in page
    assert 'value="#7A1F5C"' in page, "the colour is offered for editing"
    assert " style=" not in page
    assert "Remove the logo" in page
