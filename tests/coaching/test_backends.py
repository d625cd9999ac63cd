import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from coaching.models import User


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
