"""A programme's agreements created from a CSV file of clients: the preview with each
row's errors, then all or nothing, once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching.models import Client, ContactRole, SponsorContact, User
from contracts.drafting.services import template_create
from contracts.models import Agreement, AgreementStatus, Programme, ProgrammeChangeKind
from contracts.sponsor.programmes import bulk
from tests.conftest import make_agreement, make_client, make_contact, make_organisation
from tests.contracts.sponsor.programmes.helpers import make_programme

pytestmark = pytest.mark.django_db

CLEAN = (
    "name,email,job title,line manager email\n"
    "Jordan Ellis,Jordan.Ellis@example.com,Head of Operations,sam.lee@sponsor.example\n"
    "Priya Shah,priya.shah@example.com,Finance Lead,\n"
    "Tom Reid,tom.reid@example.com,,\n"
)


def _programme(coach: User) -> Programme:
    programme = make_programme(coach)
    SponsorContact.objects.create(
        coach=coach,
        organisation=programme.organisation,
        name="Sam Lee",
        email="sam.lee@sponsor.example",
        role=ContactRole.LINE_MANAGER,
    )
    return programme


def _preview(http: HttpClient, programme: Programme, text: str, **fields: object) -> Any:
    data: dict[str, object] = {
        "file": SimpleUploadedFile("clients.csv", text.encode(), content_type="text/csv"),
        "signatory": programme.organisation.contacts.get(role=ContactRole.HR).pk,
        "start_date": "2027-02-01",
        "end_date": "2027-08-31",
        "session_count": "6",
    }
    data.update(fields)
    return http.post(reverse("contracts:programme-bulk", args=[programme.pk]), data)


def _create(http: HttpClient, programme: Programme, token: str) -> Any:
    return http.post(
        reverse("contracts:programme-bulk-create", args=[programme.pk]), {"token": token}
    )


def test_the_sample_file_is_offered_and_reads_cleanly(signed_in: HttpClient) -> None:
    response = signed_in.get(reverse("contracts:programme-sample"))

    assert response["Content-Type"].startswith("text/csv")
    rows = bulk.read_csv(response.content)
    assert [row.name for row in rows] == ["Jordan Ellis", "Priya Shah"]
    assert all(not row.errors for row in rows)


def test_the_preview_refuses_each_bad_row_with_its_reason_and_creates_nothing(
    coach: User, signed_in: HttpClient
) -> None:
    programme = _programme(coach)
    make_client(
        coach=coach, organisation=make_organisation(coach=coach), email="taken@example.com"
    )
    text = (
        "Name,Email,Job title,Line manager email\n"
        ",nameless@example.com,,\n"
        "Bad Email,not-an-email,,\n"
        "Ana One,ana@example.com,,\n"
        "Ana Again,ANA@example.com,,\n"
        "Taken Elsewhere,taken@example.com,,\n"
        "Unknown Manager,um@example.com,,nobody@sponsor.example\n"
        "Fine Person,fine@example.com,,\n"
    )
    clients_before = Client.objects.count()

    response = _preview(signed_in, programme, text)

    assert response.status_code == 400
    rows = {row.line: row.errors for row in response.context["rows"]}
    assert rows[2] == ["The name is missing."]
    assert rows[3] == ["“not-an-email” is not an email address."]
    assert rows[4] == []
    assert rows[5] == ["The same email address as line 4."]
    assert rows[6] == [
        "A client of another organisation (or a private client) has this email address."
    ]
    assert "add the line manager as a contact first" in rows[7][0]
    assert rows[8] == []
    page = response.content.decode()
    assert "5 rows of 7 have errors" in page
    assert reverse("contracts:programme-bulk-create", args=[programme.pk]) not in page
    assert Client.objects.count() == clients_before
    assert not Agreement.objects.exists()


def test_too_many_rows_are_refused_as_a_whole(coach: User, signed_in: HttpClient) -> None:
    programme = _programme(coach)
    text = "name,email\n" + "".join(
        f"Person {n},p{n}@example.com\n" for n in range(bulk.MAX_ROWS + 1)
    )

    response = _preview(signed_in, programme, text)

    assert response.status_code == 400
    assert f"at most {bulk.MAX_ROWS} can be created at once" in response.content.decode()
    assert not Client.objects.filter(email__startswith="p").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email,job title\nx@example.com,CEO\n", "Missing: name."),
        (b"name,email\n", "The file has no clients"),
        (b"", "The file is empty."),
        ("name,email\nZoë,z@example.com\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(content: bytes, message: str) -> None:
    with pytest.raises(bulk.FileRefused, match=message):
        bulk.read_csv(content)


def test_a_clean_file_creates_every_client_and_agreement_in_the_programme(
    coach: User, signed_in: HttpClient
) -> None:
    programme = _programme(coach)
    template = template_create(coach=coach, name="Leadership")
    template.session_length_minutes = 75
    template.save()

    preview = _preview(signed_in, programme, CLEAN, template=template.pk)
    assert preview.status_code == 200
    response = _create(signed_in, programme, preview.context["token"])

    assert response.status_code == 302
    agreements = list(programme.agreements.order_by("number").select_related("client"))
    assert [a.client.name for a in agreements] == ["Jordan Ellis", "Priya Shah", "Tom Reid"]
    first = agreements[0]
    assert first.client.email == "jordan.ellis@example.com"
    assert first.client.organisation == programme.organisation
    assert first.client.job_title == "Head of Operations"
    assert first.status == AgreementStatus.DRAFT
    assert first.organisation == programme.organisation
    assert first.sponsor_signatory == programme.organisation.contacts.get(role=ContactRole.HR)
    assert [c.name for c in first.stakeholders.all()] == ["Sam Lee"]
    assert not agreements[1].stakeholders.exists()
    assert (first.start_date, first.end_date, first.session_count) == (
        date(2027, 2, 1),
        date(2027, 8, 31),
        6,
    )
    assert first.template_name == "Leadership"
    assert first.session_length_minutes == 75
    change = programme.changes.get(kind=ProgrammeChangeKind.BULK_CREATED)
    assert change.changes["clients_created"] == 3


def test_an_existing_client_of_the_organisation_is_reused(
    coach: User, signed_in: HttpClient
) -> None:
    programme = _programme(coach)
    existing = make_client(
        coach=coach, organisation=programme.organisation, email="priya.shah@example.com"
    )

    preview = _preview(signed_in, programme, CLEAN)
    assert "Existing client, reused" in preview.content.decode()
    _create(signed_in, programme, preview.context["token"])

    assert Client.objects.filter(email__iexact="priya.shah@example.com").count() == 1
    assert programme.agreements.filter(client=existing).count() == 1
    assert (
        programme.changes.get(kind=ProgrammeChangeKind.BULK_CREATED).changes["clients_reused"] == 1
    )


def test_a_client_already_in_the_programme_is_refused(coach: User, signed_in: HttpClient) -> None:
    programme = _programme(coach)
    existing = make_client(
        coach=coach, organisation=programme.organisation, email="tom.reid@example.com"
    )
    make_agreement(coach=coach, client=existing, programme=programme)

    response = _preview(signed_in, programme, CLEAN)

    assert response.status_code == 400
    assert "already has an agreement in this programme" in response.content.decode()


def test_a_row_gone_wrong_while_creating_leaves_nothing_created(
    coach: User, signed_in: HttpClient
) -> None:
    programme = _programme(coach)
    preview = _preview(signed_in, programme, CLEAN)
    assert preview.status_code == 200
    # After the preview, the last row's address becomes a client of another organisation:
    # the first two rows are created before the last is found wrong.
    make_client(
        coach=coach, organisation=make_organisation(coach=coach), email="tom.reid@example.com"
    )
    clients_before = Client.objects.count()

    response = _create(signed_in, programme, preview.context["token"])

    assert response.status_code == 409
    assert "Nothing was created" in response.content.decode()
    assert Client.objects.count() == clients_before
    assert not Agreement.objects.exists()
    assert not programme.changes.filter(kind=ProgrammeChangeKind.BULK_CREATED).exists()


def test_a_double_submit_creates_once(coach: User, signed_in: HttpClient) -> None:
    programme = _programme(coach)
    preview = _preview(signed_in, programme, CLEAN)
    token = preview.context["token"]

    first = _create(signed_in, programme, token)
    second = _create(signed_in, programme, token)

    assert (first.status_code, second.status_code) == (302, 302)
    assert programme.agreements.count() == 3
    assert Client.objects.filter(organisation=programme.organisation).count() == 3
    followed = signed_in.get(second["Location"])
    assert "These agreements were created already." in followed.content.decode()


def test_the_service_answers_a_second_submission_with_the_first_result(coach: User) -> None:
    programme = _programme(coach)
    rows = bulk.preview(CLEAN.encode(), programme=programme)
    choices = bulk.Choices(
        template=None, signatory=programme.organisation.contacts.get(role=ContactRole.HR)
    )

    first = bulk.programme_bulk_create(
        programme=programme, coach=coach, rows=rows, choices=choices, token="t1"
    )
    again = bulk.programme_bulk_create(
        programme=programme, coach=coach, rows=rows, choices=choices, token="t1"
    )

    assert again.already
    assert [a.pk for a in again.agreements] == [a.pk for a in first.agreements]
    assert Agreement.objects.count() == 3


def test_a_preview_no_longer_current_creates_nothing(coach: User, signed_in: HttpClient) -> None:
    programme = _programme(coach)
    _preview(signed_in, programme, CLEAN)

    response = _create(signed_in, programme, "forged-token")

    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:programme-bulk", args=[programme.pk])
    assert not Agreement.objects.exists()


def test_the_signatory_must_be_a_contact_of_the_organisation(
    coach: User, signed_in: HttpClient
) -> None:
    programme = _programme(coach)
    outsider = make_contact(coach=coach)

    response = _preview(signed_in, programme, CLEAN, signatory=outsider.pk)

    assert response.status_code == 400
    assert "signatory" in response.context["form"].errors


def test_send_all_sends_the_ready_drafts_and_leaves_the_others(
    coach: User, signed_in: HttpClient
) -> None:
    programme = _programme(coach)
    ready = make_agreement(
        coach=coach,
        client=make_client(coach=coach, organisation=programme.organisation),
        programme=programme,
        complete=True,
    )
    unfinished = make_agreement(
        coach=coach,
        client=make_client(coach=coach, organisation=programme.organisation),
        programme=programme,
    )

    response = signed_in.post(reverse("contracts:programme-send-all", args=[programme.pk]))

    assert response.status_code == 302
    ready.refresh_from_db()
    unfinished.refresh_from_db()
    assert ready.status == AgreementStatus.SENT
    assert unfinished.status == AgreementStatus.DRAFT
    followed = signed_in.get(response["Location"]).content.decode()
    assert "1 agreement sent for signature. 1 draft still has open items" in followed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_any_file_is_read_or_refused_without_a_crash(content: bytes) -> None:
    try:
        rows = bulk.read_csv(b"name,email,job title,line manager email\n" + content)
    except bulk.FileRefused:
        return
    assert all(row.line >= 2 for row in rows)
