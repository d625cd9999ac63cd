"""The client's copy of their data: a streamed ZIP with every class, others' data left out."""

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from coaching.models import Client, User
from contracts.management.commands.load_demo import DEMO_EMAIL
from contracts.models import (
    AuditEvent,
    AuditEventKind,
    DataRequest,
    DataRequestChannel,
    DataRequestKind,
)
from contracts.records.export import export_stream
from tests.contracts.records.helpers import ended_engagement

pytestmark = pytest.mark.django_db

SECTIONS = [
    "person",
    "agreements",
    "sessions",
    "intake",
    "notes",
    "reports",
    "disclosures",
    "emails",
    "requests",
    "audit-events",
]


def unzipped(chunks: Iterable[bytes]) -> zipfile.ZipFile:
    data = b"".join(chunks)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def section(archive: zipfile.ZipFile, name: str) -> object:
    return json.loads(archive.read(f"data/{name}.json"))


def test_the_demo_clients_package_holds_every_class_and_nobody_elses_addresses() -> None:
    call_command("load_demo", stdout=io.StringIO())
    coach = User.objects.get(email=DEMO_EMAIL)
    morgan = Client.objects.get(coach=coach, name="Morgan Blake")

    archive = unzipped(export_stream(client=morgan, coach=coach))

    names = archive.namelist()
    assert {"index.html", "index.pdf", *(f"data/{name}.json" for name in SECTIONS)} <= set(names)
    assert archive.read("index.pdf").startswith(b"%PDF")
    index = archive.read("index.html").decode()
    assert "The personal data" in index and "Morgan Blake" in index
    person, agreements = section(archive, "person"), section(archive, "agreements")
    assert person["email"] == "morgan.blake@northwind.example"  # type: ignore[index]
    signatures = agreements[0]["versions"][0]["signatures"]  # type: ignore[index]
    assert {s["role"] for s in signatures} >= {"Client", "Sponsor", "Coach"}
    assert "ip_address" in signatures[0] and all(
        "ip_address" not in s for s in signatures if s["role"] != "Client"
    )
    sessions = section(archive, "sessions")
    assert {row["what"] for row in sessions} >= {"Coaching session", "Contracting meeting"}  # type: ignore[attr-defined]
    assert "offered a role elsewhere" in json.dumps(section(archive, "intake"))
    assert "avoids difficult conversations" in json.dumps(section(archive, "notes"))
    reports = section(archive, "reports")
    assert reports["released_or_prepared"] and reports["your_decisions"]  # type: ignore[index]
    askers = {row["asked_by"] for row in reports["requests_about_you"]}  # type: ignore[index]
    assert askers == {"Line manager at Northwind Logistics Ltd", "HR at Northwind Logistics Ltd"}
    assert section(archive, "disclosures") and section(archive, "emails")
    events = section(archive, "audit-events")
    assert len(events) == AuditEvent.objects.filter(agreement__client=morgan).count()  # type: ignore[arg-type]
    everything = b"".join(archive.read(name) for name in names if name.startswith("data/"))
    for someone_else in (b"priya.shah@northwind.example", b"tom.becker@northwind.example"):
        assert someone_else not in everything
    assert b"morgan.blake@northwind.example" in everything


def test_the_coach_downloads_it_and_the_trail_and_the_request_say_so(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = ended_engagement(coach)
    asked = DataRequest.objects.create(
        coach=coach,
        client=agreement.client,
        kind=DataRequestKind.ACCESS,
        channel=DataRequestChannel.COACH,
        due_on=timezone.localdate() + timedelta(days=30),
    )

    response = signed_in.post(
        reverse("contracts:client-records-export", args=[agreement.client_id]),
        {"data_request": str(asked.pk)},
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'attachment; filename="personal-data-jamie-client-' in response["Content-Disposition"]
    archive = unzipped(response.streaming_content)  # type: ignore[attr-defined]
    assert "Strong on operations." in archive.read("data/notes.json").decode()
    asked.refresh_from_db()
    assert asked.exported_at is not None
    assert agreement.events.filter(kind=AuditEventKind.DATA_EXPORTED).count() == 1
    done = signed_in.post(
        reverse("contracts:client-data-request-answered", args=[agreement.client_id, asked.pk])
    )
    assert done.status_code == 302
    asked.refresh_from_db()
    assert asked.completed_at is not None


def test_a_long_trail_is_written_a_little_at_a_time(coach: User) -> None:
    agreement = ended_engagement(coach)
    start = agreement.audit_count
    AuditEvent.objects.bulk_create(
        AuditEvent(
            agreement=agreement,
            seq=start + number,
            kind=AuditEventKind.VIEWED,
            actor="Tripartite",
            hash=hashlib.sha256(str(number).encode()).hexdigest(),
        )
        for number in range(1, 10001)
    )

    chunks = list(export_stream(client=agreement.client, coach=coach))

    # The trail's 10,000 events (about 400 kB compressed) come a chunk of ~64 kB at a time.
    assert max(len(chunk) for chunk in chunks) < 256 * 1024
    assert len(chunks) >= 8
    events = json.loads(unzipped(chunks).read("data/audit-events.json"))
    assert len(events) == start + 10000
