"""One executed agreement, signed and sealed once per test process, for the tests that only
read the file."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail
from pytest_django import DjangoDbBlocker

from tests.contracts.documents.helpers import (
    download,
    executed_url,
    sealing_sandbox,
    signed_with_codes,
)


@dataclass(frozen=True)
class ExecutedPdf:
    """A signed three-way agreement's executed PDF (the coach's copy, with all the evidence),
    and what the tests that read it check."""

    data: bytes
    reference: str
    version_sha256: str
    client_name: str
    coach_name: str
    organisation_name: str


@pytest.fixture(scope="session")
def executed_pdf(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    seal_files: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> ExecutedPdf:
    """Signed (past the emailed code, the client from CLIENT_IP), rendered and sealed once,
    through the same pages as every other test. The database and the outbox are left as
    they were found."""
    outbox = list(mail.outbox)
    media = tmp_path_factory.mktemp("executed-media")
    with sealing_sandbox(django_db_blocker, seal_files, media) as (coach, http):
        version = signed_with_codes(coach, http)
        agreement = version.agreement
        assert agreement.organisation is not None
        executed = ExecutedPdf(
            data=download(http, executed_url(version)),
            reference=agreement.reference,
            version_sha256=version.sha256,
            client_name=agreement.client.name,
            coach_name=coach.full_name,
            organisation_name=agreement.organisation.name,
        )
    mail.outbox[:] = outbox
    return executed
