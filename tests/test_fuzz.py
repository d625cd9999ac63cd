"""No input gets a server error: generated text, any Unicode, NUL bytes, huge values, numbers
where text is expected, text where numbers are, and repeated fields, sent as the query of
every page and posted to every form, as the owner, as another coach, as a visitor, and
through each kind of emailed link with and without its code.

Each example sends every page one request per method with freshly drawn values; each
request runs in a transaction that is rolled back, so every one of them meets the same
agreements. (The test client re-raises a view's exception, so a crash fails too.)
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import product
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import Resolver404, URLPattern, get_resolver, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pytest_django import Settings

from coaching.models import Membership, ProfessionalBody, User
from contracts.drafting.builder import STEP_FORMS
from contracts.drafting.perspectives import Party
from contracts.drafting.services import template_create
from contracts.engagement.intake import services as intakes
from contracts.engagement.intake.questions import built_in_questions
from contracts.engagement.meetings import services as meetings
from contracts.engagement.notes import services as notes
from contracts.models import MeetingKind, PdfKind, RequestChannel, Signer, SignerRole
from contracts.reviews import services as reviews
from contracts.signing import services as signing
from contracts.sponsor.asking import request_receive
from contracts.sponsor.requests import services as releases
from tests.coaching.branding_helpers import brand_coach, jpeg, png, upload
from tests.conftest import make_agreement, make_client, make_coach, make_contact
from tests.contracts.documents.helpers import browser_past_the_code
from tests.contracts.signing_helpers import link_for, send_agreement
from tests.contracts.sponsor.portal.helpers import portal_browser, portal_path
from tests.contracts.sponsor.programmes.helpers import make_programme
from tests.html_forms import Field, forms
from tests.test_isolation import walk

pytestmark = pytest.mark.django_db

# Query parameters the views read, beside those of the pages' own search forms.
QUERY_NAMES = ["q", "status", "organisation", "page", "client", "from", "archived", "next"]
# Every value is text without surrogates (which no browser can send).
UNICODE = st.characters(codec="utf-8")
ODD = st.one_of(
    st.text(UNICODE, max_size=12),
    st.sampled_from(
        [
            *["", " ", "\x00", "a\x00b", "²", "١٢", "-1", "0", "01", "1e400", "NaN", "Infinity"],
            *["2027-02-30", "9999-12-31", "0001-01-01", "on", "None", "[]", "{}", "../"],
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(places=3).map(str),
    st.dates().map(str),
    st.just("x" * 100_000),
)
VALUE = st.one_of(ODD, st.lists(ODD, min_size=2, max_size=3))
MAX_EXAMPLES = {"owner": 4, "other coach": 3, "visitor": 3}
LINK_EXAMPLES = 12


@dataclass
class Route:
    name: str
    pattern: URLPattern
    # Values that reach something, for each argument of the URL.
    arguments: dict[str, list[Any]]
    # The fields that the pages' forms send to it, and the query parameters it takes.
    fields: dict[str, Field] = field(default_factory=dict)
    query: dict[str, Field] = field(default_factory=dict)

    def paths(self) -> Iterator[str]:
        names = list(self.pattern.pattern.converters)
        for values in product(*(self.arguments[name] for name in names)):
            yield reverse(self.name, kwargs=dict(zip(names, values, strict=True)))


@dataclass
class World:
    """One coach's practice, with agreements in each state and a link of each kind."""

    coach: User
    other: User
    tokens: dict[str, str]
    emails: dict[str, str]
    objects: dict[str, list[Any]]


def make_world() -> World:
    coach, other = make_coach(), make_coach(full_name="Blake Other")
    draft = make_agreement(coach=coach)
    private = make_agreement(coach=coach, sponsored=False, complete=True)
    pending = send_agreement(coach, require_email_code=True, observers=1)
    signed = send_agreement(coach, require_email_code=True)
    for person in signed.signers.exclude(role=SignerRole.OBSERVER):
        Signer.objects.filter(pk=person.pk).update(code_verified_at=timezone.now())
        signing.signer_sign(
            signer=Signer.objects.get(pk=person.pk),
            signature=signing.Signature(
                typed_name=person.name,
                intent="Sign",
                limits=[i["key"] for i in signed.snapshot["terms"]["confidentiality_limits"]],
                authority=person.role == SignerRole.SPONSOR,
            ),
        )
    meeting = meetings.meeting_plan(
        agreement=signed.agreement,
        coach=coach,
        kind=MeetingKind.MIDPOINT,
        starts_at=datetime(2027, 4, 6, 9, tzinfo=UTC),
        minutes=60,
        location="Room 4",
    )
    review = reviews.review_start(agreement=signed.agreement, coach=coach)
    reviews.review_still_holds(review=review, coach=coach)
    intake = intakes.intake_send(
        agreement=signed.agreement, coach=coach, questions=built_in_questions()
    )
    sponsor = signed.agreement.sponsor_signatory
    assert sponsor is not None
    asked = request_receive(
        agreement=signed.agreement,
        contact=sponsor,
        kind="progress",
        asked="How is it going?",
        channel=RequestChannel.COACH,
        actor="Coach",
    )
    release = releases.release_prepare(
        agreement=signed.agreement,
        coach=coach,
        title="Progress",
        body="Steady progress.",
        information_request=asked,
    )
    releases.release_to_client(release=release, coach=coach)
    observer = pending.signers.get(role=SignerRole.OBSERVER)
    emails = {
        "sign": pending.agreement.client.email,
        "copy": observer.email,
        "review": signed.agreement.client.email,
        "intake": signed.agreement.client.email,
        "decide": signed.agreement.client.email,
    }
    tokens = {
        "sign": link_for(emails["sign"]).split("/")[2],
        "copy": link_for(emails["copy"], "copy").split("/")[2],
        "review": _review_token(emails["review"]),
        "intake": _link_token(emails["intake"], "intake"),
        "decide": _link_token(emails["decide"], "decide"),
    }
    agreements = [draft, private, pending.agreement, signed.agreement]
    return World(
        coach=coach,
        other=other,
        tokens=tokens,
        emails=emails,
        objects={
            "coaching:client": [draft.client, make_client(coach=coach)],
            "contracts:client": [draft.client],
            "coaching:organisation": [draft.organisation],
            "coaching:contact": [make_contact(coach=coach)],
            "coaching:membership": [
                Membership.objects.create(coach=coach, body=ProfessionalBody.ICF)
            ],
            "contracts:template": [template_create(coach=coach, name="Mine")],
            "contracts:questionnaire": [intakes.questionnaire_create(coach=coach)],
            "contracts:note": [
                notes.note_write(agreement=signed.agreement, coach=coach, text="Private")
            ],
            "contracts:programme": [
                make_programme(coach, organisation=draft.organisation, budget_amount=None)
            ],
            "contracts": agreements,
            "signer": [s.pk for v in (pending, signed) for s in v.signers.all()],
            "intake": [intake.pk],
            "meeting": [meeting.pk],
            "brand_key": [brand_coach(coach).brand_key],
        },
    )


def _link_token(email: str, kind: str) -> str:
    from django.core import mail

    for message in reversed(mail.outbox):
        if email in message.to and (found := re.search(rf"/{kind}/([\w-]+)/", str(message.body))):
            return found.group(1)
    raise AssertionError(f"no {kind} link was emailed to {email}")


def _review_token(email: str) -> str:
    return _link_token(email, "review")


def _arguments(name: str, pattern: URLPattern, world: World, token: str) -> dict[str, list[Any]]:
    owned = next(
        (items for prefix, items in world.objects.items() if name.startswith(f"{prefix}")),
        world.objects["contracts"],
    )
    known: dict[str, list[Any]] = {
        "pk": [item.pk for item in owned],
        "step": list(STEP_FORMS),
        "party": [party.value for party in Party],
        "kind": [kind.value for kind in PdfKind],
        "signer": world.objects["signer"],
        "email": [1],
        "pdf": [1],
        "session": [1],
        "intake": world.objects["intake"],
        "meeting": world.objects["meeting"],
        "breach": [1],
        "request_id": [1],
        "release_id": [1],
        "data_request": [1],
        "number": [1],
        "token": [token],
        "uidb64": ["MQ"],
        "key": [world.objects["brand_key"][0]],
    }
    return {argument: known[argument] for argument in pattern.pattern.converters}


def routes_for(kind: str, world: World) -> list[Route]:
    """The pages a coach or a visitor reaches ("coach"), or those of one kind of link."""
    routes = []
    for name, pattern in walk(get_resolver().url_patterns):
        converters = pattern.pattern.converters
        link = "token" in converters and name != "coaching:password-reset-confirm"
        if kind == "coach" and not link:
            routes.append(Route(name, pattern, _arguments(name, pattern, world, "set-password")))
        elif link and str(pattern.pattern).startswith(f"{kind}/"):
            routes.append(
                Route(name, pattern, _arguments(name, pattern, world, world.tokens[kind]))
            )
    return routes


def discover(routes: list[Route], browser: HttpClient) -> None:
    """Read the forms of every page the browser reaches, and give each route the fields
    that are sent to it: its own forms' and those of other pages that post to it."""
    by_name = {route.name: route for route in routes}
    for route in routes:
        for path in route.paths():
            response = browser.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for (method, action), fields in forms(response.content.decode()).items():
                target = _route_name(action or path)
                if target not in by_name:
                    continue
                into = by_name[target].query if method == "get" else by_name[target].fields
                for name, found in fields.items():
                    known = into.setdefault(name, Field(name, found.kind))
                    known.sent += found.sent
                    known.options += found.options
    for route in routes:
        for name in QUERY_NAMES:
            route.query.setdefault(name, Field(name, "text"))


def _route_name(address: str) -> str:
    try:
        return resolve(urlsplit(address).path).view_name
    except Resolver404:
        return ""


def value_for(found: Field) -> st.SearchStrategy[str | list[str]]:
    offered = sorted(set(found.sent + found.options))
    return st.one_of(st.sampled_from(offered), VALUE) if offered else VALUE


def values_for(fields: dict[str, Field]) -> st.SearchStrategy[dict[str, str | list[str]]]:
    """Some of the fields, each with what the page offers or with anything at all, and
    sometimes a field no form has."""
    optional = {name: value_for(found) for name, found in fields.items()}
    known = st.fixed_dictionaries({}, optional=optional)
    unknown = st.dictionaries(st.text(UNICODE, min_size=1, max_size=8), VALUE, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, known, unknown)


def path_for(route: Route) -> st.SearchStrategy[str]:
    """A path that reaches something, or one with any arguments the pattern accepts."""
    converters = route.pattern.pattern.converters
    drawn = {
        name: st.one_of(
            st.sampled_from(route.arguments[name]),
            st.from_regex(converter.regex, fullmatch=True, alphabet=UNICODE),
        )
        for name, converter in converters.items()
    }
    return st.fixed_dictionaries(drawn).map(lambda kwargs: reverse(route.name, kwargs=kwargs))


def send(browser: HttpClient, method: str, path: str, query: dict[str, Any], data: Any) -> int:
    """One request, whose changes to the database and to the browser's cookies are undone."""
    cookies = copy.deepcopy(browser.cookies)
    try:
        with transaction.atomic():
            if method == "get":
                response = browser.get(path, query)
            else:
                address = f"{path}?{urlencode(query, doseq=True)}" if query else path
                response = browser.post(address, data)
            transaction.set_rollback(True)
    finally:
        browser.cookies = cookies
    return response.status_code


def fuzz(routes: list[Route], browser: HttpClient, *, examples: int) -> None:
    """`examples` generated requests of each method to each route: one search per route,
    so that every route gets its share whatever the others draw."""
    for route in routes:
        fuzz_route(route, browser, examples=examples)


def fuzz_route(route: Route, browser: HttpClient, *, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking: a failure is reported with the request that failed, at once.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def requests(data: st.DataObject) -> None:
        for method in ("get", "post"):
            path = data.draw(path_for(route), label=f"{method} {route.name}")
            query = data.draw(values_for(route.query), label="query")
            form = data.draw(values_for(route.fields), label="form") if method == "post" else {}
            status = send(browser, method, path, query, form)
            assert status < 500, (method, path, query, form)

    requests()


def queue_only(settings: Settings) -> None:
    """What the pages queue (a PDF to render, an email to send) is queued, not done."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.mark.parametrize("who", ["owner", "other coach", "visitor"])
def test_no_input_gets_a_server_error_from_a_coachs_page(who: str, settings: Settings) -> None:
    world = make_world()
    queue_only(settings)
    owner = HttpClient()
    owner.force_login(world.coach)
    routes = routes_for("coach", world)
    discover(routes, owner)
    browser = {"owner": owner, "other coach": HttpClient(), "visitor": HttpClient()}[who]
    if who == "other coach":
        browser.force_login(world.other)
    fuzz(routes, browser, examples=MAX_EXAMPLES[who])


@pytest.mark.parametrize("kind", ["sign", "copy", "review", "intake", "decide"])
@pytest.mark.parametrize("code", ["with the code", "without the code"])
def test_no_input_gets_a_server_error_through_a_link(
    kind: str, code: str, settings: Settings
) -> None:
    world = make_world()
    name = "contracts:review-confirm" if kind == "review" else f"contracts:{kind}"
    path = reverse(name, args=[world.tokens[kind]])
    with_code = browser_past_the_code(path, world.emails[kind])
    queue_only(settings)
    routes = routes_for(kind, world)
    discover(routes, with_code)
    browser = with_code if code == "with the code" else HttpClient()
    fuzz(routes, browser, examples=LINK_EXAMPLES)


def test_no_input_gets_a_server_error_in_the_sponsor_portal(settings: Settings) -> None:
    world = make_world()
    contact = world.objects["contracts"][3].sponsor_signatory
    queue_only(settings)
    browser = portal_browser(contact)
    HttpClient().post(reverse("contracts:portal"), {"email": contact.email})
    token = portal_path(contact.email).split("/")[3]
    routes = [
        Route(name, pattern, _arguments(name, pattern, world, token))
        for name, pattern in walk(get_resolver().url_patterns)
        if str(pattern.pattern).startswith("portal/")
    ]
    discover(routes, browser)
    fuzz(routes, browser, examples=LINK_EXAMPLES)


def _mutated(data: bytes, flips: list[tuple[int, int]], cut: int) -> bytes:
    damaged = bytearray(data)
    for position, value in flips:
        damaged[position % len(damaged)] = value
    return bytes(damaged[: max(1, cut)])


LOGO_BYTES = st.one_of(
    st.binary(max_size=2048),
    st.builds(
        _mutated,
        st.sampled_from([png(40, 20), jpeg(40, 20), png(3001, 16), jpeg(17, 17)]),
        st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
        st.integers(1, 20_000),
    ),
)


def test_no_uploaded_logo_gets_a_server_error() -> None:
    """Any bytes as a logo, however damaged, with any colour: refused or kept, never a 500."""
    coach = make_coach()
    browser = HttpClient()
    browser.force_login(coach)
    address = reverse("coaching:branding")

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        data=LOGO_BYTES,
        name=st.sampled_from(["logo.png", "logo.jpg", "logo.svg", "logo", "../../x.png"]),
        color=ODD,
        remove=st.booleans(),
    )
    def uploads(data: bytes, name: str, color: str | list[str], remove: bool) -> None:
        form = {"logo": upload(data, name), "brand_color": color}
        if remove:
            form["remove_logo"] = "on"
        status = send(browser, "post", address, {}, form)
        assert status < 500, (name, data[:40], color)

    uploads()
