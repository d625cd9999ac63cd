"""Where a coach is signed in: the list, ending a session, and an email on a new device."""

import re

import pytest
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.devices import describe_device
from coaching.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36"
)
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1"
)


def browser(user_agent: str, address: str) -> HttpClient:
    return HttpClient(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def sign_in(http: HttpClient, coach: User) -> None:
    response = http.post(
        reverse("coaching:login"), {"username": coach.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def new_device_emails(coach: User) -> list[str]:
    return [
        str(message.body)
        for message in mail.outbox
        if message.to == [coach.email] and "New sign-in" in message.subject
    ]


def test_the_coach_sees_each_browser_signed_in_and_signs_one_out(coach: User) -> None:
    laptop, phone = browser(FIREFOX, "192.0.2.10"), browser(SAFARI, "198.51.100.7")
    sign_in(laptop, coach)
    sign_in(phone, coach)

    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "Firefox on Windows" in page and "192.0.2.10" in page
    assert "Safari on iPhone" in page and "198.51.100.7" in page
    assert page.count("This browser") == 1

    phone_session = UserSession.objects.get(user=coach, ip="198.51.100.7")
    response = laptop.post(reverse("coaching:session-end", args=[phone_session.pk]))
    assert response.status_code == 302
    assert "Safari on iPhone is signed out" in laptop.get(response["Location"]).content.decode()
    assert phone.get(reverse("coaching:client-list")).status_code == 302
    assert laptop.get(reverse("coaching:client-list")).status_code == 200


def test_signing_out_everywhere_else_keeps_this_browser(coach: User) -> None:
    laptop, phone, tablet = (browser(agent, "192.0.2.1") for agent in (FIREFOX, SAFARI, CHROME))
    for http in (laptop, phone, tablet):
        sign_in(http, coach)
    laptop.post(reverse("usersessions_list"))
    assert laptop.get(reverse("coaching:client-list")).status_code == 200
    assert phone.get(reverse("coaching:client-list")).status_code == 302
    assert tablet.get(reverse("coaching:client-list")).status_code == 302


def test_a_changed_password_signs_out_every_other_session(coach: User) -> None:
    laptop, phone = browser(FIREFOX, "192.0.2.1"), browser(SAFARI, "192.0.2.2")
    sign_in(laptop, coach)
    sign_in(phone, coach)
    mail.outbox.clear()
    response = laptop.post(
        reverse("coaching:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-password-7",
            "new_password2": "another-long-password-7",
        },
    )
    assert response.status_code == 302
    assert laptop.get(reverse("coaching:client-list")).status_code == 200
    assert phone.get(reverse("coaching:client-list")).status_code == 302
    assert list(UserSession.objects.filter(user=coach).values_list("ip", flat=True)) == [
        "192.0.2.1"
    ]
    [told] = [m for m in mail.outbox if m.to == [coach.email]]
    assert "password was changed" in told.subject


def test_a_password_reset_signs_out_every_session(coach: User) -> None:
    laptop = browser(FIREFOX, "192.0.2.1")
    sign_in(laptop, coach)
    HttpClient().post(reverse("coaching:password-reset"), {"email": coach.email})
    link = re.search(
        r"http://testserver(/accounts/password/reset/\S+/)", str(mail.outbox[-1].body)
    )
    assert link is not None
    stranger = HttpClient()
    form = stranger.get(link.group(1), follow=True)
    stranger.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password-9", "new_password2": "a-brand-new-password-9"},
    )
    assert laptop.get(reverse("coaching:client-list")).status_code == 302
    assert not UserSession.objects.filter(user=coach).exists()


def test_a_sign_in_from_a_new_browser_emails_the_coach_once(coach: User) -> None:
    laptop = browser(FIREFOX, "192.0.2.44")
    sign_in(laptop, coach)
    [email] = new_device_emails(coach)
    assert "Firefox on Windows" in email and "192.0.2.44" in email
    assert "/accounts/sessions/" in email

    laptop.post(reverse("coaching:logout"))
    sign_in(laptop, coach)
    assert len(new_device_emails(coach)) == 1, "this browser is known now"

    sign_in(browser(CHROME, "192.0.2.45"), coach)
    assert len(new_device_emails(coach)) == 2


def test_another_coachs_session_cannot_be_ended(coach: User, other_coach: User) -> None:
    theirs = browser(FIREFOX, "192.0.2.1")
    sign_in(theirs, other_coach)
    session = UserSession.objects.get(user=other_coach)
    mine = browser(CHROME, "192.0.2.2")
    sign_in(mine, coach)
    assert mine.post(reverse("coaching:session-end", args=[session.pk])).status_code == 404
    assert theirs.get(reverse("coaching:client-list")).status_code == 200


@pytest.mark.parametrize(
    ("agent", "named"),
    [
        (FIREFOX, "Firefox on Windows"),
        (CHROME, "Chrome on Linux"),
        (SAFARI, "Safari on iPhone"),
        ("curl/8.5.0", "An unrecognised browser"),
        ("", "An unrecognised browser"),
    ],
)
def test_browsers_are_named_as_people_know_them(agent: str, named: str) -> None:
    assert describe_device(agent) == named
