"""The coach writes, reads, changes and deletes private notes; every read is audited."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from coaching.models import User
from contracts.engagement.crypto import decrypt_text
from contracts.engagement.notes import services
from contracts.models import AuditEventKind, CoachingSession, PrivateNote
from tests.conftest import make_agreement, record_sign_in
from tests.contracts.engagement.notes.helpers import PHRASE, events
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def test_it_stores_a_note_encrypted_and_records_that_it_was_written(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach)

    response = signed_in.post(
        reverse("contracts:agreement-note-new", args=[agreement.pk]), {"text": PHRASE}
    )

    assert response.status_code == 302
    note = PrivateNote.objects.get(agreement=agreement)
    assert PHRASE not in note.ciphertext
    assert decrypt_text(note.ciphertext) == PHRASE
    [written] = events(AuditEventKind.NOTE_WRITTEN)
    assert written.data == {"note": note.pk, "revision": 1}
    assert written.version is None  # kept out of the agreement's PDFs


def test_each_showing_of_a_note_is_one_read_in_the_audit_trail(
    coach: User, signed_in: HttpClient
) -> None:
    note = services.note_write(agreement=make_agreement(coach=coach), coach=coach, text=PHRASE)

    first = signed_in.get(reverse("contracts:note-detail", args=[note.pk]))
    second = signed_in.get(reverse("contracts:note-detail", args=[note.pk]))

    assert PHRASE in first.content.decode() and PHRASE in second.content.decode()
    reads = events(AuditEventKind.NOTE_READ)
    assert [event.data for event in reads] == [{"note": note.pk, "revision": 1}] * 2
    assert all(PHRASE not in str(event.data) for event in reads)
    assert reads[0].actor.startswith("Coach: Alex Morgan")


def test_the_list_shows_dates_and_sizes_without_decrypting_anything(
    coach: User, signed_in: HttpClient, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    agreement = make_agreement(coach=coach)
    for number in range(5):
        services.note_write(agreement=agreement, coach=coach, text=f"{PHRASE} {number}" * 10)

    with django_assert_max_num_queries(8):  # as many for 5 notes as for 50
        response = signed_in.get(reverse("contracts:agreement-notes", args=[agreement.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Quillfeather" not in page
    assert page.count("Note of ") == 5
    sizes = [int(size) for size in re.findall(r"about (\d+) characters", page)]
    assert len(sizes) == 5 and all(abs(size - 400) <= 16 for size in sizes)  # 10 times 40
    assert events(AuditEventKind.NOTE_READ) == []


def test_the_edit_form_shows_the_text_and_counts_as_a_read(
    coach: User, signed_in: HttpClient
) -> None:
    note = services.note_write(agreement=make_agreement(coach=coach), coach=coach, text=PHRASE)

    response = signed_in.get(reverse("contracts:note-edit", args=[note.pk]))

    assert PHRASE in response.content.decode()
    assert len(events(AuditEventKind.NOTE_READ)) == 1


def test_a_stale_save_is_refused_and_shows_both_texts_so_nothing_is_lost(
    coach: User, signed_in: HttpClient
) -> None:
    note = services.note_write(agreement=make_agreement(coach=coach), coach=coach, text="First")
    edit = reverse("contracts:note-edit", args=[note.pk])
    signed_in.get(edit)  # tab A opens the form at revision 1
    other_tab = HttpClient()
    other_tab.force_login(coach)
    record_sign_in(other_tab, coach)
    saved = other_tab.post(edit, {"text": "Saved in tab B", "revision": "1"})
    assert saved.status_code == 302

    refused = signed_in.post(edit, {"text": "Typed in tab A", "revision": "1"})

    page = refused.content.decode()
    assert refused.status_code == 409
    assert "changed in another tab or by another person" in page
    assert "Typed in tab A" in page  # the refused text, shown back
    assert "Saved in tab B" in page  # and the note as saved now
    assert 'name="revision" value="2"' in page
    note.refresh_from_db()
    assert decrypt_text(note.ciphertext) == "Saved in tab B"

    again = signed_in.post(edit, {"text": "Saved in tab B, then Typed in tab A", "revision": "2"})

    assert again.status_code == 302
    note.refresh_from_db()
    assert (decrypt_text(note.ciphertext), note.revision) == (
        "Saved in tab B, then Typed in tab A",
        3,
    )


def test_the_service_refuses_a_stale_revision(coach: User) -> None:
    note = services.note_write(agreement=make_agreement(coach=coach), coach=coach, text="One")
    services.note_change(note=note, coach=coach, text="Two", revision=1)

    with pytest.raises(services.StaleNote) as refused:
        services.note_change(note=note, coach=coach, text="Three", revision=1)

    assert refused.value.revision == 2
    note.refresh_from_db()
    assert decrypt_text(note.ciphertext) == "Two"


def test_a_note_can_be_about_one_session_of_the_agreement(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    session = CoachingSession.objects.create(
        agreement=version.agreement,
        version=version,
        starts_at=version.frozen_at,
        minutes=60,
        format="video",
        status="held",
    )
    new = reverse("contracts:agreement-note-new", args=[version.agreement.pk])
    assert (
        f'value="{session.pk}" selected'
        in signed_in.get(new, {"session": session.pk}).content.decode()
    )

    signed_in.post(new, {"text": "About the first session", "session": session.pk})

    assert PrivateNote.objects.get().session == session
    listing = signed_in.get(reverse("contracts:agreement-notes", args=[version.agreement.pk]))
    assert "Session of" in listing.content.decode()


def test_a_session_of_another_agreement_is_refused(coach: User) -> None:
    version = send_agreement(coach)
    session = CoachingSession.objects.create(
        agreement=version.agreement,
        version=version,
        starts_at=version.frozen_at,
        minutes=60,
        format="video",
    )

    with pytest.raises(services.NoteError):
        services.note_write(
            agreement=make_agreement(coach=coach), coach=coach, text="x", session=session
        )


def test_an_empty_note_is_refused_with_a_reason(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach)

    response = signed_in.post(
        reverse("contracts:agreement-note-new", args=[agreement.pk]), {"text": "   \n "}
    )

    assert response.status_code == 200
    assert "Write something in the note." in response.content.decode()
    assert not PrivateNote.objects.exists()


def test_deleting_a_note_removes_it_and_leaves_a_trace_without_its_text(
    coach: User, signed_in: HttpClient
) -> None:
    note = services.note_write(agreement=make_agreement(coach=coach), coach=coach, text=PHRASE)
    page = signed_in.get(reverse("contracts:note-delete", args=[note.pk]))
    assert PHRASE not in page.content.decode()
    assert PrivateNote.objects.filter(pk=note.pk).exists()  # GET changes nothing

    response = signed_in.post(reverse("contracts:note-delete", args=[note.pk]))

    assert response.status_code == 302
    assert not PrivateNote.objects.filter(pk=note.pk).exists()
    [deleted] = events(AuditEventKind.NOTE_DELETED)
    assert deleted.data == {"note": note.pk, "revision": 1}


@pytest.mark.parametrize("name", ["note-detail", "note-edit", "note-delete"])
def test_another_coach_gets_404_and_nothing_is_read(
    name: str, coach: User, other_coach: User
) -> None:
    note = services.note_write(agreement=make_agreement(coach=coach), coach=coach, text=PHRASE)
    other = HttpClient()
    other.force_login(other_coach)
    record_sign_in(other, other_coach)

    for method in ("get", "post"):
        response = getattr(other, method)(reverse(f"contracts:{name}", args=[note.pk]))
        assert response.status_code == 404

    assert events(AuditEventKind.NOTE_READ) == []
    assert PrivateNote.objects.filter(pk=note.pk).exists()


def test_the_panel_gives_the_count_and_latest_date_only(coach: User) -> None:
    agreement = make_agreement(coach=coach)
    assert services.panel(agreement=agreement)["count"] == 0
    services.note_write(agreement=agreement, coach=coach, text=PHRASE)
    latest = services.note_write(agreement=agreement, coach=coach, text="Later")

    panel = services.panel(agreement=agreement)

    assert (panel["count"], panel["latest"]) == (2, latest.updated_at)
    assert PHRASE not in str(panel)
    assert events(AuditEventKind.NOTE_READ) == []
