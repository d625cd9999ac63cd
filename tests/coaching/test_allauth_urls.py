"""allauth's pages are declared in coaching.allauth_urls, so that the passkey views load
on first use; they must stay the pages allauth's own `allauth.urls` declares."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth import urls as allauth_urls
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, reverse

from coaching import allauth_urls as our_urls
from coaching.allauth_urls import ImportedOnFirstUse
from coaching.models import User
from tests.conftest import record_sign_in

pytestmark = pytest.mark.django_db


def flatten(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str | None, Callable[..., Any]]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from flatten(entry.url_patterns, route)
        else:
            yield route, entry.name, entry.callback


def served_by(view: Callable[..., Any]) -> tuple[object, object]:
    """What answers: the view class and its arguments for `as_view()` views (each call of
    `as_view()` makes a new function), the function itself otherwise."""
    if isinstance(view, ImportedOnFirstUse):
        view = view.view()
    return getattr(view, "view_class", view), getattr(view, "view_initkwargs", None)


def test_the_accounts_pages_are_those_allauth_declares() -> None:
    ours = list(flatten(our_urls.urlpatterns))
    theirs = list(flatten(allauth_urls.urlpatterns))
    assert [(route, name) for route, name, _ in ours] == [
        (route, name) for route, name, _ in theirs
    ]
    assert [served_by(view) for *_, view in ours] == [served_by(view) for *_, view in theirs]


def test_the_passkey_and_second_factor_views_are_imported_on_first_use() -> None:
    lazy = {
        name
        for _, name, view in flatten(our_urls.urlpatterns)
        if isinstance(view, ImportedOnFirstUse)
    }
    assert {"mfa_index", "mfa_authenticate", "mfa_add_webauthn", "mfa_login_webauthn"} <= lazy


@pytest.mark.parametrize("name", ["mfa_index", "mfa_list_webauthn", "mfa_add_webauthn"])
def test_a_page_imported_on_first_use_answers_as_allauths_own(
    signed_in: HttpClient, coach: User, name: str
) -> None:
    record_sign_in(signed_in, coach, reauthenticated=True)
    assert signed_in.get(reverse(name)).status_code == 200


def test_a_page_imported_on_first_use_still_asks_for_sign_in() -> None:
    response = HttpClient().get(reverse("mfa_list_webauthn"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("coaching:login"))
