import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from tests.conftest import make_client, make_contact

pytestmark = pytest.mark.django_db


def test_every_model_has_an_admin_changelist_and_change_page(coach: User) -> None:
    make_client(coach=coach, organisation=make_contact(coach=coach).organisation)
    staff = User.objects.create_superuser("admin@example.com", "admin-password-123", full_name="A")
    http = HttpClient()
    http.force_login(staff)

    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert http.get(changelist).status_code == 200, changelist
        assert http.get(changelist, {"q": "a"}).status_code == 200, changelist
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert http.get(change).status_code == 200, change


def test_coaches_cannot_open_the_admin(signed_in: HttpClient) -> None:
    response = signed_in.get(reverse("admin:coaching_client_changelist"))
    assert response.status_code == 302
