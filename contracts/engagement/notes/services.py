"""The coach's private notes: written, changed and deleted with a trace in the audit trail,
read only through `note_read()`, which decrypts and records the read.

The trail holds the note's id, never its text; its events carry no version, so they stay
out of the agreement's PDFs, whose events are those of the version sealed.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from coaching.models import User
from contracts.audit import coach_actor, record_event
from contracts.engagement.crypto import approximate_length, decrypt_text, encrypt_text
from contracts.models import Agreement, AuditEventKind, CoachingSession, PrivateNote

MAX_NOTE_CHARS = 20_000


class NoteError(Exception):
    """A note that cannot be saved as asked; the message is shown to the coach."""


class StaleNote(Exception):
    """The note was saved elsewhere since the page was built: `revision` is the new one."""

    def __init__(self, *, revision: int) -> None:
        super().__init__("The note changed in another tab or by another person.")
        self.revision = revision


def notes_for_coach(coach: User) -> QuerySet[PrivateNote]:
    """The notes on the coach's own agreements: a view takes a note only from these."""
    return PrivateNote.objects.filter(agreement__coach=coach).select_related(
        "agreement", "session"
    )


def _check(*, agreement: Agreement, coach: User, text: str) -> None:
    if agreement.coach_id != coach.pk:
        raise NoteError("This agreement is not yours.")
    if not text.strip():
        raise NoteError("Write something in the note.")
    if len(text) > MAX_NOTE_CHARS:
        raise NoteError(f"A note holds at most {MAX_NOTE_CHARS:,} characters.")


@transaction.atomic
def note_write(
    *,
    agreement: Agreement,
    coach: User,
    text: str,
    session: CoachingSession | None = None,
    request: HttpRequest | None = None,
) -> PrivateNote:
    """A new note on the agreement, or on one of its sessions, stored encrypted."""
    _check(agreement=agreement, coach=coach, text=text)
    if session is not None and session.agreement_id != agreement.pk:
        raise NoteError("That session belongs to another agreement.")
    note = PrivateNote.objects.create(
        agreement=agreement, session=session, ciphertext=encrypt_text(text)
    )
    record_event(
        agreement,
        AuditEventKind.NOTE_WRITTEN,
        actor=coach_actor(coach),
        request=request,
        data={"note": note.pk, "revision": note.revision},
    )
    return note


@transaction.atomic
def note_change(
    *,
    note: PrivateNote,
    coach: User,
    text: str,
    revision: int,
    request: HttpRequest | None = None,
) -> PrivateNote:
    """Save new text over the revision the coach's page was built from; `StaleNote` if
    the note was saved since (nothing is written then)."""
    locked = PrivateNote.objects.select_for_update().select_related("agreement").get(pk=note.pk)
    _check(agreement=locked.agreement, coach=coach, text=text)
    if locked.revision != revision:
        raise StaleNote(revision=locked.revision)
    locked.ciphertext = encrypt_text(text)
    locked.revision += 1
    locked.save(update_fields=["ciphertext", "revision", "updated_at"])
    record_event(
        locked.agreement,
        AuditEventKind.NOTE_WRITTEN,
        actor=coach_actor(coach),
        request=request,
        data={"note": locked.pk, "revision": locked.revision},
    )
    return locked


@transaction.atomic
def note_read(*, note: PrivateNote, coach: User, request: HttpRequest | None = None) -> str:
    """The note's text, for the coach's eyes: each call is one NOTE_READ event.

    Raises `NotesKeyMismatch` (and records nothing) when NOTES_KEY cannot decrypt it.
    """
    if note.agreement.coach_id != coach.pk:
        raise NoteError("This note is not yours.")
    text = decrypt_text(note.ciphertext)
    record_event(
        note.agreement,
        AuditEventKind.NOTE_READ,
        actor=coach_actor(coach),
        request=request,
        data={"note": note.pk, "revision": note.revision},
    )
    return text


@transaction.atomic
def note_delete(*, note: PrivateNote, coach: User, request: HttpRequest | None = None) -> None:
    """Delete the note for good; the trail keeps that it existed and when it went."""
    locked = PrivateNote.objects.select_for_update().select_related("agreement").get(pk=note.pk)
    if locked.agreement.coach_id != coach.pk:
        raise NoteError("This note is not yours.")
    record_event(
        locked.agreement,
        AuditEventKind.NOTE_DELETED,
        actor=coach_actor(coach),
        request=request,
        data={"note": locked.pk, "revision": locked.revision},
    )
    locked.delete()


def note_size(note: PrivateNote) -> int:
    """About how long the note is, without decrypting it."""
    return approximate_length(note.ciphertext)


def panel(*, agreement: Agreement) -> dict[str, Any]:
    """For the agreement's engagement page: how many notes and when the latest was
    written, never their text (nothing is decrypted)."""
    summary = agreement.notes.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return {
        "agreement": agreement,
        "count": summary["count"],
        "latest": summary["latest"],
        "notes_url": reverse("contracts:agreement-notes", args=[agreement.pk]),
        "new_url": reverse("contracts:agreement-note-new", args=[agreement.pk]),
    }
