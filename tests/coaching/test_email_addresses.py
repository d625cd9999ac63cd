"""Accounts' email addresses: one form, stored, looked up and counted alike."""

import importlib

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User, normalise_email
from tests.conftest import PASSWORD, make_coach

pytestmark = pytest.mark.django_db

migration = importlib.import_module("coaching.migrations.0003_normalise_account_emails")


def test_every_spelling_of_an_address_has_one_form() -> None:
    spellings = [
        "Robin.Strauss@Example.com",
        " robin.strauß@example.com ",
        "ＲＯＢＩＮ.ＳＴＲＡＵＳＳ@ＥＸＡＭＰＬＥ.ＣＯＭ",  # noqa: RUF001
        "ROBIN.STRAUẞ@EXAMPLE.COM",
    ]
    assert {normalise_email(spelling) for spelling in spellings} == {"robin.strauss@example.com"}
    lookalike = normalise_email("robın.strauss@example.com")  # noqa: RUF001
    assert lookalike != "robin.strauss@example.com"


def test_the_form_does_not_change_when_applied_again() -> None:
    # Greek with a subscript iota then a breve: casefolding alone leaves a form that a
    # second pass would change.
    address = "\u1f8a\u0306@example.com"
    assert normalise_email(normalise_email(address)) == normalise_email(address)


def test_accounts_are_stored_in_that_form_however_they_are_made() -> None:
    signed_up = make_coach(email="Robin.Strauß@Example.com")
    superuser = User.objects.create_superuser("ＡＤＡ@Example.com", PASSWORD, full_name="Ada")  # noqa: RUF001
    assert signed_up.email == "robin.strauss@example.com"
    assert superuser.email == "ada@example.com"
    assert User.objects.get_by_natural_key("ROBIN.STRAUSS@example.com") == signed_up


def test_an_address_changed_in_the_admin_is_stored_in_that_form(coach: User) -> None:
    staff = User.objects.create_superuser("ada@example.com", PASSWORD, full_name="Ada Admin")
    http = HttpClient()
    http.force_login(staff)
    url = reverse("admin:coaching_user_change", args=[coach.pk])
    form = {
        "email": "Alex.Straße@Example.com",
        "full_name": coach.full_name,
        "is_active": "on",
        "date_joined_0": "2026-11-22",
        "date_joined_1": "09:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-0-id": str(coach.profile.pk),
        "profile-0-coach": str(coach.pk),
        "profile-0-time_zone": "Europe/London",
        "profile-0-insurance_cover_currency": "GBP",
        "profile-0-paper_size": "A4",
        "profile-0-review_interval_months": "12",
        "profile-0-review_lead_days": "30",
        "profile-0-ending_lead_days": "30",
        "profile-0-insurance_lead_days": "30",
        **{
            f"profile-0-retention_{name}_years": "3"
            for name in ("agreement", "notes", "assessments", "feedback", "intake")
        },
        "profile-0-retention_correspondence_years": "6",
        "profile-0-retention_sessions_years": "6",
        "profile-0-retention_reports_years": "3",
        "profile-0-retention_disclosures_years": "7",
        "profile-0-disposal_lead_days": "30",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = http.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    coach.refresh_from_db()
    assert coach.email == "alex.strasse@example.com"

    response = http.post(url, {**form, "email": "ADA@ＥＸＡＭＰＬＥ.com"})  # noqa: RUF001
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


def test_the_migration_stores_existing_addresses_in_that_form() -> None:
    robin = make_coach(email="robin@example.com")
    ada = make_coach(email="ada@example.com")
    User.objects.filter(pk=robin.pk).update(email="Robin.Strauß@Example.COM")
    User.objects.filter(pk=ada.pk).update(email="ＡＤＡ@example.com")  # noqa: RUF001

    migration.normalise_account_emails(apps, None)

    assert dict(User.objects.values_list("pk", "email")) == {
        robin.pk: "robin.strauss@example.com",
        ada.pk: "ada@example.com",
    }
    assert HttpClient().login(username="Robin.Strauss@example.com", password=PASSWORD)


def test_the_migration_refuses_loudly_when_two_accounts_would_share_an_address() -> None:
    first = make_coach(email="robin.strauss@example.com")
    second = make_coach(email="other@example.com")
    User.objects.filter(pk=second.pk).update(email="Robin.Strauß@example.com")

    with pytest.raises(RuntimeError, match=rf"account ids: {first.pk} and {second.pk}\)"):
        migration.normalise_account_emails(apps, None)

    assert User.objects.get(pk=second.pk).email == "Robin.Strauß@example.com", "nothing changed"
