"""Erasure: what may go goes, what must stay stays with its reason, and the client is told."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from coaching.models import Client, User
from contracts.models import (
    AgreementStatus,
    CoachingSession,
    DataRequest,
    DataRequestChannel,
    DataRequestKind,
    DisposalEntry,
    DisposalReason,
    Intake,
    OutgoingEmail,
    PrivateNote,
    Release,
)
from contracts.records.erasure import ERASED_NAME, erasure_carry_out, erasure_plan
from contracts.records.services import hold_place
from tests.conftest import make_agreement
from tests.contracts.records.helpers import at_noon, ended_engagement, verify_audit

pytestmark = pytest.mark.django_db


def erasure_request(client: Client, coach: User) -> DataRequest:
    return DataRequest.objects.create(
        coach=coach,
        client=client,
        kind=DataRequestKind.ERASURE,
        channel=DataRequestChannel.COACH,
        due_on=date(2028, 4, 1),
    )


def erase(data_request: DataRequest, coach: User, day: date = date(2028, 3, 1)) -> None:
    with time_machine.travel(at_noon(day)), TestCase.captureOnCommitCallbacks(execute=True):
        erasure_carry_out(data_request=data_request, coach=coach)


def test_an_ended_signed_engagement_keeps_what_the_law_lets_it_keep(coach: User) -> None:
    agreement = ended_engagement(coach)
    address = agreement.client.email
    asked = erasure_request(agreement.client, coach)
    mail.outbox.clear()

    erase(asked, coach)

    assert PrivateNote.objects.filter(agreement=agreement).count() == 0
    assert Intake.objects.filter(agreement=agreement).count() == 0
    assert not Release.objects.filter(agreement=agreement).exclude(body="").exists()
    assert CoachingSession.objects.filter(agreement=agreement).count() == 2
    assert OutgoingEmail.objects.filter(agreement=agreement).exists()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert Client.objects.get(pk=agreement.client_id).email == address
    log = DisposalEntry.objects.filter(agreement=agreement)
    assert set(log.values_list("record_class", flat=True)) == {"notes", "intake", "reports"}
    assert set(log.values_list("reason", flat=True)) == {DisposalReason.ERASURE}
    asked.refresh_from_db()
    kept = {item["what"]: item for item in asked.outcome["kept"]}
    assert "article 17(3)(e)" in kept["Signed agreement and its audit trail"]["why"]
    assert kept["Signed agreement and its audit trail"]["until"] == "2034-07-09"
    assert asked.completed_at is not None and asked.notified_at is not None
    notice = [m for m in mail.outbox if address in m.to]
    assert len(notice) == 1
    assert "Kept, and why:" in str(notice[0].body) and "17(3)(e)" in str(notice[0].body)
    assert "all intact" in verify_audit()


def test_a_client_with_nothing_to_keep_is_erased_altogether(coach: User) -> None:
    draft = make_agreement(coach=coach)
    client = draft.client
    address = client.email
    asked = erasure_request(client, coach)

    erase(asked, coach)

    client.refresh_from_db()
    draft.refresh_from_db()
    assert client.name == ERASED_NAME and address not in client.email
    assert draft.status == AgreementStatus.DISPOSED and client.name not in draft.title
    asked.refresh_from_db()
    assert asked.outcome["client_record"] == "erased"
    assert [address] in [m.to for m in mail.outbox]
    assert asked.notice_to == ""  # forgotten once the notice is sent


def test_a_running_or_held_engagement_is_kept_whole_with_the_reason(coach: User) -> None:
    running = ended_engagement(coach)
    asked = erasure_request(running.client, coach)

    with time_machine.travel(at_noon(date(2027, 5, 1))):
        plan = erasure_plan(client=running.client, coach=coach)
    assert not plan.erase and "had not ended" in plan.kept[0].why

    hold_place(coach=coach, agreement=running, reason="A claim")
    erase(asked, coach)

    assert PrivateNote.objects.filter(agreement=running).count() == 2
    asked.refresh_from_db()
    assert "legal claim or a complaint" in asked.outcome["kept"][0]["why"]
    assert asked.outcome["client_record"] == "kept"
