"""The audit trail reads as sentences, a signer's confirmations told once, no raw data."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.audit_text import audit_entries, event_sentence
from contracts.models import AuditEvent, AuditEventKind, SignerRole
from contracts.signing import services as signing
from tests.contracts.signing_helpers import link_for, send_agreement, sign_by_link, sponsor_email

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\b(True|False|None)\b|\b[a-z_]+\.(sponsor|line_manager)\b")


def signed_by_client_and_sponsor(coach: User) -> list[AuditEvent]:
    version = send_agreement(coach, require_email_code=False)
    sign_by_link(link_for(version.agreement.client.email), name="Jamie Client")
    sign_by_link(link_for(sponsor_email(version)), name="Harper HR")
    return list(
        AuditEvent.objects.filter(agreement=version.agreement).select_related("version", "signer")
    )


def test_each_signers_sharing_confirmations_are_one_sentence(coach: User) -> None:
    events = signed_by_client_and_sponsor(coach)
    confirmations = [e for e in events if e.kind == AuditEventKind.SHARING_CONFIRMED]
    assert len(confirmations) > 2, "the trail keeps one event per rule"

    entries = audit_entries(events)

    sharing = [e for e in entries if e.first.kind == AuditEventKind.SHARING_CONFIRMED]
    assert [entry.first.signer.role for entry in sharing if entry.first.signer] == [
        SignerRole.CLIENT,
        SignerRole.SPONSOR,
    ]
    sponsor = sharing[1]
    assert sponsor.sentence.startswith(
        "Harper HR, the sponsor's signatory, confirmed what the sponsor's HR contact "
        "receives: attendance and session dates, routinely, by email, monthly; "
    )
    assert "what is said in coaching sessions, never" in sponsor.sentence
    assert re.fullmatch(r"\d+\u2013\d+", sponsor.seqs)
    limits = next(e for e in entries if e.first.kind == AuditEventKind.LIMIT_CONFIRMED)
    assert limits.sentence.startswith(
        "Jamie Client, the client, confirmed the limits of confidentiality: "
    )
    assert len(entries) < len(events)


def test_no_sentence_shows_a_raw_key_or_a_python_value(coach: User) -> None:
    events = signed_by_client_and_sponsor(coach)

    for entry in audit_entries(events):
        assert RAW.search(entry.sentence) is None, entry.sentence
        for event in entry.events:
            for key, value in event.data.items():
                assert f"{key}: {value}" not in entry.sentence, entry.sentence


def test_a_confirmation_per_recipient_with_a_list_of_rules_reads_the_same(coach: User) -> None:
    events = signed_by_client_and_sponsor(coach)
    one = next(
        e
        for e in events
        if e.kind == AuditEventKind.SHARING_CONFIRMED and e.signer and e.signer.role == "sponsor"
    )
    one.data = {"recipient": "sponsor", "rules": ["attendance.sponsor", "content.sponsor"]}

    sentence = event_sentence(one)

    assert sentence == (
        "Harper HR, the sponsor's signatory, confirmed what the sponsor's HR contact "
        "receives: attendance and session dates, routinely, by email, monthly; what is "
        "said in coaching sessions, never."
    )


def test_a_confirmation_of_unknown_rules_shows_no_key(coach: User) -> None:
    events = signed_by_client_and_sponsor(coach)
    one = next(e for e in events if e.kind == AuditEventKind.SHARING_CONFIRMED)
    one.data = {"recipient": None, "rules": ["gossip.sponsor", None, True]}

    sentence = event_sentence(one)

    assert "gossip" not in sentence and RAW.search(sentence) is None
    assert sentence.endswith("confirmed what is shared with the sponsor, and what is not.")


def test_sending_reads_as_a_sentence_not_as_its_data(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True)
    sent = AuditEvent.objects.select_related("version", "signer").get(
        agreement=version.agreement, kind=AuditEventKind.SENT
    )
    assert sent.data == {"signing_order": "parallel", "code": True}

    assert event_sentence(sent) == (
        "Alex Morgan, the coach, sent version 1 for signature (everyone at the same time, "
        "with a code emailed to each signer)."
    )


def test_the_audit_page_reads_as_sentences(coach: User, signed_in: HttpClient) -> None:
    events = signed_by_client_and_sponsor(coach)
    agreement = events[0].agreement

    page = signed_in.get(reverse("contracts:agreement-audit", args=[agreement.pk]))

    text = page.content.decode()
    assert "rule: attendance.sponsor" not in text
    assert "code: " not in text and "signing_order" not in text
    assert "Sharing rule confirmed" not in text
    assert "confirmed what the sponsor&#x27;s HR contact receives: attendance" in text
    assert text.count("confirmed what the sponsor&#x27;s HR contact receives") == 2


def test_a_declined_version_reads_with_its_reason(coach: User) -> None:
    version = send_agreement(coach)
    client = version.signers.get(role=SignerRole.CLIENT)
    signing.signer_decline(signer=client, reason="The fee is not what we agreed.")
    declined = AuditEvent.objects.select_related("version", "signer").get(
        agreement=version.agreement, kind=AuditEventKind.DECLINED
    )

    assert event_sentence(declined) == (
        "Jamie Client, the client, declined to sign, giving the reason: "
        "“The fee is not what we agreed.”."
    )


# What each kind of event records, as the services write it.
SAMPLE_DATA: dict[str, dict[str, object]] = {
    "version_frozen": {"number": 1},
    "sent": {"signing_order": "client_first", "code": False},
    "email_handed_over": {"email": "invitation", "to": "client"},
    "email_failed": {"email": "reminder", "to": "sponsor", "attempts": 5},
    "email_resent": {"email": "invitation", "to": "client"},
    "viewed": {"link_views": 3},
    "disclosure_accepted": {"disclosure_version": "2026-11-01"},
    "limit_confirmed": {"limit": "harm"},
    "sharing_confirmed": {"rule": "attendance.line_manager"},
    "signed": {"typed_name": "Jo Signer", "intent": "Sign the agreement"},
    "declined": {"reason": "Not now"},
    "voided": {"reason": "Wrong client"},
    "reminder_sent": {"number": 2},
    "downloaded": {"pdf": "executed"},
    "review_completed": {"outcome": "confirmed", "next_review_on": "2028-04-14"},
    "superseded": {"by_version": 2},
    "session_logged": {
        "session": 4,
        "starts_at": "2027-02-01T09:00:00+00:00",
        "minutes": 60,
        "format": "video",
        "status": "held",
        "pro_bono": False,
        "counted": True,
    },
    "session_changed": {"session": 4, "deleted": True, "starts_at": "2027-02-01T09:00:00"},
    "note_written": {"note": 3, "revision": 2},
    "intake_sent": {"intake": 1, "questions": 6, "again": True},
    "health_consent": {"intake": 1, "given": False},
    "meeting_planned": {
        "meeting": 1,
        "kind": "midpoint",
        "starts_at": "2027-04-01T10:00:00+00:00",
        "minutes": 45,
        "revision": 1,
        "change": False,
    },
    "meeting_note": {"meeting": 1, "kind": "close", "characters": 120},
    "request_received": {
        "request": 1,
        "kind": "content",
        "recipient": "line_manager",
        "level": "never",
        "channel": "portal",
    },
    "request_declined": {"request": 1, "kind": "not covered", "level": "never"},
    "release_prepared": {
        "release": 1,
        "kind": "progress_report",
        "information": "progress",
        "level": "approved_summary",
    },
    "release_to_client": {"release": 1, "level": "consent", "text": "ab" * 32},
    "client_decided": {"release": 1, "decision": "refused", "text": "ab" * 32},
    "released": {"release": 1, "basis": "consent", "reference": "", "text": "ab" * 32},
    "breach_recorded": {"limit": "harm"},
}


@pytest.mark.parametrize("kind", AuditEventKind.values)
def test_every_kind_of_event_reads_without_its_raw_data(kind: str, coach: User) -> None:
    version = send_agreement(coach)
    signer = version.signers.get(role=SignerRole.CLIENT)
    data = SAMPLE_DATA.get(kind, {})
    event = AuditEvent(
        agreement=version.agreement,
        seq=99,
        kind=kind,
        version=version,
        signer=signer,
        actor=f"Client: {signer.name} <{signer.email}>",
        data=data,
    )

    sentence = event_sentence(event)

    assert sentence.endswith("."), sentence
    assert RAW.search(sentence) is None, sentence
    assert signer.email not in sentence
    for key, value in data.items():
        assert f"{key}: {value}" not in sentence, sentence
        if isinstance(value, str) and "_" in value:
            assert value not in sentence, sentence
    assert "ab" * 32 not in sentence
