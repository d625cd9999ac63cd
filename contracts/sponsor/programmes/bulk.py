"""A programme's agreements created from a CSV file of clients: the file read and checked
row by row (nothing is created while any row has an error), then every client and
agreement created in one transaction, once per preview however often it is submitted."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from coaching.models import Client, SponsorContact, User
from contracts.drafting.services import agreement_create
from contracts.models import (
    Agreement,
    AgreementTemplate,
    Programme,
    ProgrammeChange,
    ProgrammeChangeKind,
)

MAX_ROWS = 200
MAX_BYTES = 512 * 1024
# Accepted spellings of each column's heading, once lowercased with spaces and dashes
# as underscores.
COLUMNS = {
    "name": {"name", "full_name", "client_name"},
    "email": {"email", "email_address", "client_email"},
    "job_title": {"job_title", "title", "role"},
    "line_manager": {"line_manager_email", "line_manager", "manager_email"},
}
SAMPLE = (
    "name,email,job title,line manager email\r\n"
    "Jordan Ellis,jordan.ellis@example.com,Head of Operations,sam.lee@example.com\r\n"
    "Priya Shah,priya.shah@example.com,Finance Lead,\r\n"
)


class FileRefused(Exception):
    """The file as a whole cannot be read: not CSV, not UTF-8, too large, no columns."""


@dataclass
class Row:
    """One client of the file, with what is wrong with it (nothing, once it is clean)."""

    line: int
    name: str
    email: str
    job_title: str = ""
    line_manager: str = ""
    errors: list[str] = field(default_factory=list)
    existing_client: int | None = None  # a client of the organisation, reused

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Row:
        return cls(**data)


def _heading(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def read_csv(content: bytes) -> list[Row]:
    """The rows of the file, checked on their own (missing name, bad email, duplicates
    within the file, too many rows). Raises FileRefused when the file cannot be read."""
    if len(content) > MAX_BYTES:
        raise FileRefused(f"The file is larger than {MAX_BYTES // 1024} KB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("The file is not UTF-8 text: save it as “CSV UTF-8”.") from None
    if "\x00" in text:
        raise FileRefused("The file is not a CSV file.")
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise FileRefused("The file is not a CSV file that can be read.") from None
    if not lines:
        raise FileRefused("The file is empty.")
    headings = [_heading(cell) for cell in lines[0]]
    where: dict[str, int] = {}
    for key, names in COLUMNS.items():
        found = [index for index, heading in enumerate(headings) if heading in names]
        if found:
            where[key] = found[0]
    missing = [key for key in ("name", "email") if key not in where]
    if missing:
        raise FileRefused(
            "The first line must name the columns: name, email, job title, line manager "
            "email (the last two may be left out). Missing: " + ", ".join(missing) + "."
        )
    rows: list[Row] = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            index = where.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        rows.append(
            Row(
                line=number,
                name=cell("name"),
                email=cell("email").lower(),
                job_title=cell("job_title"),
                line_manager=cell("line_manager").lower(),
            )
        )
    if not rows:
        raise FileRefused("The file has no clients: only the line of column names.")
    if len(rows) > MAX_ROWS:
        raise FileRefused(
            f"The file has {len(rows)} clients; at most {MAX_ROWS} can be created at once. "
            "Split it into several files."
        )
    _check_alone(rows)
    return rows


def _valid_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _check_alone(rows: list[Row]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if not row.name:
            row.errors.append("The name is missing.")
        elif len(row.name) > 150:
            row.errors.append("The name is longer than 150 characters.")
        if len(row.job_title) > 150:
            row.errors.append("The job title is longer than 150 characters.")
        if not row.email:
            row.errors.append("The email address is missing.")
        elif not _valid_email(row.email) or len(row.email) > 254:
            row.errors.append(f"“{row.email}” is not an email address.")
        elif row.email in seen:
            row.errors.append(f"The same email address as line {seen[row.email]}.")
        else:
            seen[row.email] = row.line
        if row.line_manager and not _valid_email(row.line_manager):
            row.errors.append(f"The line manager's “{row.line_manager}” is not an email address.")
        elif row.line_manager and row.line_manager == row.email:
            row.errors.append("The line manager's email address is the client's own.")


def check_row(row: Row, *, programme: Programme) -> None:
    """Check the row against the practice: a client of another organisation (or a private
    client) with that email, an archived client, a client already in the programme, a
    line manager who is not a contact of the organisation. Marks a client to reuse."""
    row.existing_client = None
    client = Client.objects.filter(coach=programme.coach, email__iexact=row.email).first()
    if client is not None:
        if client.organisation_id != programme.organisation_id:
            row.errors.append(
                "A client of another organisation (or a private client) has this email address."
            )
        elif client.is_archived:
            row.errors.append("This client is archived: restore them first.")
        elif Agreement.objects.filter(client=client, programme=programme).exists():
            row.errors.append("This client already has an agreement in this programme.")
        else:
            row.existing_client = client.pk
    if row.line_manager and not _line_manager(row, programme=programme):
        row.errors.append(
            f"No contact of {programme.organisation.name} has the email address "
            f"“{row.line_manager}”: add the line manager as a contact first."
        )


def _line_manager(row: Row, *, programme: Programme) -> SponsorContact | None:
    return SponsorContact.objects.filter(
        coach=programme.coach,
        organisation=programme.organisation,
        email__iexact=row.line_manager,
        archived_at__isnull=True,
    ).first()


def preview(content: bytes, *, programme: Programme) -> list[Row]:
    """Every row of the file, each with its errors. Raises FileRefused."""
    rows = read_csv(content)
    for row in rows:
        if not row.errors:
            check_row(row, programme=programme)
    return rows


@dataclass(frozen=True)
class Choices:
    """What every agreement of the file shares."""

    template: AgreementTemplate | None
    signatory: SponsorContact
    start_date: date | None = None
    end_date: date | None = None
    session_count: int | None = None


class RowsRefused(Exception):
    """A row turned out wrong while creating: nothing was created."""

    def __init__(self, rows: list[Row]) -> None:
        super().__init__("Some rows have errors.")
        self.rows = rows


@dataclass(frozen=True)
class Created:
    agreements: list[Agreement]
    clients_created: int
    clients_reused: int
    already: bool = False  # this preview was submitted before: nothing more was created


@transaction.atomic
def programme_bulk_create(
    *, programme: Programme, coach: User, rows: list[Row], choices: Choices, token: str
) -> Created:
    """Create the clients (reusing the organisation's, matched by email) and one draft
    agreement each in the programme, all or none. `token` names the preview: a second
    submission of the same preview creates nothing and answers with the first result."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk, coach=coach)
    done = ProgrammeChange.objects.filter(programme=programme, token=token).first()
    if done is not None:
        return Created(
            agreements=list(
                programme.agreements.filter(pk__in=done.changes.get("ids", [])).order_by("number")
            ),
            clients_created=done.changes.get("clients_created", 0),
            clients_reused=done.changes.get("clients_reused", 0),
            already=True,
        )
    if choices.signatory.organisation_id != programme.organisation_id:
        raise ValueError("The sponsor's signatory must be a contact of the organisation.")
    fresh = read_again(rows)
    agreements: list[Agreement] = []
    created = reused = 0
    for row in fresh:
        # Checked again one by one: the practice may have changed since the preview.
        check_row(row, programme=programme)
        if row.errors:
            raise RowsRefused(fresh)
        if row.existing_client is not None:
            client = Client.objects.get(pk=row.existing_client, coach=coach)
            reused += 1
        else:
            client = Client.objects.create(
                coach=coach,
                organisation=programme.organisation,
                name=row.name,
                email=row.email,
                job_title=row.job_title,
            )
            created += 1
        agreement = agreement_create(
            coach=coach,
            client=client,
            template=choices.template,
            title=f"{programme.name}: {client.name}"[:200],
        )
        agreement.programme = programme
        agreement.sponsor_signatory = choices.signatory
        if choices.start_date is not None:
            agreement.start_date = choices.start_date
        if choices.end_date is not None:
            agreement.end_date = choices.end_date
        if choices.session_count is not None:
            agreement.session_count = choices.session_count
        agreement.save()
        if row.line_manager:
            manager = _line_manager(row, programme=programme)
            if manager is not None:
                agreement.stakeholders.add(manager)
        agreements.append(agreement)
    ProgrammeChange.objects.create(
        programme=programme,
        kind=ProgrammeChangeKind.BULK_CREATED,
        by=coach,
        token=token,
        changes={
            "agreements": [agreement.reference for agreement in agreements],
            "ids": [agreement.pk for agreement in agreements],
            "clients_created": created,
            "clients_reused": reused,
        },
    )
    return Created(agreements=agreements, clients_created=created, clients_reused=reused)


def read_again(rows: list[Row]) -> list[Row]:
    """The rows as the preview showed them, checked on their own once more."""
    fresh = [
        Row(
            line=row.line,
            name=row.name,
            email=row.email,
            job_title=row.job_title,
            line_manager=row.line_manager,
        )
        for row in rows
    ]
    if not fresh or len(fresh) > MAX_ROWS:
        raise RowsRefused(fresh)
    _check_alone(fresh)
    if any(row.errors for row in fresh):
        raise RowsRefused(fresh)
    return fresh
