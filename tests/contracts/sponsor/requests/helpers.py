"""An agreement in force with a line manager named, requests on it, and the client's
decision link."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import SponsorContact, User
from contracts.models import (
    AgreementVersion,
    InformationRequest,
    Release,
    RequestChannel,
    SignerRole,
)
from contracts.sponsor.asking import request_receive
from contracts.sponsor.requests import services
from tests.contracts.engagement.meetings.helpers import in_force, matrix

DECIDE_LINK = re.compile(r"https?://[^/\s]+(/decide/[A-Za-z0-9_-]+/)")
RELEASE_LINK = re.compile(r"https?://[^/\s]+(/copy/[A-Za-z0-9_-]+/releases/\d+/)")
SUMMARY = "Jamie has grown steadily in delegating; the team meets its goals more often."


def engagement(coach: User, **cells: Any) -> AgreementVersion:
    """In force, with HR as the sponsor's signatory and a line manager kept informed."""
    return in_force(coach, line_manager=True, sharing=matrix(**cells))


def line_manager(version: AgreementVersion) -> SponsorContact:
    contact = version.signers.get(role=SignerRole.OBSERVER).contact
    assert contact is not None
    return contact


def hr(version: AgreementVersion) -> SponsorContact:
    contact = version.signers.get(role=SignerRole.SPONSOR).contact
    assert contact is not None
    return contact


def ask(
    version: AgreementVersion, contact: SponsorContact, kind: str, asked: str = ""
) -> InformationRequest:
    return request_receive(
        agreement=version.agreement,
        contact=contact,
        kind=kind,
        asked=asked or "Please send it",
        channel=RequestChannel.PORTAL,
        actor=contact.name,
    )


def drafted(version: AgreementVersion, request: InformationRequest, body: str) -> Release:
    return services.release_prepare(
        agreement=version.agreement,
        coach=version.agreement.coach,
        title="Progress summary",
        body=body,
        information_request=request,
    )


def client_email(version: AgreementVersion) -> str:
    return version.signers.get(role=SignerRole.CLIENT).email


def newest_link(pattern: re.Pattern[str], email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to and (found := pattern.findall(str(message.body))):
            return str(found[0])
    raise AssertionError(f"No such link was emailed to {email}")


def decide_page(version: AgreementVersion) -> tuple[HttpClient, str, str]:
    """The client's browser on their decision link: the page, its path and its HTML."""
    path = newest_link(DECIDE_LINK, client_email(version))
    http = HttpClient()
    return http, path, http.get(path).content.decode()


def text_hash_on(page: str) -> str:
    found = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page)
    assert found, "the page carries the hash of the text it shows"
    return found.group(1)


def release_id_on(page: str) -> str:
    found = re.search(r'name="release" value="(\d+)"', page)
    assert found
    return found.group(1)


def decide(version: AgreementVersion, decision: str, comment: str = "", path: str = "") -> Any:
    http = HttpClient()
    path = path or newest_link(DECIDE_LINK, client_email(version))
    page = http.get(path).content.decode()
    return http.post(
        path,
        {
            "release": release_id_on(page),
            "text_sha256": text_hash_on(page),
            "decision": decision,
            "comment": comment,
        },
        HTTP_USER_AGENT="PhoneBrowser/1.0",
    )


def release_url(release: Release, action: str = "") -> str:
    name = f"contracts:agreement-release-{action}" if action else "contracts:agreement-release"
    return reverse(name, args=[release.agreement_id, release.pk])
