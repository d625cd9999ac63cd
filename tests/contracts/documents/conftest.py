"""One executed agreement, signed and sealed once per test process, for the tests that only
read the file."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client as HttpClient
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from tests.conftest import make_coach
from tests.contracts.documents.helpers import download, executed_url, signed_with_codes


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
    key_file, cert_file = seal_files
    outbox = list(mail.outbox)
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("executed-media"),
            SEAL_KEY_FILE=key_file,
            SEAL_CERT_FILE=cert_file,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        coach = make_coach(full_name="Alex Morgan")
        http = HttpClient()
        http.force_login(coach)
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
        transaction.set_rollback(True)
    mail.outbox[:] = outbox
    return executed
