"""Every URL that names an object answers 404 to any coach but its owner."""

from collections.abc import Callable, Iterator

import pytest
from allauth.usersessions.models import UserSession
from django.db import models
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from pytest_django import Settings

from coaching.models import Membership, ProfessionalBody, User
from contracts.drafting.services import template_create
from contracts.engagement.intake.questions import built_in_questions
from contracts.engagement.intake.services import intake_send, questionnaire_create
from contracts.engagement.notes import services as notes
from contracts.models import (
    AgreementPdf,
    CoachingSession,
    DataRequest,
    DataRequestChannel,
    DataRequestKind,
    LegalHold,
    RequestChannel,
)
from contracts.signing import services as signing
from contracts.sponsor.asking import request_receive
from contracts.sponsor.log.services import BreachData, breach_record
from contracts.sponsor.requests.services import release_prepare
from tests.conftest import make_agreement, make_client, make_contact, make_organisation
from tests.contracts.engagement.sessions.helpers import in_force
from tests.contracts.sponsor.programmes.helpers import make_programme

pytestmark = pytest.mark.django_db


def _agreement_with_an_intake(coach: User) -> models.Model:
    version = signing.agreement_send(
        agreement=make_agreement(coach=coach, complete=True), coach=coach
    )
    intake_send(agreement=version.agreement, coach=coach, questions=built_in_questions())
    return version.agreement


def _agreement_with_a_breach(coach: User) -> models.Model:
    agreement = in_force(coach)
    breach_record(
        agreement=agreement,
        coach=coach,
        data=BreachData(
            limit_key="harm",
            occurred_on=timezone.localdate(),
            client_told_first=True,
            not_told_reason="",
            consulted=[],
            disclosed="The minimum",
            disclosed_to="Security",
            disclosed_to_email="",
            disclosed_how="Phone",
            disclosed_at=timezone.now(),
            follow_up="",
            hidden_from_client_reason="",
        ),
    )
    return agreement


def _agreement_with_a_pdf(coach: User) -> models.Model:
    agreement = make_agreement(coach=coach)
    AgreementPdf.objects.create(agreement=agreement, kind="draft", paper_size="a4")
    return agreement


def _agreement_with_a_release(coach: User) -> models.Model:
    version = in_force(coach).version_in_force()
    assert version is not None and version.agreement.sponsor_signatory is not None
    item = request_receive(
        agreement=version.agreement,
        contact=version.agreement.sponsor_signatory,
        kind="attendance",
        asked="Attendance",
        channel=RequestChannel.COACH,
        actor="Coach",
    )
    release_prepare(
        agreement=version.agreement,
        coach=coach,
        title="Attendance",
        body="Sessions held: 1.",
        information_request=item,
    )
    return version.agreement


def _client_with_an_erasure_request(coach: User) -> models.Model:
    client = make_client(coach=coach)
    DataRequest.objects.create(
        coach=coach,
        client=client,
        kind=DataRequestKind.ERASURE,
        channel=DataRequestChannel.COACH,
        due_on=timezone.localdate(),
    )
    return client


# URL name prefix -> how to make the object of that kind for a coach.
OWNED_OBJECTS: dict[str, Callable[[User], models.Model]] = {
    "coaching:client-": lambda coach: make_client(coach=coach),
    "coaching:organisation-": lambda coach: make_organisation(coach=coach),
    "coaching:contact-": lambda coach: make_contact(coach=coach),
    "coaching:membership-": lambda coach: Membership.objects.create(
        coach=coach, body=ProfessionalBody.ICF
    ),
    # The most specific prefix first: a version exists only once an agreement is sent.
    "contracts:agreement-version": lambda coach: (
        signing.agreement_send(
            agreement=make_agreement(coach=coach, complete=True), coach=coach
        ).agreement
    ),
    "contracts:agreement-intake-": lambda coach: _agreement_with_an_intake(coach),
    "contracts:agreement-breach": lambda coach: _agreement_with_a_breach(coach),
    "contracts:agreement-request": lambda coach: _agreement_with_a_release(coach),
    "contracts:agreement-release": lambda coach: _agreement_with_a_release(coach),
    "contracts:agreement-": lambda coach: make_agreement(coach=coach),
    "contracts:coach-sign": lambda coach: make_agreement(coach=coach),
    "contracts:signer-resend": lambda coach: make_agreement(coach=coach),
    "contracts:email-": lambda coach: make_agreement(coach=coach),
    "contracts:engagement": lambda coach: make_agreement(coach=coach),
    "contracts:pdf-retry": lambda coach: make_agreement(coach=coach),
    "contracts:pdf-status": lambda coach: _agreement_with_a_pdf(coach),
    "contracts:programme-": lambda coach: make_programme(coach),
    "contracts:review": lambda coach: make_agreement(coach=coach),
    "contracts:meeting": lambda coach: make_agreement(coach=coach),
    "contracts:template-": lambda coach: template_create(coach=coach, name="Mine"),
    "contracts:client-data-request-": lambda coach: _client_with_an_erasure_request(coach),
    "contracts:client-": lambda coach: make_client(coach=coach),
    # Sessions: an agreement in force with one session whose id is the agreement's too,
    # since each URL argument takes the owned object's id.
    "contracts:session": lambda coach: agreement_with_session(coach),
    "contracts:questionnaire-": lambda coach: questionnaire_create(coach=coach),
    "contracts:note-": lambda coach: notes.note_write(
        agreement=make_agreement(coach=coach), coach=coach, text="Private"
    ),
    # The coach's signed-in sessions.
    "coaching:session-": lambda coach: UserSession.objects.create(
        user=coach, ip="192.0.2.1", session_key=f"isolation{coach.pk}", user_agent="Firefox"
    ),
    "contracts:records-hold-": lambda coach: LegalHold.objects.create(
        coach=coach, client=make_client(coach=coach), reason="A complaint"
    ),
}
# Values for the URL arguments that are not the object's id (or how to find them from it).
OTHER_ARGUMENTS: dict[str, object] = {
    "step": "roles",
    "party": "client",
    "signer": 1,
    "kind": "draft",
    "number": 1,
    "email": 1,
    "pdf": lambda agreement: agreement.pdfs.values_list("pk", flat=True).first() or 1,
    "intake": lambda agreement: agreement.intakes.get().pk,
    "meeting": 1,
    "breach": lambda agreement: agreement.breaches.get().pk,
    "request_id": lambda agreement: agreement.requests.get().pk,
    "release_id": lambda agreement: agreement.releases.get().pk,
    "data_request": lambda client: client.data_requests.get().pk,
}
# Patterns whose arguments are not an owned object's id: secrets sent by email.
NOT_OWNED = {
    "coaching:password-reset-confirm",
    "contracts:sign",
    "contracts:sign-code",
    "contracts:sign-verify",
    "contracts:sign-decline",
    "contracts:copy",
    "contracts:sign-pdf",
    "contracts:copy-pdf",
    "contracts:copy-code",
    "contracts:copy-verify",
    "contracts:copy-current",
    "contracts:review-code",
    "contracts:review-verify",
    "contracts:review-confirm",
    "contracts:copy-log-consent",
    "contracts:intake",
    "contracts:intake-code",
    "contracts:intake-verify",
    # The sponsor portal: its pages take the contact from the portal visit, not a coach's
    # sign-in (tests/contracts/sponsor/portal checks who sees what).
    "contracts:portal-enter",
    "contracts:portal-agreement",
    "contracts:portal-ask",
    "contracts:portal-release-pdf",
    "contracts:decide",
    "contracts:decide-code",
    "contracts:decide-verify",
    "contracts:release-copy",
    "contracts:release-copy-pdf",
    # A practice's logo and colours: public, named by a random key (tests/coaching/test_branding).
    "coaching:brand-css",
    "coaching:brand-logo",
    "contracts:copy-my-data",
    "contracts:copy-my-data-code",
    "contracts:copy-my-data-verify",
}


def agreement_with_session(coach: User) -> models.Model:
    agreement = in_force(coach)
    version = agreement.version_in_force()
    assert version is not None
    CoachingSession.objects.create(
        pk=agreement.pk,
        agreement=agreement,
        version=version,
        starts_at=timezone.now(),
        minutes=60,
        format="video",
        status="planned",
    )
    return agreement


def walk(
    resolvers: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        # Regular-expression patterns (allauth's emailed-link and sign-on pages) and patterns
        # below an include that takes an argument (allauth's passkey pages) do not show their
        # arguments here: tests/coaching checks them by hand.
        if isinstance(entry.pattern, RegexPattern) or (
            isinstance(entry, URLResolver) and entry.pattern.converters
        ):
            continue
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.namespace == "admin":
                continue
            yield from walk(entry.url_patterns, namespace)
        elif entry.name:
            yield f"{prefix}{entry.name}", entry


def patterns_with_ids() -> list[str]:
    return sorted(
        name
        for name, pattern in walk(get_resolver().url_patterns)
        if "pk" in pattern.pattern.converters and name not in NOT_OWNED
    )


def url_for(url_name: str, owned: models.Model) -> str:
    pattern = dict(walk(get_resolver().url_patterns))[url_name]
    values = {name: OTHER_ARGUMENTS.get(name, owned.pk) for name in pattern.pattern.converters}
    kwargs = {name: value(owned) if callable(value) else value for name, value in values.items()}
    return reverse(url_name, kwargs=kwargs)


def test_every_pattern_with_arguments_takes_an_owned_id() -> None:
    with_arguments = {
        name
        for name, pattern in walk(get_resolver().url_patterns)
        if pattern.pattern.converters and name not in NOT_OWNED
    }
    assert with_arguments == set(patterns_with_ids())


def test_every_pattern_with_an_id_is_covered_here() -> None:
    uncovered = [
        name
        for name in patterns_with_ids()
        if not any(name.startswith(prefix) for prefix in OWNED_OBJECTS)
    ]
    assert uncovered == [], "add these URL names to OWNED_OBJECTS"
    unreached = [
        prefix
        for prefix in OWNED_OBJECTS
        if not any(name.startswith(prefix) for name in patterns_with_ids())
    ]
    assert unreached == [], "every kind of owned object has URLs checked here"


@pytest.mark.parametrize("url_name", patterns_with_ids())
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_coach_gets_404(
    url_name: str,
    method: str,
    coach: User,
    other_coach: User,
    sign_in: Callable[[User], HttpClient],
) -> None:
    maker = next(make for prefix, make in OWNED_OBJECTS.items() if url_name.startswith(prefix))
    owned = maker(coach)
    url = url_for(url_name, owned)

    response = getattr(sign_in(other_coach), method)(url, {"archived": "1", "name": "x"})

    # Only a page that takes no GET may answer 405; anything sent by POST is refused as 404.
    assert (method, response.status_code) in {("get", 404), ("get", 405), ("post", 404)}
    owned.refresh_from_db()
    assert getattr(owned, "archived_at", None) is None
    assert getattr(owned, "name", "untouched") != "x"


@pytest.mark.parametrize("url_name", patterns_with_ids())
def test_the_owner_reaches_the_same_urls(
    url_name: str, coach: User, sign_in: Callable[[User], HttpClient], settings: Settings
) -> None:
    # Who reaches what is the question here, not rendering: a PDF asked for is queued (202).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    maker = next(make for prefix, make in OWNED_OBJECTS.items() if url_name.startswith(prefix))
    owned = maker(coach)
    response = sign_in(coach).get(url_for(url_name, owned))
    assert response.status_code in {200, 202, 302, 405}


def test_signed_out_visitors_are_sent_to_sign_in(coach: User) -> None:
    client = make_client(coach=coach)
    response = HttpClient().get(reverse("coaching:client-detail", args=[client.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("coaching:login"))
