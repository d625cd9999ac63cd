"""A whole signing journey, with the background worker and a real mail server that refuses
one address: nothing it writes to its logs or keeps in its task records holds anyone's
email address, a link's token or a code."""

import re

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from coaching.models import User
from contracts.models import AgreementStatus, EmailState, OutgoingEmail, SignerRole
from tests.contracts.conftest import Inbox
from tests.contracts.signing_helpers import confirmations, send_agreement, sign_as_coach

TOKEN = re.compile(r"/(?:sign|copy|review)/([A-Za-z0-9_-]{30,})/")
CODE = re.compile(r"\b(\d{6})\b")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=2)


def emailed(inbox: Inbox, address: str, pattern: re.Pattern[str]) -> str:
    for message in reversed(inbox.messages):
        if message["To"] == address:
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            if found := pattern.search(body.get_content()):
                return found.group(0)
    raise AssertionError(f"nothing of that kind was emailed to {address}")


def sign_past_the_code(inbox: Inbox, address: str, name: str) -> None:
    path = emailed(inbox, address, TOKEN)
    token = path.split("/")[2]
    browser = HttpClient()
    assert "Confirm it is you" in browser.get(path).content.decode()
    browser.post(reverse("contracts:sign-code", args=[token]))
    run_worker()
    browser.post(reverse("contracts:sign-verify", args=[token]), {"code": "000000"})
    browser.post(
        reverse("contracts:sign-verify", args=[token]), {"code": emailed(inbox, address, CODE)}
    )
    data = {**confirmations(browser, path), "typed_name": name}
    assert browser.post(path, data).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_logs_and_task_records_hold_no_address_token_or_code(
    coach: User,
    signed_in: HttpClient,
    settings: Settings,
    smtp_inbox: Inbox,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    caplog.set_level("DEBUG")
    caplog.set_level("WARNING", logger="mail.log")  # the test's own mail server, not the app
    version = send_agreement(coach, require_email_code=True, observers=1)
    agreement = version.agreement
    parties = {signer.role: signer.email for signer in version.signers.all()}
    smtp_inbox.refused.add(parties[SignerRole.OBSERVER])
    run_worker()

    sign_past_the_code(smtp_inbox, parties[SignerRole.CLIENT], "Jamie Client")
    sign_past_the_code(smtp_inbox, parties[SignerRole.SPONSOR], "Harper HR")
    sign_as_coach(signed_in, agreement)
    run_worker()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    records = list(DBTaskResult.objects.all())
    refused = OutgoingEmail.objects.filter(to=parties[SignerRole.OBSERVER])
    assert {email.state for email in refused} == {EmailState.FAILED}
    assert records and all(record.status == "SUCCESSFUL" for record in records)
    bodies = [m.get_body(preferencelist=("plain",)) for m in smtp_inbox.messages]
    texts = [body.get_content() for body in bodies if body is not None]
    secrets = {
        *parties.values(),
        *(found.group(1) for text in texts for found in TOKEN.finditer(text)),
        *(found.group(1) for text in texts for found in CODE.finditer(text)),
    }
    assert len(secrets) > len(parties), "tokens and codes were emailed and are looked for"
    written = capfd.readouterr()
    kept = [
        written.out,
        written.err,
        caplog.text,
        *(str(record.args_kwargs) for record in records),
        *(str(record.return_value) for record in records),
        *(record.traceback for record in records),
    ]
    assert "was not sent: the mail server refused the recipient (550)" in "".join(kept)
    leaks = sorted({secret for secret in secrets for text in kept if secret in text})
    assert leaks == []
