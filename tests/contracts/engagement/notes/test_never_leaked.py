"""A note's text is in no database dump, page of a party, email, PDF, admin list or log."""

import io
import logging
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from coaching.models import User
from contracts.engagement.notes import services
from contracts.models import PrivateNote, SignerRole
from tests.conftest import make_agreement
from tests.contracts.documents.helpers import download, text_of
from tests.contracts.engagement.notes.helpers import PHRASE
from tests.contracts.signing_helpers import (
    link_for,
    send_agreement,
    sign_as_coach,
    sign_by_link,
)


def database_dump() -> bytes:
    """Everything the test database holds, as an administrator with a copy would see it."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        command = ["pg_dump", "--no-owner", "-d", settings["NAME"]]
        for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
            if settings[key]:
                command += [flag, str(settings[key])]
        environment = {"PGPASSWORD": settings["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
        return subprocess.run(command, capture_output=True, check=True, env=environment).stdout
    # The file itself, with its write-ahead log, byte for byte; then SQL, as .dump gives.
    path = Path(settings["NAME"])
    files = [path, path.with_name(path.name + "-wal")]
    raw = b"".join(file.read_bytes() for file in files if file.exists())
    with sqlite3.connect(path) as copy:
        statements = "\n".join(copy.iterdump()).encode()
    return raw + statements


@pytest.mark.django_db(transaction=True)
def test_a_real_database_dump_holds_the_ciphertext_and_never_the_text(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach)
    signed_in.post(reverse("contracts:agreement-note-new", args=[agreement.pk]), {"text": PHRASE})
    note = PrivateNote.objects.get()
    signed_in.get(reverse("contracts:note-detail", args=[note.pk]))  # read, and audited
    edit = reverse("contracts:note-edit", args=[note.pk])
    signed_in.post(edit, {"text": f"{PHRASE}, again", "revision": "1"})
    note.refresh_from_db()

    dump = database_dump()

    assert note.ciphertext.encode() in dump
    assert PHRASE.encode() not in dump
    assert b"Quillfeather" not in dump


@pytest.mark.django_db
def test_no_party_page_email_or_pdf_shows_a_note(
    coach: User, signed_in: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    version = send_agreement(coach)
    agreement = version.agreement
    services.note_write(agreement=agreement, coach=coach, text=PHRASE)
    sponsor = version.signers.get(role=SignerRole.SPONSOR)
    pages = [
        HttpClient().get(link_for(sponsor.email)),
        HttpClient().get(link_for(agreement.client.email)),
    ]
    sign_by_link(link_for(agreement.client.email), name="Jamie Client")
    sign_by_link(link_for(sponsor.email), name=sponsor.name)
    sign_as_coach(signed_in, agreement)
    note = services.note_write(agreement=agreement, coach=coach, text=f"{PHRASE} after")
    signed_in.get(reverse("contracts:note-detail", args=[note.pk]))
    for email in (sponsor.email, agreement.client.email):
        copy = link_for(email, "copy")
        pages.append(HttpClient().get(copy))
        pages.append(HttpClient().get(f"{copy}pdf/"))
    pdfs = [
        download(signed_in, reverse("contracts:agreement-pdf", args=[agreement.pk, kind]))
        for kind in ("executed", "copy")
    ]

    assert pages[0].status_code == 200 and pages[2].status_code == 200
    for page in pages:
        assert PHRASE not in b"".join(page).decode(errors="replace")
    assert mail.outbox
    for message in mail.outbox:
        assert PHRASE not in str(message.message())
    for pdf in pdfs:
        reader = PdfReader(io.BytesIO(pdf))
        attached = b"".join(b"".join(files) for files in reader.attachments.values())
        assert reader.attachments and PHRASE.encode() not in attached
        assert "Quillfeather" not in text_of(pdf)
    assert "Quillfeather" not in caplog.text


@pytest.mark.django_db
def test_the_admin_lists_notes_without_their_text(coach: User) -> None:
    note = services.note_write(agreement=make_agreement(coach=coach), coach=coach, text=PHRASE)
    staff = User.objects.create_superuser("admin@example.com", "admin-password-123", full_name="A")
    http = HttpClient()
    http.force_login(staff)

    pages = [
        http.get(reverse("admin:contracts_privatenote_changelist")),
        http.get(reverse("admin:contracts_privatenote_changelist"), {"q": "a"}),
        http.get(reverse("admin:contracts_privatenote_change", args=[note.pk])),
    ]

    for page in pages:
        assert page.status_code == 200
        assert "Quillfeather" not in page.content.decode()
        assert note.ciphertext not in page.content.decode()


@pytest.mark.django_db
def test_nothing_of_a_note_reaches_the_logs(
    coach: User,
    signed_in: HttpClient,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    agreement = make_agreement(coach=coach)
    signed_in.post(reverse("contracts:agreement-note-new", args=[agreement.pk]), {"text": PHRASE})
    note = PrivateNote.objects.get()
    edit = reverse("contracts:note-edit", args=[note.pk])
    signed_in.get(reverse("contracts:note-detail", args=[note.pk]))
    signed_in.get(edit)
    signed_in.post(edit, {"text": f"{PHRASE} 2", "revision": "1"})
    signed_in.post(edit, {"text": f"{PHRASE} stale", "revision": "1"})  # refused: 409
    signed_in.post(edit, {"text": "", "revision": "2"})  # invalid
    signed_in.post(reverse("contracts:note-delete", args=[note.pk]))

    out, err = capfd.readouterr()
    assert "Quillfeather" not in caplog.text
    assert "Quillfeather" not in out + err
