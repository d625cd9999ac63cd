"""NOTES_KEY: rotation to a new key, and a wrong key refused at start-up and answered with
a kind page (never garbage, never a server error) if met during a request."""

import logging
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import Settings

from coaching.models import User
from contracts.engagement.crypto import decrypt_text, encrypt_text, key_fingerprint
from contracts.engagement.notes import services
from contracts.models import (
    AuditEventKind,
    Intake,
    IntakeStatus,
    NotesKeyFingerprint,
    PrivateNote,
    SignerRole,
)
from tests.conftest import make_agreement
from tests.contracts.engagement.notes.helpers import PHRASE, events, new_key
from tests.contracts.signing_helpers import send_agreement

ROOT = Path(__file__).resolve().parents[4]
OLD, NEW, STRANGER = new_key(), new_key(), new_key()


def write_notes(coach: User, count: int) -> list[PrivateNote]:
    agreement = make_agreement(coach=coach)
    return [
        services.note_write(agreement=agreement, coach=coach, text=f"{PHRASE} {number}")
        for number in range(count)
    ]


@pytest.mark.django_db
def test_rotation_re_encrypts_notes_and_intake_answers_with_the_newest_key(
    coach: User, settings: Settings
) -> None:
    settings.NOTES_KEYS = [OLD]
    notes = write_notes(coach, 5)
    version = send_agreement(coach)
    intake = Intake.objects.create(
        agreement=version.agreement,
        signer=version.signers.get(role=SignerRole.CLIENT),
        status=IntakeStatus.SUBMITTED,
        answers_ciphertext=encrypt_text('{"goals": "Sleep again"}'),
    )
    settings.NOTES_KEYS = [NEW, OLD]

    out = io_of("rotate_notes_key", "--batch", "2")

    assert "6 re-encrypted with the newest key, 0 already under it" in out
    settings.NOTES_KEYS = [NEW]  # the old key may go
    assert [decrypt_text(n.ciphertext) for n in PrivateNote.objects.order_by("pk")] == [
        f"{PHRASE} {number}" for number in range(5)
    ]
    intake.refresh_from_db()
    assert decrypt_text(intake.answers_ciphertext) == '{"goals": "Sleep again"}'
    assert list(NotesKeyFingerprint.objects.values_list("fingerprint", flat=True)) == [
        key_fingerprint(NEW)
    ]
    assert {n.pk for n in notes} == set(PrivateNote.objects.values_list("pk", flat=True))
    call_command("check")  # NOTES_KEY without the old key now passes the start-up check


@pytest.mark.django_db
def test_running_the_rotation_again_changes_nothing(coach: User, settings: Settings) -> None:
    settings.NOTES_KEYS = [OLD]
    write_notes(coach, 3)
    settings.NOTES_KEYS = [NEW, OLD]
    io_of("rotate_notes_key")
    before = list(PrivateNote.objects.order_by("pk").values_list("ciphertext", "revision"))

    out = io_of("rotate_notes_key", "--batch", "1")

    assert "0 re-encrypted with the newest key, 3 already under it" in out
    assert list(PrivateNote.objects.order_by("pk").values_list("ciphertext", "revision")) == (
        before
    )


@pytest.mark.django_db
def test_rotation_stops_short_of_forgetting_a_key_it_could_not_use(
    coach: User, settings: Settings
) -> None:
    settings.NOTES_KEYS = [STRANGER]
    lost = write_notes(coach, 1)[0]
    settings.NOTES_KEYS = [OLD]
    write_notes(coach, 2)
    settings.NOTES_KEYS = [NEW, OLD]

    with pytest.raises(CommandError, match="1 cannot be decrypted with any key in NOTES_KEY"):
        call_command("rotate_notes_key")

    kept = set(NotesKeyFingerprint.objects.values_list("fingerprint", flat=True))
    assert kept == {key_fingerprint(k) for k in (STRANGER, OLD, NEW)}
    lost.refresh_from_db()
    settings.NOTES_KEYS = [STRANGER]
    assert decrypt_text(lost.ciphertext) == f"{PHRASE} 0"  # left as it was


@pytest.mark.django_db
def test_the_start_up_check_refuses_a_key_that_cannot_read_the_notes(
    coach: User, settings: Settings
) -> None:
    settings.NOTES_KEYS = [OLD]
    write_notes(coach, 1)
    settings.NOTES_KEYS = [NEW]

    with pytest.raises(SystemCheckError) as refused:
        call_command("check")

    assert f"NOTES_KEY does not hold the key with fingerprint {key_fingerprint(OLD)}" in str(
        refused.value
    )
    assert OLD not in str(refused.value)
    settings.NOTES_KEYS = [NEW, OLD]
    call_command("check")


@pytest.mark.django_db
def test_the_check_reads_the_newest_note_when_no_fingerprint_was_kept(
    coach: User, settings: Settings
) -> None:
    settings.NOTES_KEYS = [OLD]
    write_notes(coach, 1)
    NotesKeyFingerprint.objects.all().delete()  # as in a database copied in from elsewhere
    settings.NOTES_KEYS = [NEW]

    with pytest.raises(SystemCheckError, match="cannot decrypt the newest private note"):
        call_command("check")


@pytest.mark.django_db(transaction=True)
def test_the_server_does_not_start_with_a_wrong_key(coach: User, settings: Settings) -> None:
    settings.NOTES_KEYS = [OLD]
    write_notes(coach, 1)
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    else:
        url = f"sqlite:///{database['NAME']}"
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "NOTES_KEY"}},
        "DEBUG": "true",
        "DATABASE_URL": url,
    }

    def start(key: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env={**environment, "NOTES_KEY": key},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    wrong = start(NEW)
    assert wrong.returncode != 0
    assert "NOTES_KEY does not hold the key with fingerprint" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    right = start(f"{NEW},{OLD}")
    assert right.returncode == 0, right.stderr


@pytest.mark.django_db
def test_a_wrong_key_during_a_request_gives_a_kind_page_not_a_server_error(
    coach: User, signed_in: HttpClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.NOTES_KEYS = [OLD]
    note = write_notes(coach, 1)[0]
    settings.NOTES_KEYS = [NEW]

    with caplog.at_level(logging.ERROR, logger="contracts.engagement.middleware"):
        pages = [
            signed_in.get(reverse("contracts:note-detail", args=[note.pk])),
            signed_in.get(reverse("contracts:note-edit", args=[note.pk])),
        ]

    for page in pages:
        assert page.status_code == 503
        assert "This cannot be opened just now" in page.content.decode()
        assert "Nothing is lost" in page.content.decode()
    assert events(AuditEventKind.NOTE_READ) == []  # nothing was read
    ours = [r for r in caplog.records if r.name == "contracts.engagement.middleware"]
    assert [r.getMessage() for r in ours] == [
        "NOTES_KEY cannot decrypt stored text (view contracts:note-detail): put the key it "
        "was written with back in NOTES_KEY; see the README on private notes",
        "NOTES_KEY cannot decrypt stored text (view contracts:note-edit): put the key it "
        "was written with back in NOTES_KEY; see the README on private notes",
    ]
    assert "Quillfeather" not in caplog.text and note.ciphertext not in caplog.text


def io_of(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_stale_save_under_a_wrong_key_still_gives_back_what_was_typed(
    coach: User, signed_in: HttpClient, settings: Settings
) -> None:
    settings.NOTES_KEYS = [OLD]
    note = write_notes(coach, 1)[0]
    services.note_change(note=note, coach=coach, text="Saved elsewhere", revision=1)
    settings.NOTES_KEYS = [NEW]

    response = signed_in.post(
        reverse("contracts:note-edit", args=[note.pk]), {"text": "Typed here", "revision": "1"}
    )

    assert response.status_code == 409
    assert "Typed here" in response.content.decode()
    assert "cannot be decrypted just now" in response.content.decode()
