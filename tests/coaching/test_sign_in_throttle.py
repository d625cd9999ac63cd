"""One throttle at every door where a password or a code is tried."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core import mail
from django.db import connection, connections
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import Settings

from coaching.models import User
from contracts.models import SignerRole
from tests.conftest import PASSWORD, make_coach
from tests.contracts.signing_helpers import link_for, send_agreement, signer

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-1"
THROTTLED = "Too many failed attempts"


@pytest.fixture
def evaluated() -> Iterator[list[str]]:
    """The sign-ins whose password was checked and found wrong, as Django announces them."""
    failures: list[str] = []

    def count(sender: object, credentials: dict[str, Any], **kwargs: object) -> None:
        failures.append(str(credentials.get("username")))

    user_login_failed.connect(count, dispatch_uid="evaluated-sign-ins")
    yield failures
    user_login_failed.disconnect(dispatch_uid="evaluated-sign-ins")


def sign_in(http: HttpClient, email: str, password: str, *, door: str = "coaching:login") -> str:
    """What the person sees: "in" once signed in, else the page's text."""
    response = http.post(reverse(door), {"username": email, "password": password})
    return "in" if response.status_code == 302 else response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_24_parallel_wrong_sign_ins_have_at_most_5_passwords_checked(
    settings: Settings, evaluated: list[str]
) -> None:
    # The real password hasher: each check takes as long as it does in production.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    coach = make_coach()
    start = threading.Barrier(24, timeout=30)

    def attempt(_: int) -> str:
        try:
            http = HttpClient()
            start.wait()
            return sign_in(http, coach.email, WRONG)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=24) as pool:
        pages = list(pool.map(attempt, range(24)))

    assert 1 <= len(evaluated) <= 5
    assert sum(THROTTLED in page for page in pages) == 24 - len(evaluated)
    assert THROTTLED in sign_in(HttpClient(), coach.email, PASSWORD)


def test_every_spelling_of_an_address_counts_in_the_same_bucket(evaluated: list[str]) -> None:
    coach = make_coach(email="robin.strauss@example.com")
    http = HttpClient()
    spellings = [
        "ROBIN.STRAUSS@EXAMPLE.COM",
        "Robin.Strauß@example.com",
        "ｒｏｂｉｎ.ｓｔｒａｕｓｓ@ｅｘａｍｐｌｅ.ｃｏｍ",  # noqa: RUF001  fullwidth letters
        " robin.strauss@example.com",
        "ROBIN.STRAUẞ@example.com",
    ]
    for spelling in spellings:
        sign_in(http, spelling, WRONG)
    assert len(evaluated) == 5

    assert THROTTLED in sign_in(HttpClient(), coach.email, PASSWORD)
    assert THROTTLED in sign_in(HttpClient(), "Robin.Strauß@Example.com", PASSWORD)
    assert len(evaluated) == 5


def test_a_lookalike_address_never_signs_in_as_another_account() -> None:
    make_coach(email="robin@example.com")
    # A dotless i, and a capital I with a dot: the case-insensitive match took the first.
    for lookalike in ("robın@example.com", "ROBİN@example.com"):  # noqa: RUF001
        page = sign_in(HttpClient(), lookalike, PASSWORD)
        assert "That email and password do not match an account" in page


def test_wrong_passwords_at_the_admin_sign_in_are_throttled_with_the_others(
    evaluated: list[str],
) -> None:
    staff = User.objects.create_superuser("ada@example.com", PASSWORD, full_name="Ada Admin")
    http = HttpClient()
    for _ in range(3):
        sign_in(http, staff.email, WRONG, door="admin:login")
    for _ in range(2):
        sign_in(http, "Ada@Example.com", WRONG)
    assert len(evaluated) == 5

    page = sign_in(HttpClient(), "ADA@example.com", PASSWORD, door="admin:login")
    assert THROTTLED in page
    assert THROTTLED in sign_in(HttpClient(), staff.email, PASSWORD)
    assert len(evaluated) == 5


def test_the_admin_sign_in_still_lets_staff_in_and_keeps_coaches_out() -> None:
    User.objects.create_superuser("ada@example.com", PASSWORD, full_name="Ada Admin")
    coach = make_coach()
    assert sign_in(HttpClient(), "Ada@Example.com", PASSWORD, door="admin:login") == "in"
    page = sign_in(HttpClient(), coach.email, PASSWORD, door="admin:login")
    assert "for a staff account" in page


def test_a_right_password_gives_its_token_back(evaluated: list[str]) -> None:
    coach = make_coach()
    http = HttpClient()
    for _ in range(4):
        sign_in(http, coach.email, WRONG)
    for _ in range(3):
        assert sign_in(HttpClient(), coach.email, PASSWORD) == "in"
    sign_in(http, coach.email, WRONG)
    assert THROTTLED in sign_in(http, coach.email, PASSWORD)
    assert len(evaluated) == 5


def test_signing_codes_are_emailed_at_most_three_times_in_ten_minutes(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True)
    client = signer(version, SignerRole.CLIENT)
    token = link_for(client.email).split("/")[2]
    mail.outbox.clear()
    http = HttpClient()
    statuses = [
        http.post(reverse("contracts:sign-code", args=[token])).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert len(mail.outbox) == 3
    assert (
        "Several codes were sent just now"
        in http.post(reverse("contracts:sign-code", args=[token])).content.decode()
    )


def code_check_url(coach: User) -> str:
    """Where the client of a newly sent agreement enters the emailed code."""
    version = send_agreement(coach, require_email_code=True)
    token = link_for(signer(version, SignerRole.CLIENT).email).split("/")[2]
    return reverse("contracts:sign-verify", args=[token])


def test_signing_code_checks_are_throttled_per_signer_from_any_network(coach: User) -> None:
    verify = code_check_url(coach)
    networks = [HttpClient(REMOTE_ADDR=f"192.0.2.{n}") for n in range(1, 12)]
    statuses = [http.post(verify, {"code": "000000"}).status_code for http in networks]
    assert statuses == [400] * 10 + [429]


def test_signing_code_checks_are_throttled_per_network_address(coach: User) -> None:
    http = HttpClient()
    statuses = [
        http.post(verify, {"code": "12"}).status_code
        for verify in [code_check_url(coach) for _ in range(4)]
        for _ in range(8)
    ]
    assert statuses == [400] * 30 + [429] * 2
    other_network = HttpClient(REMOTE_ADDR="192.0.2.7")
    assert other_network.post(code_check_url(coach), {"code": "12"}).status_code == 400


def test_wrong_passwords_when_asked_again_count_with_the_sign_in_ones(
    signed_in: HttpClient, coach: User, evaluated: list[str]
) -> None:
    reauthenticate = reverse("account_reauthenticate")
    for _ in range(3):
        signed_in.post(reauthenticate, {"password": WRONG})
    for _ in range(2):
        sign_in(HttpClient(), coach.email, WRONG)
    page = signed_in.post(reauthenticate, {"password": PASSWORD}).content.decode()
    assert THROTTLED in page
    assert THROTTLED in sign_in(HttpClient(), coach.email, PASSWORD)
