"""Accounts made before allauth's tables existed keep working: password, session, profile,
and their address, which sign-up had verified, is recorded as verified."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from tests.conftest import PASSWORD

OURS_BEFORE = ("coaching", "0004_client_named_in_log")
BEFORE_ALLAUTH: list[tuple[str, str | None]] = [
    OURS_BEFORE,
    ("socialaccount", None),
    ("mfa", None),
    ("usersessions", None),
    ("account", None),
]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_an_account_made_before_allauth_signs_in_and_stays_signed_in_afterwards() -> None:
    old = _migrate(BEFORE_ALLAUTH).loader.project_state(OURS_BEFORE).apps
    assert "account_emailaddress" not in connection.introspection.table_names()
    OldUser = old.get_model("coaching", "User")
    OldProfile = old.get_model("coaching", "CoachProfile")
    hashed = make_password(PASSWORD)
    robin = OldUser.objects.create(email="robin@example.com", full_name="Robin", password=hashed)
    OldProfile.objects.create(coach=robin, practice_name="Robin Coaching")
    # A browser signed in then, by the backend sessions named at the time.
    session = SessionStore()
    session["_auth_user_id"] = str(robin.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = User(password=hashed).get_session_auth_hash()
    session.create()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(EmailAddress.objects.values_list("user_id", "email", "verified", "primary")) == [
        (robin.pk, "robin@example.com", True, True)
    ]
    kept = HttpClient()
    kept.cookies[settings.SESSION_COOKIE_NAME] = session.session_key or ""
    page = kept.get(reverse("coaching:profile"))
    assert page.status_code == 200
    assert "Robin Coaching" in page.content.decode()

    fresh = HttpClient()
    response = fresh.post(
        reverse("coaching:login"), {"username": "Robin@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:home")
    assert fresh.get(reverse("coaching:client-list")).status_code == 200
