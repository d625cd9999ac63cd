"""Pages kept whole take only plain values in their holes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.test import RequestFactory

from coaching.pages import hole, page_key, render_kept

pytestmark = pytest.mark.django_db


def visitor_request() -> HttpRequest:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


@pytest.mark.parametrize("value", ['"><script>', "a b", "a/b", "é"])
def test_a_hole_refuses_anything_but_letters_digits_dashes_and_underscores(value: str) -> None:
    with pytest.raises(ValueError, match="letters, digits"):
        render_kept(
            visitor_request(),
            "base.html",
            {},
            key=page_key("test"),
            holes={"token": value},
        )


def test_holes_differ_by_name_and_are_not_the_names_themselves() -> None:
    assert hole("token") != hole("csrf")
    assert hole("token") != "token"
