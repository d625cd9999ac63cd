"""A request is recorded with the signed rule that answers it; the disclosure log chains."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from coaching.models import ContactRole, SponsorContact, User
from contracts.models import (
    AuditEvent,
    AuditEventKind,
    DisclosureBasis,
    DisclosureEntry,
    RequestChannel,
)
from contracts.sponsor.asking import CannotAsk, request_receive
from contracts.sponsor.disclosure import Recipient, disclosure_record, verify_disclosures
from contracts.terms import SharingLevel
from tests.conftest import make_contact
from tests.contracts.engagement.sessions.helpers import in_force


def ask(agreement: object, contact: SponsorContact, kind: str) -> object:
    return request_receive(
        agreement=agreement,  # type: ignore[arg-type]
        contact=contact,
        kind=kind,
        asked="A full report of what is discussed",
        channel=RequestChannel.COACH,
        actor="Coach",
    )


@pytest.mark.django_db
def test_a_request_carries_the_signed_rule_and_an_uncovered_kind_is_never(coach: User) -> None:
    agreement = in_force(coach)
    hr = agreement.sponsor_signatory
    assert hr is not None

    content = ask(agreement, hr, "content")
    attendance = ask(agreement, hr, "attendance")
    unknown = ask(agreement, hr, "salary_review")

    assert content.level == SharingLevel.NEVER  # type: ignore[attr-defined]
    assert attendance.level == SharingLevel.ROUTINE  # type: ignore[attr-defined]
    assert unknown.level == SharingLevel.NEVER and unknown.kind == ""  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(kind=AuditEventKind.REQUEST_RECEIVED).count() == 3


@pytest.mark.django_db
def test_a_contact_the_agreement_does_not_name_cannot_ask(coach: User) -> None:
    agreement = in_force(coach)
    assert agreement.organisation is not None
    stranger = make_contact(coach=coach, organisation=agreement.organisation, name="Not named")
    stranger.role = ContactRole.LINE_MANAGER
    stranger.save()
    with pytest.raises(CannotAsk):
        ask(agreement, stranger, "attendance")


@pytest.mark.django_db
def test_the_disclosure_log_detects_an_edited_or_removed_entry(coach: User) -> None:
    agreement = in_force(coach)
    to = Recipient(name="Harper HR", email="harper@example.com", role="sponsor")
    for what in ("Attendance", "Progress summary", "End report"):
        disclosure_record(
            agreement=agreement,
            what=what,
            content=f"{what} text",
            to=to,
            basis=DisclosureBasis.MATRIX,
            basis_reference="attendance.sponsor",
            approved_by="Casey Coach",
        )
    assert verify_disclosures(coach).intact
    stored = str(list(DisclosureEntry.objects.values()))
    assert "Progress summary text" not in stored, "the content is hashed, never kept"

    DisclosureEntry.objects.filter(seq=2).update(to_email="someone.else@example.com")
    assert verify_disclosures(coach).problems == ["Entry 2 was changed."]
    DisclosureEntry.objects.filter(seq=2).delete()
    assert "Entry 2 is missing (found 3 next)." in verify_disclosures(coach).problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_releases_recorded_at_once_build_one_chain(coach: User) -> None:
    agreement = in_force(coach)
    to = Recipient(name="Harper HR", email="harper@example.com", role="sponsor")
    start = threading.Barrier(4, timeout=30)

    def record(number: int) -> None:
        try:
            start.wait()
            disclosure_record(
                agreement=agreement,
                what=f"Release {number}",
                content="x",
                to=to,
                basis=DisclosureBasis.MATRIX,
                basis_reference="attendance.sponsor",
                approved_by="Casey Coach",
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(record, range(4)))
    assert sorted(DisclosureEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert verify_disclosures(coach).intact


@pytest.mark.django_db
def test_a_disclosure_without_its_basis_is_refused_and_a_broken_entry_is_named(
    coach: User,
) -> None:
    agreement = in_force(coach)
    to = Recipient(name="Harper HR", email="harper@example.com", role="sponsor")
    with pytest.raises(ValueError, match="its basis"):
        disclosure_record(
            agreement=agreement,
            what="Attendance",
            content="x",
            to=to,
            basis=DisclosureBasis.MATRIX,
            basis_reference=" ",
            approved_by="Casey Coach",
        )
    for what in ("Attendance", "Progress summary"):
        disclosure_record(
            agreement=agreement,
            what=what,
            content="x",
            to=to,
            basis=DisclosureBasis.MATRIX,
            basis_reference="attendance.sponsor",
            approved_by="Casey Coach",
        )
    DisclosureEntry.objects.filter(seq=1).update(what="Something else")
    assert verify_disclosures(coach).broken == {1}
