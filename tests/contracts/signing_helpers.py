"""Helpers for signing tests: send an agreement, find the links in the emails, sign."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import Agreement, AgreementVersion, Signer, SignerRole
from contracts.signing import services as signing
from tests.conftest import make_agreement, make_contact

LINK = re.compile(r"https?://[^/\s]+(/(?:sign|copy)/[A-Za-z0-9_-]+/)")


def send_agreement(coach: User, *, observers: int = 0, **fields: Any) -> AgreementVersion:
    agreement = make_agreement(coach=coach, complete=True, **fields)
    for number in range(observers):
        assert agreement.organisation is not None
        agreement.stakeholders.add(
            make_contact(coach=coach, organisation=agreement.organisation, name=f"Lee {number}")
        )
    return signing.agreement_send(agreement=agreement, coach=coach)


def link_for(email: str, kind: str = "sign") -> str:
    """The path of the newest link of that kind emailed to that address."""
    for message in reversed(mail.outbox):
        if email in message.to:
            paths: list[str] = LINK.findall(str(message.body))
            for path in paths:
                if path.startswith(f"/{kind}/"):
                    return path
    raise AssertionError(f"No {kind} link was emailed to {email}")


def signer(version: AgreementVersion, role: SignerRole) -> Signer:
    return version.signers.get(role=role)


def confirmations(http: HttpClient, path: str) -> dict[str, str]:
    """Every box on the signing page, ticked."""
    page = http.get(path).content.decode()
    names = re.findall(r'name="((?:limit|share)_[^"]+|authority|disclosure)"', page)
    return {name: "on" for name in names}


def sign_by_link(path: str, *, name: str = "Jo Signer", **extra: str) -> Any:
    http = HttpClient()
    data = {**confirmations(http, path), "typed_name": name, **extra}
    return http.post(path, data)


def sign_as_coach(http: HttpClient, agreement: Agreement) -> Any:
    return http.post(
        reverse("contracts:coach-sign", args=[agreement.pk]),
        {"disclosure": "on", "typed_name": agreement.coach.full_name},
    )


def sponsor_email(version: AgreementVersion) -> str:
    return signer(version, SignerRole.SPONSOR).email
