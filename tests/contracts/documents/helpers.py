"""Signing an agreement through its pages, and reading the PDFs that come of it."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import StreamingHttpResponse
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader
from pytest_django import DjangoDbBlocker

from coaching.models import User
from contracts.models import AgreementStatus, AgreementVersion, SignerRole
from tests.conftest import make_coach
from tests.contracts.signing_helpers import (
    confirmations,
    link_for,
    send_agreement,
    sign_as_coach,
    sign_by_link,
)

# Where the client signs from, when it matters who can see it.
CLIENT_IP, CLIENT_AGENT = "203.0.113.7", "ClientBrowser/7.7 (distinctive)"


@contextmanager
def sealing_sandbox(
    blocker: DjangoDbBlocker, seal_files: tuple[Path, Path], media: Path
) -> Iterator[tuple[User, HttpClient]]:
    """For a session fixture that signs and seals an agreement once: database access,
    the seal, its own media folder, and a coach signed in; everything it wrote to the
    database is rolled back afterwards."""
    key_file, cert_file = seal_files
    with (
        blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            SEAL_KEY_FILE=key_file,
            SEAL_CERT_FILE=cert_file,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        coach = make_coach(full_name="Alex Morgan")
        http = HttpClient()
        http.force_login(coach)
        yield coach, http
        transaction.set_rollback(True)


def signed_agreement(coach: User, http: HttpClient, **fields: Any) -> AgreementVersion:
    """Sent, and signed by every party through their own pages."""
    version = send_agreement(coach, **fields)
    agreement = version.agreement
    sign_by_link(link_for(agreement.client.email), name="Jamie Client")
    if not agreement.is_two_party:
        sponsor = version.signers.get(role=SignerRole.SPONSOR)
        sign_by_link(link_for(sponsor.email), name=sponsor.name)
    sign_as_coach(http, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    version.refresh_from_db()
    return version


def newest_code(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to and (found := re.search(r"\b(\d{6})\b", str(message.body))):
            return found.group(1)
    raise AssertionError(f"no code was emailed to {email}")


def browser_past_the_code(path: str, email: str, **headers: str) -> HttpClient:
    """A browser that asked for the emailed code on this link and entered it."""
    browser = HttpClient()
    browser.defaults.update(headers)
    kind, token = path.split("/")[1:3]
    browser.post(reverse(f"contracts:{kind}-code", args=[token]))
    entered = browser.post(
        reverse(f"contracts:{kind}-verify", args=[token]), {"code": newest_code(email)}
    )
    assert entered.status_code == 302, "the code was accepted"
    return browser


def signed_with_codes(coach: User, http: HttpClient) -> AgreementVersion:
    """Signed by every party past the emailed code, the client from CLIENT_IP."""
    version = send_agreement(coach, require_email_code=True)
    agreement = version.agreement
    parties = [
        (agreement.client.email, "Jamie Client", {"REMOTE_ADDR": CLIENT_IP}),
        (version.signers.get(role=SignerRole.SPONSOR).email, "Harper HR", {}),
    ]
    for email, name, where in parties:
        path = link_for(email)
        agent = {"HTTP_USER_AGENT": CLIENT_AGENT} if where else {}
        browser = browser_past_the_code(path, email, **where, **agent)
        data = {**confirmations(browser, path), "typed_name": name}
        assert browser.post(path, data).status_code == 302
    sign_as_coach(http, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    version.refresh_from_db()
    return version


def download(http: HttpClient, url: str) -> bytes:
    response = http.get(url)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert isinstance(response, StreamingHttpResponse)
    assert "no-store" in response["Cache-Control"]
    return b"".join(response)


def executed_url(version: AgreementVersion) -> str:
    return reverse("contracts:agreement-pdf", args=[version.agreement.pk, "executed"])


def page_texts(pdf: bytes, *, from_the_end: bool = False) -> Iterator[str]:
    """Each page's text, whitespace folded, read one page at a time (reading a page's text
    is slow: stop as soon as the answer is known)."""
    pages = list(PdfReader(io.BytesIO(pdf)).pages)
    for page in reversed(pages) if from_the_end else pages:
        yield " ".join((page.extract_text() or "").split())


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def certificate_text(pdf: bytes) -> str:
    """The text of the certificate of completion, the last pages of a sealed PDF."""
    pages: list[str] = []
    for page in page_texts(pdf, from_the_end=True):
        pages.insert(0, page)
        if "Certificate of completion" in page:
            return " ".join(pages)
    raise AssertionError("the PDF has no certificate of completion")


def shows(pdf: bytes, text: str, *, from_the_end: bool = False) -> bool:
    """Whether a page shows the text (reading stops at the first one that does; the
    certificate of completion is at the end)."""
    return any(text in page for page in page_texts(pdf, from_the_end=from_the_end))


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")
