from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from coaching.backends import CoachBackend
from coaching.models import CoachProfile, User


def _profile_alone(sql: str) -> bool:
    return 'FROM "coaching_coachprofile"' in sql and '"coaching_user"' not in sql


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/agreements/", "/clients/"])
def test_a_coachs_page_loads_the_profile_with_the_coach_not_on_its_own(
    signed_in: HttpClient, path: str
) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(path)
    assert response.status_code == 200
    assert [q["sql"] for q in queries if _profile_alone(q["sql"])] == []


@pytest.mark.django_db
def test_a_session_begun_with_djangos_own_backend_stays_signed_in(coach: User) -> None:
    http = HttpClient()
    http.force_login(coach, backend="django.contrib.auth.backends.ModelBackend")
    response = http.get("/agreements/")
    assert response.status_code == 200
    assert response.wsgi_request.user == coach


@pytest.mark.django_db
def test_the_coach_is_loaded_with_their_profile_and_every_field_in_one_query(
    coach: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    CoachProfile.objects.filter(coach=coach).update(time_zone="Asia/Tokyo", practice_name="Oak")
    coach.refresh_from_db()
    with django_assert_num_queries(1):
        loaded = CoachBackend().get_user(coach.pk)
        assert loaded is not None
        assert loaded.profile.time_zone == "Asia/Tokyo"
        assert loaded.profile.practice_name == "Oak"
        assert loaded.profile.coach is loaded
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(coach, field.attname), field.name
    assert loaded.date_joined.tzinfo is not None


@pytest.mark.django_db
def test_a_coach_without_a_profile_is_loaded_and_has_none(
    coach: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    CoachProfile.objects.filter(coach=coach).delete()
    with django_assert_num_queries(1):
        loaded = CoachBackend().get_user(coach.pk)
        assert loaded is not None
        assert not hasattr(loaded, "profile")


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", [0, 10**9, "not a number", None])
def test_an_unknown_coach_is_not_loaded(coach: User, user_id: object) -> None:
    assert CoachBackend().get_user(user_id) is None


@pytest.mark.django_db
def test_a_deactivated_coach_is_signed_out_at_their_next_request(
    coach: User, signed_in: HttpClient
) -> None:
    assert signed_in.get("/agreements/").status_code == 200
    User.objects.filter(pk=coach.pk).update(is_active=False)
    response = signed_in.get("/agreements/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("coaching:login"))


@pytest.mark.django_db
def test_an_expired_session_signs_the_coach_out(coach: User, signed_in: HttpClient) -> None:
    assert signed_in.get("/agreements/").status_code == 200
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = signed_in.get("/agreements/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("coaching:login"))


@pytest.mark.django_db
def test_a_signed_in_page_reads_the_session_and_the_coach_once_each(
    signed_in: HttpClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    signed_in.get("/healthz/")  # the sessions list's "last seen" is written at most hourly
    with django_assert_num_queries(3) as queries:  # the third is the health check's own
        response = signed_in.get("/healthz/")
    assert response.status_code == 200
    session, user, _ = (q["sql"] for q in queries.captured_queries)
    assert "django_session" in session
    assert "coaching_user" in user and "coaching_coachprofile" in user
