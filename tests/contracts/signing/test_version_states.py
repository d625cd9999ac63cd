"""A link to an earlier version says what became of that version, not of the agreement."""

import pytest
from django.core import mail
from django.test import Client as HttpClient

from coaching.models import User
from contracts.models import AgreementStatus, Signer, SignerRole
from contracts.reviews import services as reviews
from contracts.signing import services as signing
from tests.contracts.documents.helpers import download, page_texts, shows
from tests.contracts.signing_helpers import link_for, send_agreement

pytestmark = pytest.mark.django_db


def sign_all(signers: list[Signer]) -> None:
    for person in signers:
        limits = [i["key"] for i in person.version.snapshot["terms"]["confidentiality_limits"]]
        signing.signer_sign(
            signer=Signer.objects.get(pk=person.pk),
            signature=signing.Signature(
                typed_name=person.name,
                intent="Sign",
                limits=limits,
                authority=person.role == SignerRole.SPONSOR,
            ),
        )


def test_a_voided_versions_copy_says_voided_after_a_later_version_is_signed(
    coach: User,
) -> None:
    first = send_agreement(coach, observers=1)
    agreement = first.agreement
    observer = first.signers.get(role=SignerRole.OBSERVER)
    old_copy = link_for(observer.email, "copy")
    signing.agreement_void(agreement=agreement, coach=coach, reason="Wrong dates")
    signing.agreement_reopen(agreement=agreement, coach=coach)
    second = signing.agreement_send(agreement=agreement, coach=coach)
    sign_all(list(second.signers.exclude(role=SignerRole.OBSERVER)))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    page = HttpClient().get(old_copy).content.decode()

    assert f"version {first.number}" in page
    assert "· Voided</p>" in page, "the version's own state, not the agreement's"
    assert "This version is not in force." in page
    assert "A later version of the agreement exists" in page
    mail.outbox.clear()
    reader = HttpClient()
    answer = reader.post(old_copy + "current/", follow=True).content.decode()
    assert "on its way to your email address" in answer
    [message] = mail.outbox
    assert message.to == [observer.email]
    assert link_for(observer.email, "copy") != old_copy, "a link to the current version"

    pdf = download(HttpClient(), old_copy + "pdf/")
    assert all("VOIDED" in page for page in page_texts(pdf)), "watermarked on every page"
    assert shows(pdf, "Voided: not in force, not for signature")
    current = download(HttpClient(), link_for(observer.email, "copy") + "pdf/")
    assert not shows(current, "VOIDED"), "the signed version's copy is not"


def test_the_copy_of_a_version_waiting_for_signatures_says_so(coach: User) -> None:
    version = send_agreement(coach, observers=1)
    observer = version.signers.get(role=SignerRole.OBSERVER)

    page = HttpClient().get(link_for(observer.email, "copy")).content.decode()

    assert "· Waiting for signatures</p>" in page
    assert "not in force" not in page


def test_no_current_version_link_while_the_newest_version_is_a_draft(coach: User) -> None:
    first = send_agreement(coach, observers=1)
    observer = first.signers.get(role=SignerRole.OBSERVER)
    old_copy = link_for(observer.email, "copy")
    signing.agreement_void(agreement=first.agreement, coach=coach, reason="Wrong dates")
    mail.outbox.clear()

    answer = HttpClient().post(old_copy + "current/", follow=True).content.decode()

    assert "There is no current version for you to open yet" in answer
    assert mail.outbox == []
    assert HttpClient().get(old_copy + "current/").status_code == 405


def test_a_superseded_copy_is_marked_so_and_the_sealed_original_is_one_link_away(
    coach: User,
) -> None:
    first = send_agreement(coach, observers=1)
    agreement = first.agreement
    sign_all(list(first.signers.exclude(role=SignerRole.OBSERVER)))
    client = first.signers.get(role=SignerRole.CLIENT)
    old_copy = link_for(client.email, "copy")
    review = reviews.review_start(agreement=agreement, coach=coach)
    reviews.review_amend(review=review, coach=coach)
    second = signing.agreement_send(agreement=agreement, coach=coach)
    sign_all(list(second.signers.exclude(role=SignerRole.OBSERVER)))
    first.refresh_from_db()
    assert first.ended_at is not None and first.completed_at is not None

    page = HttpClient().get(old_copy).content.decode()
    assert "· Superseded by a later version</p>" in page
    assert "This version is not in force." in page
    assert "Download the PDF, marked “Superseded”" in page
    marked = download(HttpClient(), old_copy + "pdf/")
    assert all("SUPERSEDED" in text for text in page_texts(marked)), "on every page"
    original = download(HttpClient(), old_copy + "pdf/?sealed=1")
    assert not shows(original, "SUPERSEDED")
    assert shows(original, "Signed by all parties")
    assert shows(marked, "Superseded by a later version: not in force (signed by all parties on")
