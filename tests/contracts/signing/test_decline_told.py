"""After a client or sponsor declines: the coach is told why, on the home page and by
email; everyone else who was asked to sign, or kept informed, is told that the agreement
will not go ahead (never why), and their pages say it is not in force."""

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import EmailKind, EmailState, OutgoingEmail, SignerRole, SigningOrder
from contracts.signing import services as signing
from tests.contracts.signing_helpers import (
    link_for,
    send_agreement,
    sign_by_link,
    signer,
    sponsor_email,
)

pytestmark = pytest.mark.django_db

REASON = "The goals name my team's restructuring, which is confidential."


def decline_by_link(path: str, reason: str = REASON) -> None:
    token = path.split("/")[2]
    url = reverse("contracts:sign-decline", args=[token])
    response = HttpClient().post(url, {"reason": reason})
    assert response.status_code == 200
    assert "You declined to sign" in response.content.decode()


def emails_to(address: str) -> list[str]:
    return [str(message.body) for message in mail.outbox if address in message.to]


def test_a_declined_agreement_needs_the_coachs_attention_on_home_and_by_email(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    decline_by_link(link_for(agreement.client.email))

    home = signed_in.get(reverse("coaching:home")).content.decode()
    assert "Needs your attention" in home
    assert "Declined by the client, Jamie Client" in home
    assert "The goals name my team&#x27;s restructuring" in home
    assert f'href="{reverse("contracts:agreement-detail", args=[agreement.pk])}"' in home

    email = OutgoingEmail.objects.get(kind=EmailKind.DECLINED_TO_COACH)
    assert (email.to, email.state) == (coach.email, EmailState.SENT)
    (body,) = emails_to(coach.email)
    assert "Jamie Client (Client) has declined to sign" in body
    assert REASON in body

    dealt = reverse("contracts:agreement-decline-dealt-with", args=[agreement.pk])
    assert signed_in.post(dealt).status_code == 302
    assert "Declined by the client" not in signed_in.get(reverse("coaching:home")).content.decode()


def test_a_decline_leaves_the_home_page_once_the_agreement_is_reopened(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    decline_by_link(link_for(version.agreement.client.email))
    assert "Declined by the client" in signed_in.get(reverse("coaching:home")).content.decode()
    signed_in.post(reverse("contracts:agreement-reopen", args=[version.agreement.pk]))
    assert "Declined by the client" not in signed_in.get(reverse("coaching:home")).content.decode()


def test_everyone_else_asked_to_sign_or_kept_informed_is_told_but_never_why(
    coach: User,
) -> None:
    version = send_agreement(coach, observers=1)
    observer = signer(version, SignerRole.OBSERVER)
    client_path = link_for(version.agreement.client.email)
    sign_by_link(link_for(sponsor_email(version)), name="Harper HR")
    mail.outbox.clear()

    decline_by_link(client_path)

    told = OutgoingEmail.objects.filter(kind=EmailKind.DECLINED)
    assert {email.to for email in told} == {sponsor_email(version), observer.email}
    assert {email.state for email in told} == {EmailState.SENT}
    (to_sponsor,) = emails_to(sponsor_email(version))
    assert "The client has declined to sign the coaching agreement" in to_sponsor
    assert "This version is not in force: your signature on it binds no one." in to_sponsor
    (to_observer,) = emails_to(observer.email)
    assert "not in force" in to_observer
    assert "binds no one" not in to_observer, "they did not sign"
    for body in (to_sponsor, to_observer):
        assert REASON not in body
    assert emails_to(version.agreement.client.email) == [], "the one who declined knows"
    assert not told.filter(signer__role=SignerRole.COACH).exists()


def test_someone_not_yet_asked_to_sign_is_not_emailed_about_the_decline(coach: User) -> None:
    version = send_agreement(coach, signing_order=SigningOrder.CLIENT_FIRST, observers=1)
    observer = signer(version, SignerRole.OBSERVER)
    client_path = link_for(version.agreement.client.email)
    mail.outbox.clear()
    decline_by_link(client_path)
    assert emails_to(sponsor_email(version)) == [], "waiting for their turn: never asked"
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [coach.email, observer.email]
    )


def test_the_other_signers_links_say_it_was_declined_and_is_not_in_force(coach: User) -> None:
    version = send_agreement(coach)
    sponsor_path = link_for(sponsor_email(version))
    client_path = link_for(version.agreement.client.email)
    sign_by_link(client_path, name="Jamie Client")
    decline_by_link(sponsor_path)

    for path, says in [
        (client_path, "You had signed it: as not everyone signed, your signature binds no one."),
        (client_path + "pdf/", "You had signed it"),
    ]:
        response = HttpClient().get(path)
        assert response.status_code == 410, path
        page = response.content.decode()
        assert "This agreement was declined and is not in force" in page, path
        assert "The sponsor declined to sign" in page
        assert says in page
        assert REASON not in page
    own = HttpClient().get(sponsor_path).content.decode()
    assert "You declined this agreement" in own


def test_an_invited_signer_is_told_they_are_no_longer_asked_to_sign(coach: User) -> None:
    version = send_agreement(coach)
    client_path = link_for(version.agreement.client.email)
    decline_by_link(link_for(sponsor_email(version)))
    page = HttpClient().get(client_path).content.decode()
    assert "This agreement was declined and is not in force" in page
    assert "You are no longer asked to sign it." in page


def test_the_coachs_agreement_page_shows_who_was_no_longer_asked_to_sign(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach, signing_order=SigningOrder.CLIENT_FIRST)
    decline_by_link(link_for(version.agreement.client.email))
    page = signed_in.get(version.agreement.get_absolute_url()).content.decode()
    assert "Declined by the client</strong>, Jamie Client" in page
    assert REASON.replace("'", "&#x27;") in page, "the coach reads the reason"
    assert page.count("Not asked to sign: declined by the client") == 2, "sponsor and coach"
    assert "Invited" not in page
    assert "Waiting for their turn" not in page


def test_a_voided_agreement_shows_no_one_as_still_invited(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    signing.agreement_void(agreement=version.agreement, coach=coach, reason="Wrong client.")
    page = signed_in.get(version.agreement.get_absolute_url()).content.decode()
    assert page.count("Not asked to sign: you voided the agreement") == 3
    assert "Invited" not in page


def test_the_copy_page_of_someone_kept_informed_says_the_agreement_was_declined(
    coach: User,
) -> None:
    version = send_agreement(coach, observers=1)
    observer = signer(version, SignerRole.OBSERVER)
    copy_path = link_for(observer.email, "copy")
    decline_by_link(link_for(sponsor_email(version)))
    page = HttpClient().get(copy_path).content.decode()
    assert "This agreement was declined by the sponsor and is not in force." in page
    assert "not asked to sign: the agreement was declined" in page
    assert "invited to sign" not in page
    assert REASON not in page
