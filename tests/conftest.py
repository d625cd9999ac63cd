import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.test import RequestFactory
from pytest_django import Settings

from coaching import services as coaching_services
from coaching.models import Client, ContactRole, Organisation, SponsorContact, User
from contracts.documents.seal import create_seal_certificate
from contracts.drafting import services
from contracts.models import Agreement, FeeBasis

PASSWORD = "a-long-test-password-42"
_sequence = count(1)


def make_coach(*, email: str | None = None, full_name: str = "Casey Coach") -> User:
    return coaching_services.coach_sign_up(
        email=email or f"coach{next(_sequence)}@example.com",
        password=PASSWORD,
        full_name=full_name,
        practice_name=f"{full_name} Coaching",
    )


def make_organisation(*, coach: User, name: str | None = None) -> Organisation:
    return Organisation.objects.create(coach=coach, name=name or f"Org {next(_sequence)} Ltd")


def make_contact(
    *,
    coach: User,
    organisation: Organisation | None = None,
    email: str | None = None,
    name: str = "Harper HR",
) -> SponsorContact:
    return SponsorContact.objects.create(
        coach=coach,
        organisation=organisation or make_organisation(coach=coach),
        name=name,
        email=email or f"contact{next(_sequence)}@sponsor.example",
        role=ContactRole.HR,
    )


def make_client(
    *,
    coach: User,
    organisation: Organisation | None = None,
    email: str | None = None,
    name: str = "Jamie Client",
) -> Client:
    return Client.objects.create(
        coach=coach,
        organisation=organisation,
        name=name,
        email=email or f"client{next(_sequence)}@example.com",
    )


def make_agreement(
    *,
    coach: User,
    client: Client | None = None,
    sponsored: bool = True,
    complete: bool = False,
    **fields: Any,
) -> Agreement:
    """A draft from the built-in template; with complete=True, one that passes every check."""
    if client is None:
        organisation = None
        if sponsored:
            organisation = make_organisation(coach=coach)
            make_contact(coach=coach, organisation=organisation, name="Harper HR")
        client = make_client(coach=coach, organisation=organisation)
    agreement = services.agreement_create(coach=coach, client=client, template=None)
    if complete:
        agreement.goals = [{"goal": "Lead the new team with confidence", "measure": "360 pulse"}]
        agreement.start_date = date(2027, 1, 11)
        agreement.end_date = date(2027, 7, 9)
        agreement.review_date = date(2027, 4, 12)
        agreement.fee_basis = FeeBasis.PACKAGE
        agreement.fee_amount = Decimal("4800.00")
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.save()
    return agreement


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests start first, so that no worker ends the run with one of them alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """allauth counts some of its rate limits and used codes in the cache, and signing
    pages are kept there: each test starts with none, as a fresh process would."""
    for each in caches.all():
        each.clear()


@pytest.fixture(scope="session")
def seal_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("seal")
    key, cert = folder / "seal-key.pem", folder / "seal-cert.pem"
    create_seal_certificate(key_file=key, cert_file=cert, common_name="Test seal")
    return key, cert


@pytest.fixture(autouse=True)
def isolated_files(settings: Settings, tmp_path: Path, seal_files: tuple[Path, Path]) -> None:
    """Every test writes PDFs to its own folder and seals with the test certificate."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SEAL_KEY_FILE, settings.SEAL_CERT_FILE = seal_files


@pytest.fixture
def coach(db: None) -> User:
    return make_coach(full_name="Alex Morgan")


@pytest.fixture
def other_coach(db: None) -> User:
    return make_coach(full_name="Blake Other")


def record_sign_in(
    http: HttpClient, user: User, *, method: str = "password", **extra: object
) -> None:
    """Note in the browser's session that the coach just proved who they are, as signing in
    through the pages does (`force_login` does not): pages that ask for a fresh sign-in
    (private notes, exports) then open at once."""
    session = http.session
    records = list(session.get("account_authentication_methods", []))
    records.append({"method": method, "at": time.time(), **extra})
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def signed_in(coach: User) -> HttpClient:
    http = HttpClient()
    http.force_login(coach)
    record_sign_in(http, coach)
    return http


@pytest.fixture
def sign_in() -> Callable[[User], HttpClient]:
    def _sign_in(user: User) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        record_sign_in(http, user)
        return http

    return _sign_in


def leave_message(http: HttpClient, text: str) -> None:
    """A message waiting for this browser's next page, as a view leaves one."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(message_levels.INFO, text)
    carrier = HttpResponse()
    storage.update(carrier)
    http.cookies["messages"] = carrier.cookies["messages"].value
