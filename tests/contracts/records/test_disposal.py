"""Disposal on the right day per class, with its log and tombstone; holds; all or nothing;
files deleted after commit and retried; the audit trail still verifies."""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.management.base import CommandError
from django.test import Client as HttpClient
from django.test import TestCase
from django.urls import reverse
from pytest_django import Settings

from coaching.models import RecordClass, User
from contracts.checkpoints import take_checkpoint
from contracts.models import (
    AgreementPdf,
    AgreementStatus,
    AuditEvent,
    AuditEventKind,
    CoachingSession,
    DisclosureEntry,
    DisposalEntry,
    FileDeletion,
    Intake,
    OutgoingEmail,
    PrivateNote,
    Release,
    Signer,
    Tombstone,
)
from contracts.records import disposal
from contracts.records.services import (
    RecordsError,
    hold_lift,
    hold_place,
    records_daily_pass,
    records_dispose,
)
from tests.contracts.records.helpers import at_noon, ended_engagement, verify_audit

pytestmark = pytest.mark.django_db


def automatic(coach: User) -> None:
    coach.profile.dispose_automatically = True
    coach.profile.save()


def pass_on(day: date) -> None:
    """The day's pass, as committed: files are deleted once the disposal is."""
    with time_machine.travel(at_noon(day)), TestCase.captureOnCommitCallbacks(execute=True):
        records_daily_pass()


def test_each_class_is_disposed_of_on_its_own_day_and_not_before(coach: User) -> None:
    automatic(coach)
    agreement = ended_engagement(coach, periods={"intake": 1, "notes": 2})
    take_checkpoint()

    pass_on(date(2028, 7, 8))
    assert Intake.objects.filter(agreement=agreement).count() == 1

    pass_on(date(2028, 7, 9))
    assert Intake.objects.filter(agreement=agreement).count() == 0
    assert PrivateNote.objects.filter(agreement=agreement).count() == 2

    pass_on(date(2029, 7, 8))
    assert PrivateNote.objects.filter(agreement=agreement).count() == 2
    pass_on(date(2029, 7, 9))
    assert PrivateNote.objects.filter(agreement=agreement).count() == 0
    assert CoachingSession.objects.filter(agreement=agreement).count() == 2  # kept 3 years

    log = list(DisposalEntry.objects.filter(agreement=agreement).order_by("at"))
    assert [(entry.record_class, entry.count) for entry in log] == [("intake", 1), ("notes", 2)]
    assert all(entry.by == disposal.SCHEDULED and len(entry.digest) == 64 for entry in log)
    assert all(len(entry.hashes) == entry.count for entry in log)
    events = AuditEvent.objects.filter(agreement=agreement, kind=AuditEventKind.RECORDS_DISPOSED)
    assert [event.data["class"] for event in events.order_by("seq")] == ["intake", "notes"]
    assert "all intact" in verify_audit()


def test_everything_goes_on_the_agreements_day_leaving_a_tombstone_and_a_trail_that_verifies(
    coach: User,
) -> None:
    automatic(coach)
    agreement = ended_engagement(coach, sealed=True)
    take_checkpoint()
    files = [Path(pdf.file.path) for pdf in AgreementPdf.objects.filter(agreement=agreement)]
    files += [
        Path(r.report_pdf.path)
        for r in Release.objects.filter(agreement=agreement)
        if r.report_pdf
    ]
    assert files and all(file.exists() for file in files)
    events_before = agreement.audit_count

    pass_on(date(2034, 7, 8))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    pass_on(date(2034, 7, 9))

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DISPOSED
    assert agreement.client.name in agreement.client.name  # the client record is not erased here
    assert agreement.title == f"Records disposed of ({agreement.reference})"
    assert agreement.goals == [] and agreement.end_date is None
    assert not any(file.exists() for file in files)
    assert FileDeletion.objects.count() == 0
    assert AgreementPdf.objects.filter(agreement=agreement).count() == 0
    assert OutgoingEmail.objects.filter(agreement=agreement).count() == 0
    assert not Signer.objects.filter(version__agreement=agreement).exclude(name="").exists()
    assert all(not v.snapshot for v in agreement.versions.all())
    assert not DisclosureEntry.objects.filter(agreement=agreement).exclude(to_name="").exists()
    emptied = AuditEvent.objects.filter(agreement=agreement, seq__lte=events_before)
    assert not emptied.exclude(kind=AuditEventKind.RECORDS_DISPOSED).exclude(actor="").exists()
    tombstone = Tombstone.objects.get(agreement=agreement)
    assert tombstone.versions[0]["sha256"] == agreement.versions.get().sha256
    assert tombstone.audit_seq == agreement.audit_count
    assert set(
        DisposalEntry.objects.filter(agreement=agreement).values_list("record_class", flat=True)
    ) == {"reports", "disclosures", "notes", "intake", "sessions", "correspondence", "agreement"}
    take_checkpoint()
    assert "all intact" in verify_audit()

    # A second run finds nothing to do.
    entries = DisposalEntry.objects.count()
    pass_on(date(2034, 7, 10))
    with time_machine.travel(at_noon(date(2034, 7, 10))):
        assert records_dispose(agreement=agreement, coach=coach) == []
    assert DisposalEntry.objects.count() == entries


def test_content_emptied_by_a_disposal_and_changed_afterwards_is_reported(coach: User) -> None:
    automatic(coach)
    agreement = ended_engagement(coach)
    pass_on(date(2034, 7, 9))
    AuditEvent.objects.filter(agreement=agreement, seq=1).update(actor="Someone else")
    entry = DisclosureEntry.objects.filter(agreement=agreement).first()
    assert entry is not None
    DisclosureEntry.objects.filter(pk=entry.pk).update(what="Invented")

    with pytest.raises(CommandError):
        verify_audit()


def test_nothing_held_is_disposed_of_and_lifting_the_hold_lets_it_go(coach: User) -> None:
    automatic(coach)
    agreement = ended_engagement(coach, periods={"notes": 2})
    hold = hold_place(coach=coach, agreement=agreement, reason="A complaint to the ICF")

    pass_on(date(2029, 7, 9))
    assert PrivateNote.objects.filter(agreement=agreement).count() == 2
    with time_machine.travel(at_noon(date(2029, 7, 9))), pytest.raises(RecordsError, match="hold"):
        records_dispose(agreement=agreement, coach=coach)

    hold_lift(hold=hold, coach=coach, reason="The complaint was closed")
    pass_on(date(2029, 7, 10))
    assert PrivateNote.objects.filter(agreement=agreement).count() == 0
    kinds = set(AuditEvent.objects.filter(agreement=agreement).values_list("kind", flat=True))
    assert {AuditEventKind.HOLD_PLACED, AuditEventKind.HOLD_LIFTED} <= kinds


def test_a_hold_on_the_client_holds_each_of_their_agreements(coach: User) -> None:
    automatic(coach)
    agreement = ended_engagement(coach, periods={"notes": 2})
    hold_place(coach=coach, client=agreement.client, reason="A claim")

    pass_on(date(2029, 7, 9))

    assert PrivateNote.objects.filter(agreement=agreement).count() == 2


def test_nothing_of_a_running_engagement_is_disposed_of(coach: User) -> None:
    agreement = ended_engagement(coach)

    with (
        time_machine.travel(at_noon(date(2027, 7, 9))),
        pytest.raises(RecordsError, match="running"),
    ):
        records_dispose(agreement=agreement, coach=coach)


def test_a_failure_in_the_middle_leaves_nothing_half_deleted(
    coach: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreement = ended_engagement(coach, sealed=True)
    files = [Path(pdf.file.path) for pdf in AgreementPdf.objects.filter(agreement=agreement)]

    def broken(*args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setitem(disposal.DISPOSERS, RecordClass.AGREEMENT, broken)
    with time_machine.travel(at_noon(date(2034, 7, 9))), pytest.raises(RuntimeError):
        records_dispose(agreement=agreement, coach=coach)

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert PrivateNote.objects.filter(agreement=agreement).count() == 2
    assert OutgoingEmail.objects.filter(agreement=agreement).exists()
    assert DisposalEntry.objects.count() == 0 and FileDeletion.objects.count() == 0
    assert all(file.exists() for file in files)
    assert "all intact" in verify_audit()


def test_a_file_the_storage_would_not_delete_is_tried_again_until_it_is_gone(
    coach: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    automatic(coach)
    agreement = ended_engagement(coach, sealed=True)
    files = [Path(pdf.file.path) for pdf in AgreementPdf.objects.filter(agreement=agreement)]

    def refuse(storage: FileSystemStorage, name: str) -> None:
        raise OSError("the object store is unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(FileSystemStorage, "delete", refuse)
        pass_on(date(2034, 7, 9))  # deleted after the commit: refused
        disposal.retry_file_deletions()  # the scheduler's next pass: refused again
    assert files and FileDeletion.objects.count() == len(files)
    assert all(file.exists() for file in files)
    assert set(FileDeletion.objects.values_list("attempts", flat=True)) == {2}

    disposal.retry_file_deletions()

    assert FileDeletion.objects.count() == 0
    assert not any(file.exists() for file in files)


def test_the_coach_confirms_a_disposal_from_the_records_page(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})
    url = reverse("contracts:agreement-records-dispose", args=[agreement.pk])

    with time_machine.travel(at_noon(date(2029, 7, 9))):
        signed_in = HttpClient()
        signed_in.force_login(coach)
        page = signed_in.get(url).content.decode()
        assert "Coach&#x27;s session notes</strong> (2 records)" in page
        response = signed_in.post(url, follow=True)

    assert "2 records disposed of, in 1 class" in response.content.decode()
    entry = DisposalEntry.objects.get(agreement=agreement)
    assert entry.by.startswith("Coach: Alex Morgan")
    assert PrivateNote.objects.filter(agreement=agreement).count() == 0


def test_without_automatic_disposal_the_pass_only_lists_and_reminds(
    coach: User, settings: Settings
) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})
    mail.outbox.clear()

    pass_on(date(2029, 6, 9))  # the profile's 30 days ahead
    reminders = [m for m in mail.outbox if "due for disposal" in m.subject]
    assert len(reminders) == 1 and agreement.reference in reminders[0].subject
    assert "9 July 2029" in reminders[0].body

    pass_on(date(2029, 6, 10))
    pass_on(date(2029, 7, 9))
    assert len([m for m in mail.outbox if "due for disposal" in m.subject]) == 1
    assert PrivateNote.objects.filter(agreement=agreement).count() == 2


def test_two_schedulers_on_the_same_day_make_one_pass(coach: User) -> None:
    with time_machine.travel(at_noon(date(2029, 7, 9))):
        assert records_daily_pass().ran
        assert not records_daily_pass().ran


def test_a_disposed_agreements_pages_lead_to_what_is_left_of_it(
    coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    automatic(coach)
    agreement = ended_engagement(coach)
    pass_on(date(2034, 7, 9))

    signed_in = sign_in(coach)
    response = signed_in.get(reverse("contracts:agreement-detail", args=[agreement.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:agreement-records", args=[agreement.pk])
    page = signed_in.get(response["Location"]).content.decode()
    assert "The agreement was disposed of on 9 July 2034" in page
    assert (
        signed_in.post(reverse("contracts:agreement-void", args=[agreement.pk])).status_code == 404
    )
