"""The client's and sponsor's signing page: the agreement in brief, one confirmation per
limit and per recipient, errors where the eye is, and amendments confirmed by what changed."""

import base64
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape
from PIL import Image, ImageDraw

from coaching.models import User
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    AuditEvent,
    AuditEventKind,
    SignerRole,
    SignerStatus,
)
from contracts.reviews import services as reviews
from contracts.signing import services as signing
from contracts.signing.disclosure import DISCLOSURE_VERSION
from contracts.terms import InformationKind, Recipient
from tests.contracts.signing_helpers import (
    confirmations,
    link_for,
    send_agreement,
    sign_as_coach,
    sign_by_link,
    signer,
    sponsor_email,
)

pytestmark = pytest.mark.django_db

RULES_PER_RECIPIENT = len(InformationKind)


class SigningFormParser(HTMLParser):
    """The controls of the signing form (the one posting to the page itself), as a
    browser sees them: inputs with their attributes, and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.inputs: list[dict[str, str]] = []
        self.submits = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and "signing-form" in found.get("class", ""):
            self.depth = 1
        elif tag == "form":
            self.depth = 0
        if not self.depth:
            return
        if tag in {"input", "textarea", "select"}:
            self.inputs.append({"tag": tag, **found})
        if tag == "button" and found.get("type", "submit") == "submit":
            self.submits += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.depth = 0


def signing_form(page: str) -> SigningFormParser:
    parser = SigningFormParser()
    parser.feed(page)
    return parser


def interactions(page: str) -> int:
    """What a signer must do on the page: every input they must fill in or tick, and the
    button. (The drawn signature is optional and hidden; the token is not theirs to give.)"""
    form = signing_form(page)
    required = [
        control
        for control in form.inputs
        if "required" in control and control.get("type") != "hidden"
    ]
    return len(required) + form.submits


def boxes(page: str) -> list[str]:
    return [c["name"] for c in signing_form(page).inputs if c.get("type") == "checkbox"]


def drawing_url() -> str:
    image = Image.new("RGBA", (600, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(60, 110), (300, 40), (540, 75)], fill=(29, 42, 68, 255), width=4)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return "data:image/png;base64," + base64.b64encode(output.getvalue()).decode()


def test_the_default_agreement_needs_at_most_12_interactions_from_the_client(coach: User) -> None:
    version = send_agreement(coach)
    page = HttpClient().get(link_for(version.agreement.client.email)).content.decode()

    count = interactions(page)

    print(f"Interactions the client needs to sign the default three-way agreement: {count}")
    limits = len(version.snapshot["terms"]["confidentiality_limits"])
    assert count == limits + len(Recipient) + 2, "each limit, each recipient, name, button"
    assert count <= 12


def test_the_sponsor_needs_no_more_interactions_than_the_client(coach: User) -> None:
    version = send_agreement(coach)
    client_page = HttpClient().get(link_for(version.agreement.client.email)).content.decode()
    sponsor_page = HttpClient().get(link_for(sponsor_email(version))).content.decode()
    assert interactions(sponsor_page) == interactions(client_page) <= 12


def test_the_page_opens_with_the_agreement_in_brief_then_the_full_text_in_closed_sections(
    coach: User,
) -> None:
    version = send_agreement(coach)
    page = HttpClient().get(link_for(version.agreement.client.email)).content.decode()

    brief = page.index("The agreement in brief")
    assert brief < page.index("What your line manager will and will not receive")
    assert page.index("What your line manager will and will not receive") < page.index(
        "The full agreement"
    )
    for words in ["11 January 2027 to 9 July 2027", "6 sessions", "4,800.00 GBP"]:
        assert brief < page.index(words) < page.index("The full agreement"), words
    assert "Jamie Client (you)" in page
    full_text = page[page.index("The full agreement") :]
    assert full_text.count("<details>") == 12, "every section opens and closes"
    assert "<details open" not in full_text
    token = link_for(version.agreement.client.email).split("/")[2]
    assert f'href="{reverse("contracts:sign-pdf", args=[token])}"' in page


def test_each_recipient_has_its_table_and_one_confirmation(coach: User) -> None:
    version = send_agreement(coach)
    org = version.snapshot["sponsor"]
    assert org is not None
    page = HttpClient().get(link_for(version.agreement.client.email)).content.decode()

    assert boxes(page) == [
        "share_sponsor",
        "share_line_manager",
        *(f"limit_{item['key']}" for item in version.snapshot["terms"]["confidentiality_limits"]),
    ]
    table = page[page.index(f"What {org['name']}&#x27;s HR contact will and will not receive") :]
    table = table[: table.index("</table>")]
    for kind in InformationKind:
        assert table.count(f"<li>{escape(kind.label)}</li>") == 1, kind.label
    rows = re.findall(r'<th scope="row">(.*?)</th>', table)
    assert rows == [
        'Yes, routinely<span class="sign-details">By email, monthly, prepared by the coach</span>',
        'Only with your written consent, each time<span class="sign-details">At a three-way '
        "meeting, at the midpoint and at the end, prepared by you</span>",
        "No, never",
    ], "one row for each way of sharing, each kind of information in one of them"
    assert f"I understand what {org['name']}&#x27;s HR contact will and will not receive." in page


def test_disclosure_and_authority_are_in_the_words_by_the_button_not_ticked(coach: User) -> None:
    version = send_agreement(coach)
    org = version.snapshot["sponsor"]
    assert org is not None
    page = HttpClient().get(link_for(sponsor_email(version))).content.decode()

    assert not {"disclosure", "authority"} & set(boxes(page))
    statement = page[page.index('id="sign-statement"') : page.index("Sign the agreement</button>")]
    assert "you agree to receive and sign this agreement electronically" in statement
    assert f"you confirm that you are authorised to sign it for {org['name']}" in statement
    assert "Using electronic records and signatures" in statement, "the disclosure is at hand"
    client_page = HttpClient().get(link_for(version.agreement.client.email)).content.decode()
    assert "authorised to sign" not in client_page


def test_the_evidence_names_the_disclosure_the_authority_and_every_rule_confirmed(
    coach: User,
) -> None:
    version = send_agreement(coach)
    sponsor = signer(version, SignerRole.SPONSOR)
    assert sign_by_link(link_for(sponsor.email), name="Harper HR").status_code == 302

    sponsor.refresh_from_db()
    events = AuditEvent.objects.filter(signer=sponsor)
    assert events.get(kind=AuditEventKind.DISCLOSURE_ACCEPTED).data == {
        "disclosure_version": DISCLOSURE_VERSION
    }
    assert sponsor.disclosure_version == DISCLOSURE_VERSION
    assert events.filter(kind=AuditEventKind.AUTHORITY_CONFIRMED).count() == 1
    assert sponsor.authority_confirmed_at is not None
    limits = [item["key"] for item in version.snapshot["terms"]["confidentiality_limits"]]
    assert [e.data["limit"] for e in events.filter(kind=AuditEventKind.LIMIT_CONFIRMED)] == limits
    sharing = [e.data for e in events.filter(kind=AuditEventKind.SHARING_CONFIRMED)]
    assert [item["recipient"] for item in sharing] == ["sponsor", "line_manager"]
    for item in sharing:
        assert item["rules"] == [f"{kind}.{item['recipient']}" for kind in InformationKind]
    assert len(sponsor.confirmations) == len(limits) + 2 * RULES_PER_RECIPIENT
    signed = events.get(kind=AuditEventKind.SIGNED).data
    assert "authorised to sign it for" in signed["statement"]
    assert "unchanged_since" not in signed


def test_a_failed_submit_lists_each_problem_at_the_top_with_a_link_to_its_field(
    coach: User,
) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    http = HttpClient()
    data = confirmations(http, path)
    data.pop("limit_harm")

    response = http.post(path, {**data, "typed_name": ""})

    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('id="error-summary"') - 80 :]
    summary = summary[: summary.index("</div>")]
    assert 'class="alert alert-danger error-summary" role="alert" tabindex="-1"' in summary
    assert "There is a problem" in summary
    assert "2 things to put right" in summary
    links = re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("#id_limit_harm", "Confirm that you understand this limit: Risk of serious harm."),
        ("#id_typed_name", "Type your full name: it is your signature."),
    ]
    assert page.index("error-summary") < page.index("The agreement in brief"), "at the top"
    for field, message in links:
        at_field = page[page.index(f'id="{field[1:]}_error"') :]
        assert at_field[: at_field.index("</div>")].count(message) == 1, "also at the field"
    assert "error-summary.js" in page
    assert signer(version, SignerRole.CLIENT).status == SignerStatus.INVITED


def test_a_failed_submit_keeps_every_tick_the_typed_name_and_the_drawing(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    http = HttpClient()
    data = confirmations(http, path)
    data.pop("share_line_manager")
    drawn = drawing_url()

    page = http.post(
        path, {**data, "typed_name": "Jamie Client", "drawn_signature": drawn}
    ).content.decode()

    controls = {c.get("name"): c for c in signing_form(page).inputs}
    for name in data:
        assert "checked" in controls[name], f"{name} stays ticked"
    assert "checked" not in controls["share_line_manager"]
    assert controls["typed_name"]["value"] == "Jamie Client"
    assert controls["drawn_signature"]["value"] == drawn, "the drawing comes back to be shown"


def test_the_signature_is_made_with_what_is_posted_only(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    http = HttpClient()
    data = confirmations(http, path)
    first = http.post(path, {**data, "typed_name": "", "drawn_signature": drawing_url()})
    assert first.status_code == 400

    # The signer cleared the drawing: the pad sends nothing.
    assert (
        http.post(path, {**data, "typed_name": "Jamie Client", "drawn_signature": ""}).status_code
        == 302
    )

    client = signer(version, SignerRole.CLIENT)
    assert client.status == SignerStatus.SIGNED
    assert client.drawn_signature is None


def test_a_decline_without_a_reason_asks_for_it_in_view(coach: User) -> None:
    version = send_agreement(coach)
    token = link_for(version.agreement.client.email).split("/")[2]

    response = HttpClient().post(reverse("contracts:sign-decline", args=[token]), {"reason": ""})

    assert response.status_code == 400
    page = response.content.decode()
    decline = page[page.rindex("I do not want to sign this agreement") - 200 :]
    assert "<details" not in decline[: decline.index('name="reason"')], "not folded away"
    assert 'id="error-summary"' in decline
    assert re.search(r'<a href="#id_reason">Tell the coach why', decline)
    assert page.count('id="error-summary"') == 1
    assert signer(version, SignerRole.CLIENT).status == SignerStatus.INVITED


def test_without_a_failed_decline_the_decline_part_stays_folded(coach: User) -> None:
    version = send_agreement(coach)
    page = HttpClient().get(link_for(version.agreement.client.email)).content.decode()
    decline = page[page.rindex("<details") :]
    assert "I do not want to sign this agreement" in decline
    assert 'name="reason"' in decline
    assert 'id="error-summary"' not in page


def test_the_coach_sign_page_has_the_error_summary_too(coach: User, signed_in: HttpClient) -> None:
    version = send_agreement(coach)
    response = signed_in.post(
        reverse("contracts:coach-sign", args=[version.agreement.pk]), {"typed_name": "A"}
    )
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "2 things to put right" in page
    assert 'href="#id_disclosure"' in page and 'href="#id_typed_name"' in page
    assert signer(version, SignerRole.COACH).status == SignerStatus.INVITED


# Amendments: a party who signed an earlier version confirms only what changed.


def signed_by_all(coach: User, http: HttpClient) -> Agreement:
    version = send_agreement(coach)
    agreement = version.agreement
    sign_by_link(link_for(agreement.client.email), name="Jamie Client")
    sign_by_link(link_for(sponsor_email(version)), name="Harper HR")
    sign_as_coach(http, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    return agreement


def amend(agreement: Agreement, coach: User, **changes: Any) -> AgreementVersion:
    review = reviews.review_start(agreement=agreement, coach=coach)
    agreement = reviews.review_amend(review=review, coach=coach)
    for name, value in changes.items():
        setattr(agreement, name, value)
    agreement.save()
    mail.outbox.clear()
    return signing.agreement_send(agreement=agreement, coach=coach)


def test_an_amendment_shows_what_changed_and_asks_to_confirm_only_that(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = signed_by_all(coach, signed_in)
    sharing = agreement.sharing_matrix
    sharing["attendance"]["line_manager"]["method"] = "report"
    limits = [*agreement.limit_items]
    limits.append({"key": "custom-1", "title": "Code of conduct", "wording": "Serious breaches."})
    second = amend(agreement, coach, sharing=sharing, confidentiality_limits=limits)
    path = link_for(agreement.client.email)

    page = HttpClient().get(path).content.decode()

    assert page.index("What changed since the version you signed") < page.index(
        "The agreement in brief"
    )
    changes = page[: page.index("The agreement in brief")]
    assert "Shared: Attendance and session dates with the line manager" in changes
    assert "by a written report" in changes and "Code of conduct" in changes
    assert boxes(page) == ["share_line_manager", "limit_custom-1"]
    assert "Unchanged since version 1, which you signed" in page

    response = HttpClient().post(
        path, {"share_line_manager": "on", "limit_custom-1": "on", "typed_name": "Jamie Client"}
    )
    assert response.status_code == 302
    client = signer(second, SignerRole.CLIENT)
    events = AuditEvent.objects.filter(signer=client)
    assert [e.data["limit"] for e in events.filter(kind=AuditEventKind.LIMIT_CONFIRMED)] == [
        "custom-1"
    ]
    assert [e.data["recipient"] for e in events.filter(kind=AuditEventKind.SHARING_CONFIRMED)] == [
        "line_manager"
    ]
    unchanged = events.get(kind=AuditEventKind.SIGNED).data["unchanged_since"]
    assert unchanged["version"] == 1
    assert unchanged["recipients"] == ["sponsor"]
    assert "harm" in unchanged["limits"] and "custom-1" not in unchanged["limits"]
    assert events.filter(kind=AuditEventKind.DISCLOSURE_ACCEPTED).exists()


def test_an_amendment_that_changes_no_limit_or_rule_asks_for_no_ticks(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = signed_by_all(coach, signed_in)
    amend(agreement, coach, session_count=8)
    path = link_for(agreement.client.email)

    page = HttpClient().get(path).content.decode()

    assert "Number of sessions" in page[: page.index("The agreement in brief")]
    assert boxes(page) == []
    assert interactions(page) == 2, "the name and the button"
    assert HttpClient().post(path, {"typed_name": "Jamie Client"}).status_code == 302


def test_someone_new_in_a_role_confirms_everything(coach: User, signed_in: HttpClient) -> None:
    agreement = signed_by_all(coach, signed_in)
    client = agreement.client
    client.email = "jamie.elsewhere@example.com"
    client.save()
    amend(agreement, coach, session_count=8)

    page = HttpClient().get(link_for(client.email)).content.decode()

    assert "What changed since the version you signed" not in page
    assert len(boxes(page)) == len(agreement.limit_items) + len(Recipient)
