"""A worker killed in the middle of sealing a PDF: another worker finishes it, exactly once."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import Client as HttpClient
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from coaching.jobs import reclaim_abandoned_tasks
from coaching.models import User
from contracts.documents.seal import Verdict
from contracts.documents.services import pdf_for
from contracts.documents.verification import verify_document
from contracts.models import AgreementPdf, PdfKind, PdfStatus
from tests.contracts.documents.helpers import signed_agreement

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.02)


def database_url() -> str:
    """The test database, as a worker process started from here reaches it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db["USER"] or ""
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(*extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEBUG": "true",
        "TASKS_BACKEND": "database",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "SEAL_KEY_FILE": str(django_settings.SEAL_KEY_FILE),
        "SEAL_CERT_FILE": str(django_settings.SEAL_CERT_FILE),
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
    return subprocess.Popen(
        [*command, "--interval", "0.05", *extra],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stored_pdfs() -> list[Path]:
    return sorted((Path(django_settings.MEDIA_ROOT) / "agreements" / "pdf").glob("*.pdf"))


def test_a_seal_whose_worker_was_killed_is_finished_by_another_worker_once(
    coach: User, signed_in: HttpClient, settings: Settings
) -> None:
    version = signed_agreement(coach, signed_in)
    agreement = version.agreement
    AgreementPdf.objects.filter(kind=PdfKind.EXECUTED).delete()
    for path in stored_pdfs():
        path.unlink()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"

    row = pdf_for(agreement, PdfKind.EXECUTED, version)
    task = DBTaskResult.objects.get(task_path__endswith="render_agreement_pdf")
    first = start_worker()
    try:
        until(
            lambda: DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.RUNNING,
            timeout=30,
            what="the first worker taking the render",
        )
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        first.kill()
    row.refresh_from_db()
    assert row.status == PdfStatus.PENDING, "killed before it finished"
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.RUNNING

    assert reclaim_abandoned_tasks() == 0, "not yet: it may still be running somewhere"
    settings.TASK_ABANDONED_SECONDS = 0
    assert reclaim_abandoned_tasks() == 1
    second = start_worker("--batch")
    try:
        assert second.wait(timeout=120) == 0
    finally:
        second.kill()

    row.refresh_from_db()
    assert row.status == PdfStatus.READY
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL
    assert AgreementPdf.objects.filter(kind=PdfKind.EXECUTED).count() == 1
    files = stored_pdfs()
    executed = [path for path in files if path.name == Path(str(row.file.name)).name]
    assert len(executed) == 1, f"one sealed file, not {len(executed)}: {files}"
    with row.file.open("rb") as stored:
        report = verify_document(stored.read())
    assert report.verdict == Verdict.AUTHENTIC
    assert report.in_records and report.reference == agreement.reference
