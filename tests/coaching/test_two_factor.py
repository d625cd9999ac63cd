"""Two-factor sign-in with an authenticator app and recovery codes."""

import io
import re
import time
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import Settings

from coaching.models import User
from tests.coaching.account_helpers import enrol_totp, password_step, totp_code
from tests.conftest import PASSWORD, make_agreement, record_sign_in

pytestmark = pytest.mark.django_db

CODE_PAGE = reverse("mfa_authenticate")


def later(seconds: int) -> time_machine.travel:
    """The clock moved on by that much (and standing still there)."""
    return time_machine.travel(time.time() + seconds, tick=False)


def test_an_enrolled_coach_signs_in_with_password_then_app_code(
    signed_in: HttpClient, coach: User
) -> None:
    secret = enrol_totp(signed_in, coach)

    stored = Authenticator.objects.get(user=coach, type=Authenticator.Type.TOTP)
    assert secret not in str(stored.data), "the seed is kept encrypted"

    with later(60):
        http = HttpClient()
        assert password_step(http, coach) == CODE_PAGE
        assert http.get(reverse("coaching:client-list")).status_code == 302, "not in yet"
        response = http.post(CODE_PAGE, {"code": totp_code(secret)})
        assert response.status_code == 302
        assert http.get(reverse("coaching:client-list")).status_code == 200


def test_a_code_is_accepted_once_even_within_its_30_seconds(
    signed_in: HttpClient, coach: User
) -> None:
    secret = enrol_totp(signed_in, coach)
    with later(60):
        code = totp_code(secret)
        first = HttpClient()
        password_step(first, coach)
        assert first.post(CODE_PAGE, {"code": code}).status_code == 302

        # Another web process: allauth's own note of used codes is in the first one's cache.
        cache.clear()
        replay = HttpClient()
        password_step(replay, coach)
        page = replay.post(CODE_PAGE, {"code": code})
        assert page.status_code == 200
        assert "That code was used already" in page.content.decode()
        assert replay.get(reverse("coaching:client-list")).status_code == 302


def test_wrong_codes_are_throttled_even_with_the_right_code_after(
    signed_in: HttpClient, coach: User
) -> None:
    secret = enrol_totp(signed_in, coach)
    with later(60):
        http = HttpClient()
        password_step(http, coach)
        for _ in range(5):
            page = http.post(CODE_PAGE, {"code": "000000"}).content.decode()
            assert "Incorrect code" in page or "not right" in page
        page = http.post(CODE_PAGE, {"code": totp_code(secret)}).content.decode()
        assert "Too many wrong codes" in page
        assert http.get(reverse("coaching:client-list")).status_code == 302


def test_recovery_codes_are_shown_once_and_each_signs_in_once(
    signed_in: HttpClient, coach: User
) -> None:
    enrol_totp(signed_in, coach)
    shown = signed_in.get(reverse("mfa_view_recovery_codes"))
    codes = shown.context["unused_codes"]
    assert len(codes) == 10 and all(code in shown.content.decode() for code in codes)
    again = signed_in.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert not any(code in again for code in codes), "never shown a second time"
    assert signed_in.get(reverse("mfa_download_recovery_codes")).status_code == 403

    http = HttpClient()
    password_step(http, coach)
    assert http.post(CODE_PAGE, {"code": codes[0]}).status_code == 302
    assert http.get(reverse("coaching:client-list")).status_code == 200

    reused = HttpClient()
    password_step(reused, coach)
    assert reused.post(CODE_PAGE, {"code": codes[0]}).status_code == 200
    assert reused.get(reverse("coaching:client-list")).status_code == 302


def test_no_secret_reaches_the_logs_or_the_admin(
    signed_in: HttpClient, coach: User, caplog: pytest.LogCaptureFixture
) -> None:
    secret = enrol_totp(signed_in, coach)
    codes = signed_in.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    http = HttpClient()
    password_step(http, coach)
    http.post(CODE_PAGE, {"code": codes[1]})
    logged = caplog.text
    assert secret not in logged and not any(code in logged for code in codes)
    assert not any(re.search(r"\b\d{6}\b", str(message.body)) for message in mail.outbox)


def test_operator_can_require_two_factor_for_every_account(
    settings: Settings, signed_in: HttpClient, coach: User
) -> None:
    settings.REQUIRE_TWO_FACTOR = True
    response = signed_in.get(reverse("coaching:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    assert signed_in.get(reverse("mfa_index")).status_code == 200

    enrol_totp(signed_in, coach)
    assert signed_in.get(reverse("coaching:home")).status_code == 200
    # The last second factor cannot be turned off while it is required.
    record_sign_in(signed_in, coach, method="mfa", reauthenticated=True)
    signed_in.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=coach, type=Authenticator.Type.TOTP).exists()


def test_a_coach_without_a_second_factor_is_not_asked_for_one(coach: User) -> None:
    http = HttpClient()
    assert password_step(http, coach) == reverse("coaching:home")


def test_private_notes_ask_for_the_second_factor_again_after_15_minutes(
    signed_in: HttpClient, coach: User
) -> None:
    secret = enrol_totp(signed_in, coach)
    notes = reverse("contracts:agreement-notes", args=[make_agreement(coach=coach).pk])
    with later(60):
        http = HttpClient()
        password_step(http, coach)
        http.post(CODE_PAGE, {"code": totp_code(secret)})
        assert http.get(notes).status_code == 200, "the factor given at sign-in is fresh"

    with later(17 * 60):
        response = http.get(notes)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
        assert (
            "Enter a code from your authenticator app"
            in http.get(response["Location"]).content.decode()
        )
        back = http.post(response["Location"], {"code": totp_code(secret), "next": notes})
        assert back.status_code == 302 and back["Location"] == notes
        assert http.get(notes).status_code == 200


def test_exporting_a_clients_data_asks_for_the_password_again_without_a_second_factor(
    coach: User,
) -> None:
    client = make_agreement(coach=coach).client
    export = reverse("contracts:client-disclosures-csv", args=[client.pk])
    http = HttpClient()
    password_step(http, coach)
    assert http.get(export).status_code == 200
    with later(17 * 60):
        response = http.get(export)
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        http.post(response["Location"], {"password": PASSWORD, "next": export})
        assert http.get(export).status_code == 200


def test_the_admin_sign_in_sends_accounts_with_a_second_factor_to_the_main_page(
    coach: User, signed_in: HttpClient
) -> None:
    User.objects.filter(pk=coach.pk).update(is_staff=True, is_superuser=True)
    enrol_totp(signed_in, coach)
    response = HttpClient().post(
        reverse("admin:login"), {"username": coach.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "signs in with a second factor" in response.content.decode()


def test_an_operator_resets_a_lost_second_factor_on_the_record_and_the_coach_is_told(
    signed_in: HttpClient, coach: User, django_capture_on_commit_callbacks: Any
) -> None:
    enrol_totp(signed_in, coach)
    operator = User.objects.create_superuser("ops@example.com", PASSWORD, full_name="Ops")
    mail.outbox.clear()
    with pytest.raises(CommandError, match="--reason"):
        call_command("reset_two_factor", coach.email, operator=operator.email, reason=" ")
    with pytest.raises(CommandError, match="staff"):
        call_command("reset_two_factor", coach.email, operator=coach.email, reason="call")
    assert Authenticator.objects.filter(user=coach).exists(), "nothing removed silently"

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "reset_two_factor",
            coach.email.upper(),
            operator=operator.email,
            reason="Phone call to the number on file",
            stdout=io.StringIO(),
        )

    assert not Authenticator.objects.filter(user=coach).exists()
    assert signed_in.get(reverse("coaching:client-list")).status_code == 302, "signed out"
    entry = LogEntry.objects.get(object_id=str(coach.pk))
    assert entry.user == operator
    assert "Phone call to the number on file" in entry.change_message
    [message] = mail.outbox
    assert message.to == [coach.email]
    assert "Two-factor sign-in was reset" in message.subject
    assert password_step(HttpClient(), coach) == reverse("coaching:home")


def test_two_factor_secrets_follow_a_new_notes_key(
    signed_in: HttpClient, coach: User, settings: Settings
) -> None:
    secret = enrol_totp(signed_in, coach)
    old_keys = list(settings.NOTES_KEYS)
    settings.NOTES_KEYS = [Fernet.generate_key().decode(), *old_keys]
    call_command("rotate_two_factor_key", stdout=io.StringIO())

    settings.NOTES_KEYS = settings.NOTES_KEYS[:1]  # the old key removed
    with later(60):
        http = HttpClient()
        password_step(http, coach)
        assert http.post(CODE_PAGE, {"code": totp_code(secret)}).status_code == 302
        assert http.get(reverse("coaching:client-list")).status_code == 200


def test_the_second_step_offers_a_passkey_only_to_an_account_that_has_one(
    signed_in: HttpClient, coach: User
) -> None:
    enrol_totp(signed_in, coach)
    http = HttpClient()
    password_step(http, coach)
    page = http.get(CODE_PAGE).content.decode()
    assert "Use a passkey" not in page
    assert "recovery codes" in page
