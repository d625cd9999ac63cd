"""No request a person can send produces a server error: every page, GET and an empty
POST, as the owner, as another coach, as a visitor and as a sponsor contact signed in to
the portal, with well-formed and odd values. (The test client re-raises a view's
exception, so any crash fails the test too.)"""

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, get_resolver, reverse

from coaching.models import User
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.contracts.sponsor.portal.helpers import portal_browser
from tests.contracts.sponsor.programmes.helpers import make_programme
from tests.test_isolation import walk

pytestmark = pytest.mark.django_db

ODD = {
    "pk": 999999,
    "step": "nonsense",
    "party": "nobody",
    "signer": 999999,
    "email": 999999,
    "pdf": 999999,
    "session": 999999,
    "intake": 999999,
    "meeting": 999999,
    "breach": 999999,
    "request_id": 999999,
    "release_id": 999999,
    "data_request": 999999,
    "kind": "x",
    "number": 999,
    "token": "not-a-token",
    "uidb64": "xx",
    "number_": 0,
    "key": "not-a-key",
}


def all_patterns() -> list[tuple[str, URLPattern]]:
    return [(name, pattern) for name, pattern in walk(get_resolver().url_patterns)]


def url(name: str, pattern: URLPattern, values: dict[str, object]) -> str:
    converters = pattern.pattern.converters
    return reverse(name, kwargs={key: values[key] for key in converters})


@pytest.mark.parametrize("who", ["owner", "other", "visitor", "sponsor contact"])
def test_no_page_answers_with_a_server_error(
    who: str, coach: User, other_coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    sent = signing.agreement_send(
        agreement=make_agreement(coach=coach, complete=True), coach=coach
    )
    first_signer = sent.signers.get(role="client")
    # A programme whose id is the agreement's, so that its pages are reached as the owner.
    make_programme(coach, pk=sent.agreement.pk, organisation=sent.agreement.organisation)
    contact = sent.agreement.sponsor_signatory
    assert contact is not None
    browsers: dict[str, Callable[[], HttpClient]] = {
        "owner": lambda: sign_in(coach),
        "other": lambda: sign_in(other_coach),
        "visitor": lambda: HttpClient(),
        "sponsor contact": lambda: portal_browser(contact),
    }
    http = browsers[who]()
    failures = []
    tried: set[str] = set()
    for name, pattern in all_patterns():
        for values in (
            {**ODD, "pk": sent.agreement.pk, "number": 1, "signer": first_signer.pk},
            ODD,
        ):
            if not pattern.pattern.converters and values is ODD:
                continue
            if name == "coaching:password-reset-confirm":
                values = {**values, "token": "set-password"}
            address = url(name, pattern, values)
            for method in ("get", "post"):
                response = getattr(http, method)(address, {"page": "-1", "q": "x" * 500})
                if response.status_code >= 500:
                    failures.append((method, address, response.status_code))
            tried.add(name)
    assert {"coaching:home", "contracts:agreement-detail", "contracts:sign"} <= tried
    assert {"contracts:portal-agreement", "contracts:portal-enter"} <= tried
    assert failures == []
