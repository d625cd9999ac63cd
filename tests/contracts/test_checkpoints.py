"""Signed checkpoints of every audit head: a trail cut short, or rewritten and re-chained by
someone who can write to the database, is still found, and so is a checkpoint changed."""

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from threading import Barrier

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks, Settings

from coaching.models import User
from contracts.audit import event_hash, record_event, verify_trail
from contracts.checkpoints import (
    checkpoint_hash,
    current_heads,
    review_checkpoints,
    take_checkpoint,
    when,
)
from contracts.models import Agreement, AuditCheckpoint, AuditEvent, AuditEventKind
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def _sql(statement: str, *params: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _rechain(agreement: Agreement) -> None:
    """What someone who can write to the database does to cover their tracks: number the
    events that are left 1, 2, 3..., chain them again, and set the agreement's head to match."""
    previous, seq = "", 0
    for seq, event in enumerate(
        AuditEvent.objects.filter(agreement=agreement).order_by("seq"), start=1
    ):
        event.seq, event.prev_hash = seq, previous
        event.hash = event_hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(seq=seq, prev_hash=previous, hash=event.hash)
        previous = event.hash
    Agreement.objects.filter(pk=agreement.pk).update(audit_head=previous, audit_count=seq)


def _more_events(agreement: Agreement, count: int) -> None:
    for _ in range(count):
        record_event(agreement, AuditEventKind.VIEWED, actor="Client: Jamie Client")


def _edit_one(agreement: Agreement) -> None:
    sent = AuditEvent.objects.get(agreement=agreement, kind=AuditEventKind.SENT)
    AuditEvent.objects.filter(pk=sent.pk).update(actor="Someone else")


def _delete_a_middle_one(agreement: Agreement) -> None:
    AuditEvent.objects.filter(agreement=agreement, seq=2).delete()


def _cut_the_tail(agreement: Agreement) -> None:
    AuditEvent.objects.filter(agreement=agreement, seq__gt=3).delete()


REMOVED = (
    "The trail ends at event {left} but the checkpoint of {at} saw event {seen}: "
    "events were removed."
)
REWRITTEN = (
    "Event {seen} is not the one the checkpoint of {at} saw: "
    "the trail was rewritten from there or before."
)


@pytest.mark.parametrize(
    ("tamper", "found"),
    [(_edit_one, REWRITTEN), (_delete_a_middle_one, REMOVED), (_cut_the_tail, REMOVED)],
    ids=["edited", "middle-deleted", "tail-cut"],
)
def test_a_trail_rewritten_and_rechained_with_its_head_reset_is_caught_by_the_checkpoint(
    coach: User,
    tamper: Callable[[Agreement], None],
    found: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    agreement = send_agreement(coach).agreement
    checkpoint = take_checkpoint()
    assert checkpoint is not None
    seen = Agreement.objects.get(pk=agreement.pk).audit_count

    tamper(agreement)
    _rechain(agreement)
    assert verify_trail(agreement).intact, "the chain alone no longer shows it"

    with pytest.raises(CommandError, match="1 of 1 audit trails have been altered"):
        call_command("verify_audit")
    left = Agreement.objects.get(pk=agreement.pk).audit_count
    problem = found.format(left=left, at=when(checkpoint), seen=seen)
    assert problem in capsys.readouterr().err


def test_a_trail_that_only_grew_since_the_checkpoint_is_intact(
    coach: User, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = send_agreement(coach).agreement
    checkpoint = take_checkpoint()
    assert checkpoint is not None
    _more_events(agreement, 2)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"1 audit trail checked, against checkpoint 1 of {when(checkpoint)}" in out
    assert "all intact" in out


def test_a_checkpoint_is_signed_chained_and_taken_only_when_a_trail_changed(
    coach: User,
) -> None:
    agreement = send_agreement(coach).agreement
    first = take_checkpoint()
    assert first is not None and first.number == 1 and first.prev_hash == ""
    agreement.refresh_from_db()
    assert first.heads == [[agreement.pk, agreement.audit_count, agreement.audit_head]]
    assert take_checkpoint() is None, "nothing changed"

    _more_events(agreement, 1)
    second = take_checkpoint()
    assert second is not None and second.number == 2 and second.prev_hash == first.hash
    review = review_checkpoints()
    assert review.problems == []
    assert review.latest is not None and review.latest.pk == second.pk


def test_taking_a_checkpoint_costs_the_same_queries_however_many_agreements(
    coach: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    send_agreement(coach)
    # The last checkpoint, the heads, and the insert between a savepoint and its release.
    with django_assert_num_queries(5):
        assert take_checkpoint() is not None
    for _ in range(4):
        send_agreement(coach)
    with django_assert_num_queries(5):
        checkpoint = take_checkpoint()
    assert checkpoint is not None and len(checkpoint.heads) == 5


@pytest.mark.parametrize(
    ("forge", "found"),
    [
        (False, "Checkpoint 2 (of {}) was changed after it was signed."),
        (True, "Checkpoint 2 (of {}) does not carry a valid signature of the seal."),
    ],
    ids=["edited", "edited-and-rehashed"],
)
def test_a_checkpoint_edited_to_match_a_cut_trail_is_reported_and_the_one_before_is_used(
    coach: User, forge: bool, found: str, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = send_agreement(coach).agreement
    take_checkpoint()
    first_seen = Agreement.objects.get(pk=agreement.pk).audit_count
    _more_events(agreement, 4)
    second = take_checkpoint()
    assert second is not None

    AuditEvent.objects.filter(agreement=agreement, seq__gt=first_seen + 1).delete()
    _rechain(agreement)
    second.heads = current_heads()
    second.hash = checkpoint_hash(second) if forge else second.hash
    AuditCheckpoint.objects.filter(pk=second.pk).update(heads=second.heads, hash=second.hash)

    review = review_checkpoints()
    assert review.problems == [found.format(when(second))]
    assert review.latest is not None and review.latest.number == 1
    with pytest.raises(CommandError, match=r"The audit checkpoints have been altered\."):
        call_command("verify_audit")
    assert found.format(when(second)) in capsys.readouterr().err


def test_a_checkpoint_removed_from_the_database_is_found_in_its_folder(
    coach: User,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    agreement = send_agreement(coach).agreement
    with django_capture_on_commit_callbacks(execute=True):
        take_checkpoint()
    _more_events(agreement, 3)
    with django_capture_on_commit_callbacks(execute=True):
        newest = take_checkpoint()
    assert newest is not None
    kept = json.loads((tmp_path / "checkpoints" / "audit-checkpoint-00000002.json").read_text())
    assert kept["hash"] == newest.hash

    AuditEvent.objects.filter(agreement=agreement, seq__gt=newest.heads[0][1] - 2).delete()
    _rechain(agreement)
    newest.delete()  # the newest checkpoint, and with it the evidence of the longer trail

    with pytest.raises(CommandError):
        call_command("verify_audit")
    errors = capsys.readouterr().err
    assert (
        f"Checkpoint 2 (of {when(newest)}), kept in audit-checkpoint-00000002.json, is missing "
        "from the database: checkpoints were removed."
    ) in errors
    assert "events were removed" in errors


def test_an_agreement_the_checkpoint_saw_cannot_vanish_unnoticed(
    coach: User, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = send_agreement(coach).agreement
    checkpoint = take_checkpoint()
    assert checkpoint is not None
    count = checkpoint.heads[0][1]
    for statement in [
        "DELETE FROM contracts_outgoingemail WHERE agreement_id = %s",
        "DELETE FROM contracts_auditevent WHERE agreement_id = %s",
        "DELETE FROM contracts_signinglink WHERE signer_id IN (SELECT s.id FROM contracts_signer"
        " s JOIN contracts_agreementversion v ON s.version_id = v.id WHERE v.agreement_id = %s)",
        "DELETE FROM contracts_signer WHERE version_id IN"
        " (SELECT id FROM contracts_agreementversion WHERE agreement_id = %s)",
        "DELETE FROM contracts_agreementversion WHERE agreement_id = %s",
        "DELETE FROM contracts_agreement WHERE id = %s",
    ]:
        _sql(statement, agreement.pk)

    with pytest.raises(CommandError, match="1 of 1 audit trails have been altered"):
        call_command("verify_audit")
    assert (
        f"Agreement {agreement.pk} is missing, but the checkpoint of {when(checkpoint)} saw "
        f"{count} events in its trail: it was removed."
    ) in capsys.readouterr().err


def test_the_scheduler_takes_a_checkpoint_once_per_interval(
    coach: User, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.AUDIT_CHECKPOINT_MINUTES = 60
    agreement = send_agreement(coach).agreement
    with time_machine.travel(timezone.now(), tick=False) as clock:
        call_command("send_reminders")
        assert "Audit checkpoint 1 taken." in capsys.readouterr().out
        _more_events(agreement, 1)
        clock.shift(timedelta(minutes=59))
        call_command("send_reminders")
        assert "Audit checkpoint" not in capsys.readouterr().out, "not yet an hour"
        clock.shift(timedelta(minutes=2))
        call_command("send_reminders")
        assert "Audit checkpoint 2 taken." in capsys.readouterr().out
        clock.shift(timedelta(hours=2))
        call_command("send_reminders")
        assert "Audit checkpoint" not in capsys.readouterr().out, "nothing changed"
    assert AuditCheckpoint.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
def test_two_schedulers_taking_a_checkpoint_at_once_make_one_chain(coach: User) -> None:
    agreement = send_agreement(coach).agreement
    assert take_checkpoint() is not None
    _more_events(agreement, 1)
    start = Barrier(2, timeout=60)  # a taker that never arrives fails the test

    def take(_: int) -> int | None:
        try:
            start.wait()
            checkpoint = take_checkpoint()
            return checkpoint.number if checkpoint else None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        taken = list(pool.map(take, range(2)))

    assert sorted(taken, key=str) == [2, None]
    assert list(AuditCheckpoint.objects.values_list("number", flat=True)) == [1, 2]
    review = review_checkpoints()
    assert review.problems == []
    assert review.latest is not None and review.latest.number == 2
