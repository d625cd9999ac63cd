import itertools
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client as HttpClient

from coaching.models import User
from contracts.audit import verify_trail
from contracts.models import (
    Agreement,
    AgreementStatus,
    AuditEvent,
    AuditEventKind,
    Signer,
    SignerRole,
)
from contracts.signing import services as signing
from tests.contracts.signing_helpers import send_agreement, signer

pytestmark = pytest.mark.django_db


def test_a_fresh_trail_verifies_and_links_each_event_to_the_one_before(coach: User) -> None:
    version = send_agreement(coach)
    agreement = Agreement.objects.get(pk=version.agreement.pk)
    events = list(AuditEvent.objects.filter(agreement=agreement).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert agreement.audit_head == events[-1].hash
    assert verify_trail(agreement).intact


def _tamper(sql: str, *params: str | int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_edited_event_is_detected_by_the_command_and_on_the_agreement_page(
    coach: User, signed_in: HttpClient, capsys: pytest.CaptureFixture[str]
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    call_command("verify_audit")
    assert "all intact" in capsys.readouterr().out

    frozen = AuditEvent.objects.get(agreement=agreement, kind=AuditEventKind.SENT)
    _tamper("UPDATE contracts_auditevent SET actor = %s WHERE id = %s", "Someone else", frozen.pk)
    report = verify_trail(agreement)
    assert report.problems == [f"Event {frozen.seq} (Sent for signature) was changed."]
    with pytest.raises(CommandError, match="1 of 1 audit trails have been altered"):
        call_command("verify_audit")
    page = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert "The audit trail of this agreement has been altered." in page


def test_a_removed_event_is_detected_wherever_it_was(coach: User) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    last = AuditEvent.objects.filter(agreement=agreement).order_by("-seq").first()
    assert last is not None
    _tamper("DELETE FROM contracts_auditevent WHERE id = %s", last.pk)
    assert any("events were removed" in p for p in verify_trail(agreement).problems)

    second = AuditEvent.objects.get(agreement=agreement, seq=2)
    _tamper("DELETE FROM contracts_auditevent WHERE id = %s", second.pk)
    problems = verify_trail(agreement).problems
    assert "Event 2 is missing (found 3 next)." in problems


def test_a_retimed_event_is_detected(coach: User) -> None:
    version = send_agreement(coach)
    event = AuditEvent.objects.filter(agreement=version.agreement).first()
    assert event is not None
    _tamper(
        "UPDATE contracts_auditevent SET at = %s WHERE id = %s",
        "2020-01-01 00:00:00",
        event.pk,
    )
    assert not verify_trail(version.agreement).intact


def test_the_audit_page_lists_every_event_with_its_evidence(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    page = signed_in.get(f"/agreements/{version.agreement.pk}/audit/").content.decode()
    assert "Intact: each of the" in page
    for sentence in [
        "Version 1 was frozen: its text can no longer change.",
        "the coach, sent version 1 for signature",
        "(the client) was handed to the mail server: invitation to sign.",
    ]:
        assert sentence in page


def _full_signature(version_signer: Signer) -> signing.Signature:
    snapshot = version_signer.version.snapshot
    return signing.Signature(
        typed_name=version_signer.name,
        intent="Sign the agreement",
        limits=[item["key"] for item in snapshot["terms"]["confidentiality_limits"]],
        authority=version_signer.role == SignerRole.SPONSOR,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_parties_signing_at_the_same_instant_are_both_recorded_and_complete_once(
    coach: User,
) -> None:
    version = send_agreement(coach)
    coach_signer = signer(version, SignerRole.COACH)
    signing.signer_sign(signer=coach_signer, signature=_full_signature(coach_signer))
    parties = [signer(version, SignerRole.CLIENT), signer(version, SignerRole.SPONSOR)]
    start = Barrier(len(parties), timeout=60)  # a party that never arrives fails the test

    def sign(person: Signer) -> str:
        try:
            start.wait()
            signing.signer_sign(signer=person, signature=_full_signature(person))
            return "signed"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(sign, parties))

    assert results == ["signed", "signed"]
    agreement = Agreement.objects.get(pk=version.agreement.pk)
    assert agreement.status == AgreementStatus.SIGNED
    completed = AuditEvent.objects.filter(agreement=agreement, kind=AuditEventKind.COMPLETED)
    assert completed.count() == 1
    assert verify_trail(agreement).intact, "one linear chain despite the race"
