"""What people type is shown as text wherever it surfaces, never read as markup.

Markup, script, a `meta` refresh, CSS, template tags and PDF syntax are typed into every
free-text field of every builder step (as a coach does, through the pages), into the
names of the client, sponsor and contacts, and into the signers' typed names. Then every
place they surface is read back as its reader reads it: HTML pages and emails by
parsing, PDFs by pypdf (their text, links, actions, metadata and JSON attachments).
Each check asks for the typed text to be there, so a page that dropped it would fail
too, and for nothing of it to have become markup.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from itertools import cycle
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from coaching.models import User
from contracts.drafting.builder import steps_for
from contracts.drafting.perspectives import Party
from contracts.models import Agreement, AgreementStatus, FeeBasis, SignerRole
from tests.conftest import make_client, make_contact, make_organisation
from tests.contracts.documents.helpers import certificate_text, download, text_of
from tests.contracts.signing_helpers import confirmations, link_for, sign_as_coach
from tests.html_forms import form_data, forms

pytestmark = pytest.mark.django_db

EVIL = "evil.example"
PAYLOADS = [
    "<script>tpMark()</script>",
    f'<meta http-equiv="refresh" content="0;url=https://{EVIL}/m">',
    '<img src=x onerror="tpMark()">',
    '<a href="javascript:tpMark()">click here</a>',
    "</textarea></style><style>body{display:none}</style>",
    '" onmouseover="tpMark()" x="',
    f'<div style="background:url(https://{EVIL}/c)">styled</div>',
    '{{ 7|add:5 }} {% now "Y" %} ${7*7}',
    f"(tp) Tj /JavaScript << /S /JavaScript /JS (app.alert(7)) >> /URI (https://{EVIL}/p)",
    "%PDF-1.7 \\ ) ( endobj </body>",
]
NAMES = {
    "client": "Jamie <b>Client</b>",
    "organisation": "Acme <script>tpMark()</script> Ltd",
    "contact": 'Harper "HR" <i onmouseover=tpMark()>',
    "client signs as": "Jamie <script>tpMark()</script> Client",
    "sponsor signs as": "Harper <img src=x onerror=tpMark()>",
}
TYPED = [*PAYLOADS, *NAMES.values()]


class _Reader(HTMLParser):
    """A page as a browser builds it: its text, and whatever of it became markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.markup: list[str] = []
        self._element = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element = tag
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            if name.startswith("on"):
                self.markup.append(f"<{tag} {name}>")
            if name in {"href", "src", "action", "formaction"} and "javascript:" in value.lower():
                self.markup.append(f"<{tag} {name}={value}>")
            if name == "style" and EVIL in value:
                self.markup.append(f"<{tag} style={value}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.markup.append(f"<meta http-equiv={attributes['http-equiv']}>")
        if tag == "img" and attributes.get("src") == "x":
            self.markup.append("<img src=x>")
        if tag in {"input", "option"} and "value" in attributes:
            self.text.append(attributes["value"])

    def handle_endtag(self, tag: str) -> None:
        self._element = ""

    def handle_data(self, data: str) -> None:
        if self._element in {"script", "style"} and ("tpMark" in data or "display:none" in data):
            self.markup.append(f"<{self._element}>{data}")
        self.text.append(data)


def read_html(html: str) -> tuple[str, list[str]]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return "\n".join(reader.text), reader.markup


def assert_shown_as_text(html: str, *, where: str, expected: list[str]) -> None:
    text, markup = read_html(html)
    assert markup == [], f"typed text became markup on {where}"
    missing = [typed for typed in expected if typed not in text]
    assert missing == [], f"{where} does not show, as text, what was typed"


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_problems(pdf: bytes) -> list[str]:
    """Every action, script or foreign link in the PDF: there should be none."""
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.root_object
    problems = [key for key in ("/OpenAction", "/AA", "/JavaScript") if key in root]
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        problems.append("/Names /JavaScript")
    for number, page in enumerate(reader.pages, start=1):
        if "/AA" in page:
            problems.append(f"page {number}: /AA")
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is None:
                continue
            action = action.get_object()
            kind, uri = action.get("/S"), str(action.get("/URI", ""))
            if kind not in {"/URI", "/GoTo"} or EVIL in uri or "javascript" in uri.lower():
                problems.append(f"page {number}: {kind} {uri}")
    return problems


def pdf_title(pdf: bytes) -> str | None:
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None, "the PDF has document information"
    return metadata.title


def attached_json(pdf: bytes) -> Iterator[Any]:
    for name, contents in PdfReader(io.BytesIO(pdf)).attachments.items():
        if name.endswith(".json"):
            for data in contents:
                yield json.loads(data)


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


class _Invalid(HTMLParser):
    """The names of the fields a page marks as invalid."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "is-invalid" in attributes.get("class", "").split() and attributes.get("name"):
            self.names.add(attributes["name"])


def type_into_every_step(http: HttpClient, agreement: Agreement) -> list[str]:
    """Fill every free-text field of every step through its page, as a coach would, with
    the payloads in turn; a field that refuses its payload (an email, a fixed format)
    keeps its value. Returns what was typed and kept."""
    payloads = cycle(PAYLOADS)
    kept: list[str] = []
    for step in steps_for(agreement):
        url = reverse("contracts:agreement-step", args=[agreement.pk, step.key])
        fields = forms(http.get(url).content.decode())[("post", "")]
        data = {name: found.sent for name, found in fields.items() if found.sent}
        typed: dict[str, str] = {}
        for name, found in fields.items():
            if found.is_free_text and name != "csrfmiddlewaretoken":
                typed[name] = next(payloads)[: found.max_length]
        response = http.post(url, {**data, **typed})
        if response.status_code == 200:
            invalid = _Invalid()
            invalid.feed(response.content.decode())
            assert invalid.names, f"the {step.key} step refused the payloads without saying where"
            for name in invalid.names:
                typed.pop(name, None)
            response = http.post(url, {**data, **typed})
        assert response.status_code == 302, f"the {step.key} step saves what was typed"
        kept += typed.values()
    agreement.refresh_from_db()
    return kept


def build(http: HttpClient, coach: User) -> tuple[Agreement, list[str]]:
    organisation = make_organisation(coach=coach, name=NAMES["organisation"])
    make_contact(coach=coach, organisation=organisation, name=NAMES["contact"])
    client = make_client(coach=coach, organisation=organisation, name=NAMES["client"])
    response = http.post(
        reverse("contracts:agreement-create"),
        {"client": client.pk, "template": "builtin", "title": "Leadership coaching"},
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(coach=coach)
    typed = type_into_every_step(http, agreement)
    assert agreement.title in PAYLOADS, "the title was typed too"
    assert set(PAYLOADS) <= set(typed), "every payload was kept by some field"
    # What the checks need beside text (dates, a fee), as a coach would set it.
    agreement.start_date, agreement.end_date = agreement.start_date or _day(1), _day(180)
    agreement.review_date = _day(90)
    agreement.fee_basis, agreement.fee_amount = FeeBasis.PACKAGE, Decimal("4800.00")
    agreement.save()
    return agreement, typed


def _day(offset: int) -> date:
    return date(2027, 1, 11) + timedelta(days=offset)


def test_what_is_typed_into_the_builder_is_text_on_every_page_and_in_the_draft_pdf(
    coach: User, signed_in: HttpClient
) -> None:
    agreement, typed = build(signed_in, coach)
    pages = {
        "the agreement page": reverse("contracts:agreement-detail", args=[agreement.pk]),
        "the agreements list": reverse("contracts:agreement-list") + "?q=",
        **{
            f"the {party.value}'s preview": reverse(
                "contracts:agreement-preview", args=[agreement.pk, party.value]
            )
            for party in Party
        },
        **{
            f"the {step.key} step": reverse(
                "contracts:agreement-step", args=[agreement.pk, step.key]
            )
            for step in steps_for(agreement)
        },
    }
    shown: set[str] = set()
    for where, url in pages.items():
        response = signed_in.get(url)
        assert response.status_code == 200, where
        html = response.content.decode()
        text, markup = read_html(html)
        assert markup == [], f"typed text became markup on {where}"
        assert agreement.title in text, f"{where} shows the title as typed"
        shown |= {item for item in typed if item in text}
    assert set(PAYLOADS) <= shown, "every payload is shown somewhere, as text"

    pdf = download(signed_in, reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"]))
    assert pdf_problems(pdf) == []
    text = _folded(text_of(pdf))
    assert [p for p in PAYLOADS if _folded(p) not in text] == [], "the PDF prints them as text"
    assert pdf_title(pdf) == agreement.title


def test_what_is_typed_is_text_in_emails_signing_pages_the_sealed_pdf_and_its_attachments(
    coach: User, signed_in: HttpClient
) -> None:
    agreement, _ = build(signed_in, coach)
    send = reverse("contracts:agreement-send", args=[agreement.pk])
    response = signed_in.post(send, form_data(signed_in.get(send).content.decode()))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SENT, "the agreement with payloads can be sent"
    version = agreement.versions.get()
    sponsor = version.signers.get(role=SignerRole.SPONSOR)

    for email, name in [
        (agreement.client.email, NAMES["client signs as"]),
        (sponsor.email, NAMES["sponsor signs as"]),
    ]:
        path = link_for(email)
        browser = HttpClient()
        page = browser.get(path).content.decode()
        assert_shown_as_text(page, where=f"{email}'s signing page", expected=[agreement.title])
        signer_pdf = download(browser, reverse("contracts:sign-pdf", args=[path.split("/")[2]]))
        assert pdf_problems(signer_pdf) == []
        data = {**confirmations(browser, path), "typed_name": name}
        assert browser.post(path, data).status_code == 302
    sign_as_coach(signed_in, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    for message in mail.outbox:
        assert "\n" not in message.subject
        assert "&lt;" not in str(message.body), "plain text is never HTML-escaped twice"
        [(html, kind)] = message.alternatives  # type: ignore[attr-defined]
        assert kind == "text/html"
        _, markup = read_html(str(html))
        assert markup == [], f"typed text became markup in the email {message.subject!r}"
    invitation = next(m for m in mail.outbox if agreement.client.email in m.to)
    assert NAMES["client"] in str(invitation.body)

    audit = signed_in.get(reverse("contracts:agreement-audit", args=[agreement.pk]))
    assert_shown_as_text(
        audit.content.decode(),
        where="the audit trail",
        expected=[NAMES["client signs as"], NAMES["sponsor signs as"]],
    )

    executed = download(
        signed_in, reverse("contracts:agreement-pdf", args=[agreement.pk, "executed"])
    )
    assert pdf_problems(executed) == []
    certificate = _folded(certificate_text(executed))
    for name in (NAMES["client signs as"], NAMES["sponsor signs as"]):
        assert _folded(name) in certificate, "the certificate prints typed names as text"
    strings = {text for data in attached_json(executed) for text in strings_in(data)}
    assert agreement.title in strings, "the attached agreement holds the title exactly"
    assert NAMES["client signs as"] in strings, "the attached trail holds the typed name"
    assert pdf_title(executed) == agreement.title
