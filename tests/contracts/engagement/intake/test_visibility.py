"""Intake answers are for the coach alone: the sponsor and its HR contact have no way in."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.engagement.intake import services
from contracts.models import (
    AgreementVersion,
    AuditEvent,
    AuditEventKind,
    Intake,
    SignerRole,
)
from contracts.terms import InformationKind, Recipient, SharingLevel, default_sharing, sharing_cell
from tests.conftest import record_sign_in
from tests.contracts.documents.helpers import download, signed_agreement, text_of
from tests.contracts.engagement.intake.helpers import (
    intake_for,
    intake_link,
    post_answers,
    sent_intake,
)
from tests.contracts.signing_helpers import LINK

pytestmark = pytest.mark.django_db

GOALS = "Rebuild confidence after a difficult restructure"
HEALTH = "Anxiety attacks this spring; signed off twice"
NOT_FOR_SPONSOR = "Thinking of leaving within the year"


def _submitted(version: AgreementVersion, coach: User) -> Intake:
    intake = intake_for(version, coach)
    path = intake_link(intake.signer.email)
    response = post_answers(
        HttpClient(),
        path,
        submit=True,
        consent=True,
        goals=GOALS,
        health=HEALTH,
        sponsor_should_not_know=NOT_FOR_SPONSOR,
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    return intake


def _read_url(intake: Intake) -> str:
    return reverse("contracts:agreement-intake-read", args=[intake.agreement.pk, intake.pk])


def _tokens_emailed_to(email: str) -> list[str]:
    return [
        path.split("/")[2]
        for message in mail.outbox
        if email in message.to
        for path in LINK.findall(str(message.body))
    ]


@pytest.fixture
def signed(coach: User, signed_in: HttpClient) -> AgreementVersion:
    return signed_agreement(coach, signed_in)


def test_the_coach_reads_the_submitted_answers_and_each_reading_is_recorded(
    coach: User, signed_in: HttpClient, signed: AgreementVersion
) -> None:
    intake = _submitted(signed, coach)

    first = signed_in.get(_read_url(intake), REMOTE_ADDR="192.0.2.5")
    signed_in.get(_read_url(intake))

    page = first.content.decode()
    assert GOALS in page and HEALTH in page and NOT_FOR_SPONSOR in page
    assert first["Cache-Control"] == "no-store"
    reads = AuditEvent.objects.filter(kind=AuditEventKind.INTAKE_READ).order_by("seq")
    assert reads.count() == 2
    assert reads[0].ip_address == "192.0.2.5"
    assert reads[0].actor.startswith("Coach:")
    assert reads[0].data == {"intake": intake.pk}


def test_the_coach_does_not_see_answers_the_client_has_not_submitted(
    coach: User, signed_in: HttpClient
) -> None:
    intake = sent_intake(coach)
    post_answers(HttpClient(), intake_link(intake.signer.email), goals=GOALS)

    page = signed_in.get(_read_url(intake)).content.decode()

    assert GOALS not in page
    assert "once the client submits them" in page
    assert not AuditEvent.objects.filter(kind=AuditEventKind.INTAKE_READ).exists()


def test_another_coach_cannot_read_them(
    coach: User, other_coach: User, signed: AgreementVersion
) -> None:
    intake = _submitted(signed, coach)
    other = HttpClient()
    other.force_login(other_coach)
    record_sign_in(other, other_coach)

    assert other.get(_read_url(intake)).status_code == 404


def test_nothing_readable_is_stored_and_the_trail_holds_no_answer(
    coach: User, signed: AgreementVersion
) -> None:
    intake = _submitted(signed, coach)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT answers_ciphertext FROM contracts_intake WHERE id = %s", [intake.pk]
        )
        (stored,) = cursor.fetchone()
    assert stored and GOALS not in stored and HEALTH not in stored
    trail = " ".join(
        f"{event.data} {event.actor}"
        for event in AuditEvent.objects.filter(agreement=intake.agreement)
    )
    assert GOALS not in trail and HEALTH not in trail


def test_the_hr_contact_reaches_no_intake_with_any_link_they_hold(
    coach: User, signed: AgreementVersion
) -> None:
    """Seed 000: the HR director holds the sponsor's links; none of them opens the intake."""
    _submitted(signed, coach)
    sponsor = signed.signers.get(role=SignerRole.SPONSOR)
    tokens = _tokens_emailed_to(sponsor.email)
    assert tokens, "the sponsor was emailed links to sign and to read the copy"
    hr = HttpClient()

    for token in tokens:
        for name in ("contracts:intake", "contracts:intake-code", "contracts:intake-verify"):
            for method in ("get", "post"):
                response = getattr(hr, method)(reverse(name, args=[token]))
                assert response.status_code in {404, 405}, (name, method)
                assert GOALS not in response.content.decode()


def test_the_sponsors_pages_emails_and_pdfs_never_show_answers(
    coach: User, signed_in: HttpClient, signed: AgreementVersion
) -> None:
    intake = _submitted(signed, coach)
    signed_in.get(_read_url(intake))
    sponsor = signed.signers.get(role=SignerRole.SPONSOR)
    hr = HttpClient()
    copy_paths = [f"/copy/{token}/" for token in _tokens_emailed_to(sponsor.email)]
    copies = [hr.get(path) for path in copy_paths]
    seen = [response.content.decode() for response in copies if response.status_code == 200]
    assert seen, "the sponsor's copy page opens"
    pdf = download(hr, reverse("contracts:copy-pdf", args=[copy_paths[-1].split("/")[2]]))
    everything = " ".join(
        [
            *seen,
            text_of(pdf),
            *(str(m.body) + m.subject for m in mail.outbox if sponsor.email in m.to),
        ]
    )

    for answer in (GOALS, HEALTH, NOT_FOR_SPONSOR):
        assert answer not in everything


def test_no_email_ever_carries_an_answer(
    coach: User, signed_in: HttpClient, signed: AgreementVersion
) -> None:
    intake = _submitted(signed, coach)
    signed_in.get(_read_url(intake))

    for message in mail.outbox:
        text = str(message.body) + message.subject
        assert GOALS not in text and HEALTH not in text


def test_the_admin_list_shows_no_answer(coach: User, signed: AgreementVersion) -> None:
    _submitted(signed, coach)
    staff = User.objects.create_superuser("admin@example.com", "admin-pass-123", full_name="A")
    http = HttpClient()
    http.force_login(staff)

    page = http.get(reverse("admin:contracts_intake_changelist")).content.decode()

    assert "Submitted" in page
    assert GOALS not in page and HEALTH not in page


def test_the_coach_is_told_the_rule_when_the_signed_matrix_shares_intake_answers(
    coach: User, signed_in: HttpClient
) -> None:
    matrix = default_sharing()
    matrix[InformationKind.INTAKE][Recipient.SPONSOR] = sharing_cell(
        SharingLevel.CONSENT, "report", "end", "client"
    )
    version = signed_agreement(coach, signed_in, sharing=matrix)
    intake = _submitted(version, coach)

    page = signed_in.get(_read_url(intake)).content.decode()

    assert (
        "Under the signed agreement, intake answers may go to the sponsor (HR) only with "
        "the client&#x27;s written consent each time."
    ) in page
    assert "line manager" not in re.sub(r"\s+", " ", page).split("Under the signed")[1][:200]
    assert "Nothing is released from this page." in page


def test_by_default_the_coach_is_told_the_answers_go_to_no_one_else(
    coach: User, signed_in: HttpClient, signed: AgreementVersion
) -> None:
    intake = _submitted(signed, coach)

    page = signed_in.get(_read_url(intake)).content.decode()

    assert "intake answers go to no one but you" in page
    assert "Under the signed agreement" not in page
    assert services.intake_sharing(signed.agreement) == []
