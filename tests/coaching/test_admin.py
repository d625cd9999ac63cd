import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.drafting.services import template_create
from tests.conftest import make_agreement, make_client, make_contact

pytestmark = pytest.mark.django_db


def test_every_model_of_the_project_is_in_the_admin() -> None:
    ours = [m for m in apps.get_models() if m._meta.app_label in {"coaching", "contracts"}]
    assert [m for m in ours if m not in admin.site._registry] == []


def test_every_model_has_an_admin_changelist_and_change_page(coach: User) -> None:
    make_client(coach=coach, organisation=make_contact(coach=coach).organisation)
    make_agreement(coach=coach)
    template_create(coach=coach, name="Mine")
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
