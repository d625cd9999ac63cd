"""A new email address replaces the old one only once a link sent to it is followed."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from tests.coaching.account_helpers import emailed_confirmation
from tests.conftest import PASSWORD, make_coach, record_sign_in

pytestmark = pytest.mark.django_db


def ask_for_change(http: HttpClient, email: str) -> None:
    response = http.post(reverse("account_email"), {"email": email, "action_add": ""})
    assert response.status_code == 302


def test_a_new_address_is_used_only_once_the_link_sent_to_it_is_followed(
    signed_in: HttpClient, coach: User
) -> None:
    old = coach.email
    record_sign_in(signed_in, coach, reauthenticated=True)
    ask_for_change(signed_in, "Alex.Straße@Example.com")

    coach.refresh_from_db()
    assert coach.email == old, "nothing is sent to the new address in the coach's name yet"
    [message] = mail.outbox
    assert message.to == ["alex.strasse@example.com"]
    page = signed_in.get(reverse("account_email")).content.decode()
    assert "Changing to <strong>alex.strasse@example.com</strong>" in page

    link = emailed_confirmation("alex.strasse@example.com")
    opened = HttpClient().get(link)
    assert "Confirm this address" in opened.content.decode()
    coach.refresh_from_db()
    assert coach.email == old, "opening the link changes nothing (mail scanners open links)"

    HttpClient().post(link)
    coach.refresh_from_db()
    assert coach.email == "alex.strasse@example.com"
    assert list(EmailAddress.objects.filter(user=coach).values_list("email", "verified")) == [
        ("alex.strasse@example.com", True)
    ]
    assert HttpClient().login(username="ALEX.STRASSE@example.com", password=PASSWORD)
    told = [m for m in mail.outbox if m.to == [old]]
    assert told and "alex.strasse@example.com" in str(told[-1].body)


def test_changing_the_address_asks_for_the_password_again_first(
    signed_in: HttpClient, coach: User
) -> None:
    response = signed_in.post(
        reverse("account_email"), {"email": "new@example.com", "action_add": ""}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert mail.outbox == []

    resumed = signed_in.post(
        response["Location"], {"password": PASSWORD, "next": reverse("account_email")}
    )
    assert resumed.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new@example.com"]


def test_another_accounts_address_is_never_taken_over(signed_in: HttpClient, coach: User) -> None:
    make_coach(email="taken@example.com")
    record_sign_in(signed_in, coach, reauthenticated=True)
    ask_for_change(signed_in, "TAKEN@ｅｘａｍｐｌｅ.com")  # noqa: RUF001

    coach.refresh_from_db()
    assert coach.email != "taken@example.com"
    # The owner of the address is told; no link to take it is sent anywhere.
    assert all("/accounts/confirm-email/" not in str(m.body) for m in mail.outbox)
    assert User.objects.get(email="taken@example.com") != coach


def test_a_changed_link_confirms_nothing(signed_in: HttpClient, coach: User) -> None:
    record_sign_in(signed_in, coach, reauthenticated=True)
    ask_for_change(signed_in, "new@example.com")
    link = emailed_confirmation("new@example.com")
    tampered = link[:-3] + "xx/"
    assert "has expired or has already been used" in HttpClient().get(tampered).content.decode()
    HttpClient().post(tampered)
    coach.refresh_from_db()
    assert coach.email != "new@example.com"


def test_an_account_made_from_the_sign_up_link_has_its_address_verified() -> None:
    HttpClient().post(
        reverse("coaching:signup"), {"full_name": "Robin Reyes", "email": "Robin@Example.com"}
    )
    link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+)", str(mail.outbox[-1].body))
    assert link is not None
    HttpClient().post(
        link.group(1),
        {"password1": "correct-horse-battery", "password2": "correct-horse-battery"},
    )
    robin = User.objects.get(email="robin@example.com")
    assert list(EmailAddress.objects.filter(user=robin).values_list("verified", "primary")) == [
        (True, True)
    ]
