"""A practice's logo and colour where its clients and sponsors meet it: emails, the pages
reached by their links, and the PDFs; and nowhere else."""

import io
import re
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from pytest_django import Settings

from coaching.models import User
from contracts.models import AgreementPdf, PdfKind, SignerRole
from tests.coaching.branding_helpers import BRAND_COLOR, brand_coach, jpeg, png
from tests.conftest import make_agreement
from tests.contracts.documents.helpers import (
    browser_past_the_code,
    download,
    signed_agreement,
)
from tests.contracts.signing_helpers import confirmations, link_for, send_agreement, sponsor_email
from tests.contracts.sponsor.portal.helpers import portal_browser

pytestmark = pytest.mark.django_db

INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def invitation_to(email: str) -> mail.EmailMessage:
    return next(m for m in reversed(mail.outbox) if m.to == [email] and "to sign" in m.subject)


def mime(message: mail.EmailMessage) -> EmailMessage:
    parsed = message.message()
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_an_invitation_carries_the_logo_inside_it_and_the_colour(coach: User) -> None:
    profile = brand_coach(coach)
    version = send_agreement(coach)
    message = mime(invitation_to(version.agreement.client.email))

    [related] = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    html, image = list(related.iter_parts())
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    content_id = str(image["Content-ID"]).strip("<>")
    assert content_id.startswith("practice-logo.")
    html_text = html.get_content()
    assert f'src="cid:{content_id}"' in html_text
    assert f'alt="{profile.display_practice_name}"' in html_text
    assert f"a.button {{ background: {BRAND_COLOR}; }}" in html_text
    assert image.get_content() == default_storage.open(str(profile.logo.name)).read()
    plain = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "cid:" not in plain.get_content()


def test_a_jpeg_logo_travels_as_a_jpeg(coach: User) -> None:
    brand_coach(coach, logo=jpeg())
    version = send_agreement(coach)
    message = mime(invitation_to(sponsor_email(version)))
    assert [
        p.get_content_type() for p in message.walk() if p.get_content_maintype() == "image"
    ] == ["image/jpeg"]


def test_an_unbranded_practices_email_is_the_products_own(coach: User, other_coach: User) -> None:
    brand_coach(other_coach)
    version = send_agreement(coach)
    message = mime(invitation_to(version.agreement.client.email))
    assert not [p for p in message.walk() if p.get_content_maintype() == "image"]
    [(html, _)] = invitation_to(version.agreement.client.email).alternatives  # type: ignore[attr-defined]
    assert '<div class="brand">Tripartite</div>' in str(html)
    assert "cid:" not in str(html) and BRAND_COLOR not in str(html)


def test_an_email_still_goes_when_the_logo_cannot_be_read(coach: User) -> None:
    profile = brand_coach(coach)
    default_storage.delete(str(profile.logo.name))
    version = send_agreement(coach)
    invitation = invitation_to(version.agreement.client.email)
    [(html, _)] = invitation.alternatives  # type: ignore[attr-defined]
    assert "cid:" not in str(html), "no reference to an image that is not there"
    assert BRAND_COLOR in str(html), "the colour stays"
    assert not [p for p in mime(invitation).walk() if p.get_content_maintype() == "image"]


def party_pages(coach: User) -> dict[str, str]:
    """A signing page, an observer's copy, the page asking for the emailed code, and the
    thanks after signing, of one of the coach's agreements."""
    version = send_agreement(coach, observers=1)
    coded = send_agreement(coach, require_email_code=True)
    observer = version.signers.get(role=SignerRole.OBSERVER)
    signer_browser = HttpClient()
    path = link_for(version.agreement.client.email)
    pages = {
        "sign": signer_browser.get(path).content.decode(),
        "copy": HttpClient().get(link_for(observer.email, "copy")).content.decode(),
        "code": HttpClient().get(link_for(coded.agreement.client.email)).content.decode(),
    }
    return pages


def test_party_pages_show_the_practices_logo_and_load_its_colours(coach: User) -> None:
    profile = brand_coach(coach)
    css_url = reverse("coaching:brand-css", args=[profile.brand_key])
    logo_url = reverse("coaching:brand-logo", args=[profile.brand_key])
    for name, page in party_pages(coach).items():
        assert f'<link rel="stylesheet" href="{css_url}?v=' in page, name
        assert f'<img src="{logo_url}?v=' in page, name
        assert f'alt="{profile.display_practice_name}"' in page, name
        assert not INLINE_STYLE.search(page), name


def test_the_thanks_after_signing_and_the_pdf_waiting_page_are_branded(
    coach: User, settings: Settings
) -> None:
    profile = brand_coach(coach)
    version = send_agreement(coach)
    browser = HttpClient()
    path = link_for(version.agreement.client.email)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    waiting = browser.get(path + "pdf/")
    assert waiting.status_code == 202
    assert profile.brand_key in waiting.content.decode()

    response = browser.post(
        path, {**confirmations(browser, path), "typed_name": "Jamie"}, follow=True
    )
    thanks = response.content.decode()
    assert "Thank you" in thanks
    assert reverse("coaching:brand-css", args=[profile.brand_key]) in thanks


def test_a_logo_without_a_colour_shows_the_logo_and_the_standard_colours(coach: User) -> None:
    profile = brand_coach(coach, color="")
    page = party_pages(coach)["sign"]
    assert reverse("coaching:brand-logo", args=[profile.brand_key]) in page
    assert reverse("coaching:brand-css", args=[profile.brand_key]) not in page


def test_another_practices_brand_never_shows(coach: User, other_coach: User) -> None:
    theirs = brand_coach(other_coach)
    for name, page in party_pages(coach).items():
        assert theirs.brand_key not in page, name
        assert "/brand/" not in page, f"an unbranded practice's {name} page is the standard one"


def test_the_coachs_own_pages_keep_the_standard_look(coach: User, signed_in: HttpClient) -> None:
    profile = brand_coach(coach)
    version = send_agreement(coach)
    for url in (
        reverse("coaching:home"),
        reverse("contracts:agreement-detail", args=[version.agreement.pk]),
        reverse("coaching:profile"),
    ):
        page = signed_in.get(url).content.decode()
        assert reverse("coaching:brand-css", args=[profile.brand_key]) not in page, url


def test_a_dead_link_does_not_reveal_a_practice(coach: User) -> None:
    profile = brand_coach(coach)
    page = HttpClient().get(reverse("contracts:sign", args=["x" * 43])).content.decode()
    assert profile.brand_key not in page


def test_the_sponsor_portal_is_branded(coach: User) -> None:
    profile = brand_coach(coach)
    version = send_agreement(coach)
    contact = version.agreement.sponsor_signatory
    assert contact is not None
    page = portal_browser(contact).get(reverse("contracts:portal-home")).content.decode()
    assert reverse("coaching:brand-css", args=[profile.brand_key]) in page


def test_the_sponsor_portals_sign_in_email_carries_the_logo(coach: User) -> None:
    brand_coach(coach)
    contact = send_agreement(coach).agreement.sponsor_signatory
    assert contact is not None
    mail.outbox.clear()
    HttpClient().post(reverse("contracts:portal"), {"email": contact.email})
    [email] = mail.outbox
    images = [p for p in mime(email).walk() if p.get_content_maintype() == "image"]
    assert [image.get_content_type() for image in images] == ["image/png"]


def pdf_images(pdf: bytes, page: int = 0) -> list[Image.Image]:
    images = [item.image for item in PdfReader(io.BytesIO(pdf)).pages[page].images]
    return [image for image in images if image is not None]


def test_the_draft_pdf_has_the_logo_on_its_cover_and_is_made_again_when_it_changes(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    url = reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"])
    assert pdf_images(download(signed_in, url)) == [], "no logo yet"

    brand_coach(coach, logo=png(400, 100, color=(200, 30, 30, 255)))
    [logo] = pdf_images(download(signed_in, url))
    assert logo.size == (400, 100)
    assert logo.convert("RGB").getpixel((10, 10)) == (200, 30, 30)

    brand_coach(coach, logo=png(300, 100, color=(30, 30, 200, 128)))
    [logo] = pdf_images(download(signed_in, url))
    assert logo.size == (300, 100)
    pixel = logo.convert("RGB").getpixel((10, 10))
    assert isinstance(pixel, tuple)
    half_on_white = (142, 142, 227)
    assert all(abs(a - b) <= 3 for a, b in zip(pixel, half_on_white, strict=True)), pixel
    assert AgreementPdf.objects.filter(kind=PdfKind.DRAFT).count() == 3


def test_the_pdf_for_signature_has_the_logo(coach: User) -> None:
    brand_coach(coach)
    version = send_agreement(coach, sponsored=False)
    pdf = download(HttpClient(), link_for(version.agreement.client.email) + "pdf/")
    assert len(pdf_images(pdf)) == 1


@pytest.mark.slow
def test_the_signed_and_sealed_pdf_keeps_the_logo_and_stays_pdf_a(
    coach: User, signed_in: HttpClient
) -> None:
    brand_coach(coach)
    version = signed_agreement(coach, signed_in)
    pdf = download(
        signed_in, reverse("contracts:agreement-pdf", args=[version.agreement.pk, "executed"])
    )
    [logo] = pdf_images(pdf)
    assert logo.size == (400, 120)
    reader = PdfReader(io.BytesIO(pdf))
    root: object = reader.trailer["/Root"]
    raw = root["/Metadata"].get_object().get_data().decode()  # type: ignore[index]
    assert 'pdfaid:part="3"' in raw or "<pdfaid:part>3</pdfaid:part>" in raw
    assert bool(root["/MarkInfo"]["/Marked"])  # type: ignore[index]


def test_a_signer_past_the_code_sees_the_brand(coach: User) -> None:
    profile = brand_coach(coach)
    version = send_agreement(coach, require_email_code=True)
    email = version.agreement.client.email
    path = link_for(email)
    page = browser_past_the_code(path, email).get(path).content.decode()
    assert "Please read and sign" in page
    assert reverse("coaching:brand-css", args=[profile.brand_key]) in page
