"""Every coach has a practice profile from the moment the account exists."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import CoachProfile, User
from tests.conftest import make_coach

pytestmark = pytest.mark.django_db


def test_an_account_made_by_createsuperuser_has_a_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password-7")
    call_command("createsuperuser", email="root@example.com", full_name="Root", interactive=False)
    admin = User.objects.get(email="root@example.com")
    assert CoachProfile.objects.filter(coach=admin).exists()


def test_an_account_added_in_the_admin_has_a_profile() -> None:
    staff = User.objects.create_superuser("admin@example.com", "admin-password-123", full_name="A")
    http = HttpClient()
    http.force_login(staff)
    response = http.post(
        reverse("admin:coaching_user_add"),
        {
            "email": "new@example.com",
            "full_name": "New Coach",
            "password1": "a-long-new-password-9",
            "password2": "a-long-new-password-9",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    coach = User.objects.get(email="new@example.com")
    assert CoachProfile.objects.filter(coach=coach).count() == 1


def test_a_sign_up_keeps_the_practice_name_in_the_profile() -> None:
    coach = make_coach(full_name="Sam Lee")
    coach.refresh_from_db()
    assert coach.profile.practice_name == "Sam Lee Coaching"


def test_accounts_made_before_profiles_existed_are_given_one() -> None:
    coach = make_coach()
    CoachProfile.objects.filter(coach=coach).delete()
    migration = importlib.import_module("coaching.migrations.0002_every_coach_has_a_profile")

    migration.create_missing_profiles(apps, None)

    assert CoachProfile.objects.filter(coach=coach).count() == 1
    migration.create_missing_profiles(apps, None)
    assert CoachProfile.objects.filter(coach=coach).count() == 1
