"""An emailed link leads to its page, or to the page that says why it cannot."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from coaching.models import User
from contracts.access import LINK_PAGES, SignerVisit, signer_link
from contracts.links import AlreadySigned, LinkProblem, token_digest
from contracts.models import LinkPurpose, SignerRole, SigningLink
from contracts.signing import services as signing
from tests.contracts.signing_helpers import link_for, send_agreement, sign_by_link, signer

pytestmark = pytest.mark.django_db


def token_of(path: str) -> str:
    return path.split("/")[2]


def test_every_reason_a_link_fails_has_its_own_page() -> None:
    problems = set(LinkProblem.__subclasses__())
    assert problems == set(LINK_PAGES)
    templates = [template for template, _status in LINK_PAGES.values()]
    assert len(set(templates)) == len(templates)


def test_a_link_used_up_says_so(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    SigningLink.objects.filter(token_hash=token_digest(token_of(path))).update(
        revoked_at=timezone.now()
    )
    response = HttpClient().get(path)
    assert response.status_code == 410
    assert "This link has already been used" in response.content.decode()


def test_a_signer_who_declined_is_told_so_on_every_page_of_their_link(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    signing.signer_decline(signer=signer(version, SignerRole.CLIENT), reason="Not now.")
    for url in (path, path + "pdf/"):
        response = HttpClient().get(url)
        assert response.status_code == 410
        assert "You declined this agreement" in response.content.decode()
    code = HttpClient().post(reverse("contracts:sign-code", args=[token_of(path)]))
    assert "You declined this agreement" in code.content.decode()


def test_a_signer_asked_for_a_code_sees_the_code_page_first(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True)
    response = HttpClient().get(link_for(version.agreement.client.email))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm it is you" in page
    assert "Email me a code" in page
    assert "Sign the agreement" not in page


def test_declining_after_someone_else_declined_says_it_was_declined(coach: User) -> None:
    version = send_agreement(coach)
    sponsor_path = link_for(signer(version, SignerRole.SPONSOR).email)
    signing.signer_decline(signer=signer(version, SignerRole.CLIENT), reason="Not now.")
    response = HttpClient().post(
        reverse("contracts:sign-decline", args=[token_of(sponsor_path)]), {"reason": "Nor I."}
    )
    assert response.status_code == 410
    page = response.content.decode()
    assert "This agreement was declined and is not in force" in page
    assert "The client declined to sign" in page
    assert signer(version, SignerRole.SPONSOR).declined_at is None


def test_a_problem_arising_inside_the_view_gets_its_page(coach: User) -> None:
    """The state can change between the link check and the work: the page still fits."""
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)

    @signer_link(LinkPurpose.SIGN)
    def view(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
        raise AlreadySigned(visit.signer)

    request = RequestFactory().get(path)
    request.session = SessionStore()
    response = view(request, token_of(path))
    assert response.status_code == 410
    assert "You have already signed" in response.content.decode()


def test_a_coach_acting_on_a_signer_who_has_just_signed_is_told_plainly(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    client = signer(version, SignerRole.CLIENT)
    sign_by_link(link_for(client.email))
    response = signed_in.post(
        reverse("contracts:signer-resend", args=[version.agreement.pk, client.pk]), follow=True
    )
    assert "Only someone invited to sign can be sent a new link." in response.content.decode()
