import re

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import CoachProfile, Membership, ProfessionalBody, RecordClass, User
from tests.conftest import PASSWORD, make_client, make_coach

pytestmark = pytest.mark.django_db


def test_a_coach_signs_in_with_any_case_of_their_email_and_signs_out(coach: User) -> None:
    http = HttpClient()
    response = http.post(
        reverse("coaching:login"), {"username": coach.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert http.get(reverse("coaching:client-list")).status_code == 200

    http.post(reverse("coaching:logout"))
    response = http.get(reverse("coaching:client-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("coaching:login"))


def test_a_wrong_password_says_so_without_saying_which_part_is_wrong(coach: User) -> None:
    response = HttpClient().post(
        reverse("coaching:login"), {"username": coach.email, "password": "nope-nope-nope"}
    )
    assert "That email and password do not match an account" in response.content.decode()


def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password(
    coach: User,
) -> None:
    http = HttpClient()
    url = reverse("coaching:login")
    with time_machine.travel("2026-11-22 10:00Z", tick=False):
        for _ in range(5):
            http.post(url, {"username": coach.email, "password": "wrong-password-1"})
        response = http.post(url, {"username": coach.email, "password": PASSWORD})
        assert response.status_code == 200
        assert "Too many failed attempts" in response.content.decode()

    other = make_coach()
    response = http.post(url, {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302, "another account from the same address still signs in"

    with time_machine.travel("2026-11-22 10:16Z", tick=False):
        response = http.post(url, {"username": coach.email, "password": PASSWORD})
        assert response.status_code == 302, "the limit lifts after fifteen minutes"


def test_password_reset_emails_a_link_that_sets_a_new_password(coach: User) -> None:
    http = HttpClient()
    response = http.post(reverse("coaching:password-reset"), {"email": coach.email})
    assert response.status_code == 302

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coach.email]
    assert message.subject == "Reset your Tripartite password"
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives, "the email has an HTML part"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(message.body))
    assert link is not None

    response = http.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = http.post(
        form_url,
        {"new_password1": "brand-new-password-9", "new_password2": "brand-new-password-9"},
    )
    assert response.status_code == 302
    assert HttpClient().login(username=coach.email, password="brand-new-password-9")

    reused = http.get(link.group(1), follow=True)
    assert "This link no longer works" in reused.content.decode()


def test_password_reset_does_not_reveal_whether_an_account_exists() -> None:
    make_coach(email="known@example.com")
    known, unknown = (
        HttpClient().post(reverse("coaching:password-reset"), {"email": email}, follow=True)
        for email in ("Known@Example.com", "nobody@example.com")
    )
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert "If an account uses that address" in unknown.content.decode()
    assert [message.to for message in mail.outbox] == [["known@example.com"]]


def test_password_reset_reaches_the_account_from_any_spelling_never_a_lookalike() -> None:
    make_coach(email="robin.strauss@example.com")
    reset = reverse("coaching:password-reset")
    http = HttpClient()
    for spelling in ("ROBIN.STRAUSS@example.com", "robin.strauß@ｅｘａｍｐｌｅ.com"):  # noqa: RUF001
        assert http.post(reset, {"email": spelling}).status_code == 302
    http.post(reset, {"email": "robın.strauss@example.com"})  # noqa: RUF001
    assert [message.to for message in mail.outbox] == [["robin.strauss@example.com"]] * 2


def test_password_reset_emails_stop_after_three_an_hour(coach: User) -> None:
    http = HttpClient()
    for _ in range(5):
        http.post(reverse("coaching:password-reset"), {"email": coach.email})
    assert len(mail.outbox) == 3


def test_a_coach_changes_their_password(signed_in: HttpClient, coach: User) -> None:
    response = signed_in.post(
        reverse("coaching:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-password-7",
            "new_password2": "another-long-password-7",
        },
    )
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password("another-long-password-7")


def profile_data(coach: User, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "account-full_name": coach.full_name,
        "account-email": coach.email,
        "profile-practice_name": "Morgan Coaching",
        "profile-phone": "",
        "profile-website": "",
        "profile-time_zone": "America/New_York",
        "profile-insurer": "",
        "profile-insurance_policy_number": "",
        "profile-insurance_cover_amount": "",
        "profile-insurance_cover_currency": "GBP",
        "profile-insurance_expires_on": "",
        "profile-paper_size": "A4",
        "profile-review_interval_months": "12",
        "profile-remind_reviews": "on",
        "profile-review_lead_days": "30",
        "profile-remind_endings": "on",
        "profile-ending_lead_days": "30",
        "profile-remind_insurance": "on",
        "profile-insurance_lead_days": "30",
        "profile-retention_agreement_years": "7",
        "profile-retention_notes_years": "3",
        "profile-retention_assessments_years": "3",
        "profile-retention_feedback_years": "3",
        "profile-retention_intake_years": "3",
        "profile-retention_correspondence_years": "6",
        "profile-retention_sessions_years": "6",
        "profile-retention_reports_years": "3",
        "profile-retention_disclosures_years": "7",
        "profile-remind_disposals": "on",
        "profile-disposal_lead_days": "30",
    }
    data.update({f"profile-{key}": value for key, value in overrides.items()})
    return data


def test_a_coach_records_insurance_and_defaults_on_the_profile(
    signed_in: HttpClient, coach: User
) -> None:
    data = profile_data(
        coach,
        insurer="Hiscox",
        insurance_policy_number="PI-1",
        insurance_cover_amount="2000000",
        insurance_cover_currency="EUR",
        insurance_expires_on="2027-06-30",
        review_interval_months="6",
        retention_notes_years="2",
    )
    response = signed_in.post(reverse("coaching:profile"), data, follow=True)

    assert "Your profile is saved" in response.content.decode()
    profile = CoachProfile.objects.get(coach=coach)
    assert profile.insurer == "Hiscox"
    assert str(profile.insurance_expires_on) == "2027-06-30"
    assert profile.review_interval_months == 6
    assert profile.retention_years()[RecordClass.NOTES] == 2
    assert profile.time_zone == "America/New_York"


def test_half_filled_insurance_is_refused_field_by_field(
    signed_in: HttpClient, coach: User
) -> None:
    response = signed_in.post(reverse("coaching:profile"), profile_data(coach, insurer="Hiscox"))

    form = response.context["profile_form"]
    assert set(form.errors) == {"insurance_policy_number", "insurance_expires_on"}
    assert CoachProfile.objects.get(coach=coach).insurer == ""


def test_a_review_interval_outside_one_to_36_months_is_refused(
    signed_in: HttpClient, coach: User
) -> None:
    response = signed_in.post(
        reverse("coaching:profile"), profile_data(coach, review_interval_months="48")
    )
    assert "review_interval_months" in response.context["profile_form"].errors


def test_dates_are_shown_in_the_coachs_time_zone(signed_in: HttpClient, coach: User) -> None:
    with time_machine.travel("2026-11-22 11:30Z"):
        client = make_client(coach=coach)
    url = reverse("coaching:client-detail", args=[client.pk])
    assert "22 November 2026" in signed_in.get(url).content.decode()

    coach.profile.time_zone = "Pacific/Auckland"
    coach.profile.save()
    assert "23 November 2026" in signed_in.get(url).content.decode()


def test_a_membership_of_another_body_needs_its_name(signed_in: HttpClient, coach: User) -> None:
    url = reverse("coaching:membership-create")
    response = signed_in.post(url, {"body": ProfessionalBody.OTHER, "member_number": "9"})
    assert "Enter the name of the professional body." in response.content.decode()

    signed_in.post(
        url, {"body": ProfessionalBody.EMCC, "member_number": "E-1", "credential": "EIA"}
    )
    membership = Membership.objects.get(coach=coach)
    assert membership.body_name == "European Mentoring and Coaching Council (EMCC)"

    signed_in.post(reverse("coaching:membership-delete", args=[membership.pk]))
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_the_sign_in_page_names_the_product_not_the_host() -> None:
    page = HttpClient().get(reverse("coaching:login")).content.decode()
    assert "<title>Sign in · Tripartite</title>" in page
    assert "testserver" not in page
