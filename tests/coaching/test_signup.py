"""Sign-up in two steps: the address first, then the emailed link creates the account.

The first step answers the same whoever the address belongs to; only the email differs.
"""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from tests.conftest import make_coach

pytestmark = pytest.mark.django_db

DETAILS = {
    "full_name": "Robin Reyes",
    "email": "Robin@Example.com",
    "practice_name": "Reyes Coaching",
}
PASSWORDS = {"password1": "correct-horse-battery", "password2": "correct-horse-battery"}
LINK = re.compile(r"https?://[^/\s]+(/accounts/signup/\S+)")


def emailed_link(to: str) -> str:
    """The path of the newest sign-up link emailed to that address."""
    for message in reversed(mail.outbox):
        if to in message.to and (found := LINK.search(str(message.body))):
            return found.group(1)
    raise AssertionError(f"No sign-up link was emailed to {to}")


def test_sign_up_answers_the_same_for_a_known_and_an_unknown_address() -> None:
    make_coach(email="known@example.com")

    known = HttpClient().post(
        reverse("coaching:signup"), {**DETAILS, "email": "Known@Example.com"}, follow=True
    )
    unknown = HttpClient().post(
        reverse("coaching:signup"), {**DETAILS, "email": "new@example.com"}, follow=True
    )

    assert (
        known.redirect_chain == unknown.redirect_chain == [(reverse("coaching:signup-sent"), 302)]
    )
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert "Check your email" in known.content.decode()
    assert User.objects.count() == 1


def test_a_known_address_is_told_by_email_that_it_has_an_account() -> None:
    coach = make_coach(email="known@example.com")
    HttpClient().post(reverse("coaching:signup"), {**DETAILS, "email": "KNOWN@example.com"})

    [message] = mail.outbox
    assert message.to == [coach.email]
    assert message.subject == "You already have a Tripartite account"
    body = str(message.body)
    assert "/accounts/login/" in body
    assert "/accounts/password/reset/" in body
    assert not LINK.search(body), "no link to create a second account"


def test_an_unknown_address_receives_a_link_that_creates_the_account_and_signs_in() -> None:
    HttpClient().post(reverse("coaching:signup"), DETAILS)
    [message] = mail.outbox
    assert message.to == ["robin@example.com"]
    assert message.subject == "Finish creating your Tripartite account"
    assert not User.objects.exists(), "nothing is created before the link is followed"

    http = HttpClient()
    path = emailed_link("robin@example.com")
    page = http.get(path)
    assert page.status_code == 200
    assert "Choose your password" in page.content.decode()
    assert not User.objects.exists(), "opening the link changes nothing"

    response = http.post(path, PASSWORDS, follow=True)

    assert response.redirect_chain[-1][0] == reverse("coaching:profile")
    assert "Welcome to Tripartite" in response.content.decode()
    coach = User.objects.get()
    assert coach.email == "robin@example.com"
    assert coach.full_name == "Robin Reyes"
    assert coach.profile.practice_name == "Reyes Coaching"
    assert coach.check_password("correct-horse-battery")
    assert http.get(reverse("coaching:client-list")).status_code == 200


def test_the_sign_up_link_creates_the_account_once_then_says_kindly_it_was_used() -> None:
    HttpClient().post(reverse("coaching:signup"), DETAILS)
    HttpClient().post(reverse("coaching:signup"), DETAILS)
    first, second = (LINK.search(str(m.body)) for m in mail.outbox)
    assert first and second
    HttpClient().post(first.group(1), PASSWORDS)

    for path in (first.group(1), second.group(1)):
        shown = HttpClient().get(path)
        assert shown.status_code == 410
        assert "This link has already been used" in shown.content.decode()
        posted = HttpClient().post(
            path, {"password1": "another-password-77", "password2": "another-password-77"}
        )
        assert posted.status_code == 410
    assert User.objects.count() == 1
    assert User.objects.get().check_password("correct-horse-battery")


def test_the_sign_up_link_expires_after_a_day() -> None:
    with time_machine.travel("2026-11-22 09:00Z", tick=False) as clock:
        HttpClient().post(reverse("coaching:signup"), DETAILS)
        path = emailed_link("robin@example.com")
        clock.shift(25 * 60 * 60)
        response = HttpClient().post(path, PASSWORDS)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert not User.objects.exists()


def test_a_tampered_sign_up_link_does_not_work() -> None:
    HttpClient().post(reverse("coaching:signup"), DETAILS)
    path = emailed_link("robin@example.com")
    response = HttpClient().post(path.replace("token=", "token=x"), PASSWORDS)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert HttpClient().get(reverse("coaching:signup-finish")).status_code == 404
    assert not User.objects.exists()


def test_sign_up_explains_a_weak_password_next_to_the_field() -> None:
    HttpClient().post(reverse("coaching:signup"), DETAILS)
    path = emailed_link("robin@example.com")
    response = HttpClient().post(path, {"password1": "short", "password2": "short"})

    form = response.context["form"]
    assert "password2" in form.errors
    assert "too short" in " ".join(form.errors["password2"])
    assert not User.objects.exists()


def test_sign_up_explains_a_missing_name_and_a_malformed_address_next_to_each() -> None:
    response = HttpClient().post(
        reverse("coaching:signup"), {**DETAILS, "full_name": "", "email": "robin@"}
    )
    form = response.context["form"]
    assert form.errors == {
        "full_name": ["Enter your full name."],
        "email": ["Enter an email address in the form name@example.com."],
    }
    assert mail.outbox == []


def test_sign_up_is_throttled_per_network_address_alike_for_every_address() -> None:
    make_coach(email="known@example.com")
    http = HttpClient()
    for number in range(10):
        http.post(reverse("coaching:signup"), {**DETAILS, "email": f"new{number}@example.com"})
    known, unknown = (
        http.post(reverse("coaching:signup"), {**DETAILS, "email": email})
        for email in ("known@example.com", "another@example.com")
    )
    assert known.status_code == unknown.status_code == 429
    assert known.context["form"].errors == unknown.context["form"].errors
    assert "Too many accounts were requested from your network" in known.content.decode()
    assert len(mail.outbox) == 10


def test_sign_up_emails_to_one_address_stop_after_three_an_hour_without_saying_so() -> None:
    http = HttpClient()
    responses = [http.post(reverse("coaching:signup"), DETAILS) for _ in range(5)]
    assert {response["Location"] for response in responses} == {reverse("coaching:signup-sent")}
    assert len(mail.outbox) == 3


def test_a_signed_in_coach_is_sent_home_from_sign_up(signed_in: HttpClient) -> None:
    response = signed_in.get(reverse("coaching:signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:home")
