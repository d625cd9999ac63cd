"""The emails about an agreement: what each one says, and what its subject never reveals.

Subjects show on lock screens and in shared inboxes, so they name the coach and the
practice only: never the client, the sponsor, the agreement's title or a code.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from coaching.emails import send_email

COACH = "Alex Morgan"
COACH_EMAIL = "alex@morgan-coaching.example"
PRACTICE = "Morgan Leadership Coaching"
CLIENT = "Jamie Rivers"
CLIENT_EMAIL = "jamie.rivers@example.com"
SPONSOR = "Northwind Logistics Ltd"
SPONSOR_SIGNATORY = "Harper Hughes"
LINE_MANAGER = "Robin Ashdown"
TITLE = "Leadership coaching for the new operations director"
REFERENCE = "AM-2027-014"
FINGERPRINT = "3F9A 07C2 B1E4"
CODE = "482913"
SIGN_LINK = "http://testserver/sign/kZ3v0yN8Qe1pLr7TtW4sXb2cHf9mJd6a/"
COPY_LINK = "http://testserver/copy/Qp4mW8zTn1yR6vLk0sXe3cJb7hGd2aFu/"
APP_LINK = "http://testserver/agreements/14/"
COACH_SIGN_LINK = "http://testserver/agreements/14/sign/"
EXPIRES_AT = datetime(2027, 2, 9, 12, 0, tzinfo=UTC)
REASON = "The goals do not reflect what we agreed in the chemistry session."
INJECTED = "<script>alert('x')</script>"


@dataclass(frozen=True)
class Spec:
    role: str
    link: str | None
    button: bool
    reply_to: str | None


# Who receives each email and what it carries, as contracts/emails.py sends it.
EMAILS: dict[str, Spec] = {
    "signing-invitation": Spec("client", SIGN_LINK, button=True, reply_to=COACH_EMAIL),
    "signing-reminder": Spec("client", SIGN_LINK, button=True, reply_to=COACH_EMAIL),
    "signing-copy": Spec("observer", COPY_LINK, button=True, reply_to=COACH_EMAIL),
    "signing-code": Spec("client", None, button=False, reply_to=None),
    "signing-completed": Spec("client", COPY_LINK, button=True, reply_to=COACH_EMAIL),
    "signing-voided": Spec("client", None, button=False, reply_to=COACH_EMAIL),
    "signing-declined": Spec("client", APP_LINK, button=True, reply_to=None),
    "signing-coach-turn": Spec("coach", COACH_SIGN_LINK, button=True, reply_to=None),
    "signing-declined-notice": Spec("client", None, button=False, reply_to=COACH_EMAIL),
}

ROLE_LABELS = {
    "client": "Client",
    "sponsor": "Sponsor",
    "coach": "Coach",
    "observer": "Kept informed",
}


def person(role: str, *, client: str = CLIENT, signatory: str = SPONSOR_SIGNATORY) -> Any:
    name = {"client": client, "sponsor": signatory, "coach": COACH, "observer": LINE_MANAGER}
    return SimpleNamespace(
        name=name[role],
        email=f"{role}@example.com",
        role=role,
        get_role_display=ROLE_LABELS[role],
    )


def make_context(
    name: str,
    *,
    role: str | None = None,
    client: str = CLIENT,
    sponsor: str = SPONSOR,
    signatory: str = SPONSOR_SIGNATORY,
    title: str = TITLE,
    reason: str = REASON,
    **overrides: Any,
) -> dict[str, Any]:
    """What contracts/emails.py passes for this email, without the database."""
    spec = EMAILS[name]
    role = role or spec.role
    context: dict[str, Any] = {
        "signer": person(role, client=client, signatory=signatory),
        "role": role,
        "is_client": role == "client",
        "is_sponsor": role == "sponsor",
        "is_coach": role == "coach",
        "is_observer": role == "observer",
        "title": title,
        "reference": REFERENCE,
        "version_number": 2,
        "fingerprint": FINGERPRINT,
        "coach_name": COACH,
        "coach_email": COACH_EMAIL,
        "practice_name": PRACTICE,
        "sponsor_name": sponsor,
        "two_party": False,
    }
    if spec.link:
        context["link"] = spec.link
    if name in {"signing-invitation", "signing-reminder", "signing-copy", "signing-completed"}:
        context["expires_at"] = EXPIRES_AT
    if name == "signing-code":
        context.update(code=CODE, minutes=10)
    if name == "signing-declined":
        context["reason"] = reason
    if name == "signing-declined-notice":
        context.update(declined_by_role="sponsor", has_signed=True)
    context.update(overrides)
    return context


@dataclass(frozen=True)
class Rendered:
    raw_subject: str
    subject: str
    text: str
    html: str


def render(name: str, context: dict[str, Any]) -> Rendered:
    context = {"site_name": "Tripartite", "site_url": "http://testserver", **context}
    raw_subject = render_to_string(f"emails/{name}-subject.txt", context)
    return Rendered(
        raw_subject=raw_subject,
        subject=" ".join(raw_subject.split()),
        text=render_to_string(f"emails/{name}-body.txt", context),
        html=render_to_string(f"emails/{name}-body.html", context),
    )


@pytest.fixture(autouse=True)
def loud_missing_variables(settings: Any) -> None:
    """A variable the context does not provide shows up instead of vanishing."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": "MISSING[%s]"}}
    ]


@pytest.mark.parametrize("name", EMAILS)
def test_the_subject_names_the_coach_and_nothing_confidential(name: str) -> None:
    email = render(name, make_context(name))
    assert email.raw_subject.strip() == email.subject, "the subject is written on one line"
    assert len(email.subject) < 120
    assert COACH in email.subject
    for secret in (CLIENT, SPONSOR, SPONSOR_SIGNATORY, LINE_MANAGER, TITLE, CODE, REASON):
        assert secret not in email.subject
    assert "MISSING" not in email.subject + email.text + email.html


@pytest.mark.parametrize("name", EMAILS)
@pytest.mark.parametrize("role", ["client", "sponsor", "observer"])
def test_no_subject_reveals_the_recipient_or_the_agreement(name: str, role: str) -> None:
    if EMAILS[name].role == "coach":
        role = "coach"
    subject = render(name, make_context(name, role=role)).subject
    for secret in (CLIENT, SPONSOR, SPONSOR_SIGNATORY, LINE_MANAGER, TITLE, CODE):
        assert secret not in subject


@pytest.mark.parametrize("name", EMAILS)
def test_the_practice_is_not_repeated_when_it_is_the_coachs_own_name(name: str) -> None:
    email = render(name, make_context(name, practice_name=COACH))
    assert email.subject.count(COACH) == 1
    assert f"({COACH})" not in email.text + email.html


@pytest.mark.parametrize("name", EMAILS)
def test_the_text_body_has_the_link_on_its_own_line(name: str) -> None:
    email = render(name, make_context(name))
    link = EMAILS[name].link
    lines_with_an_address = [line for line in email.text.splitlines() if "http" in line]
    assert lines_with_an_address == ([link] if link else [])
    assert link is None or f'href="{link}"' in email.html
    assert "\n\n\n" not in email.text, "no stray blank lines around conditional paragraphs"


@pytest.mark.parametrize("name", EMAILS)
def test_the_html_body_extends_the_base_and_has_a_button_where_there_is_a_link(
    name: str,
) -> None:
    html = render(name, make_context(name)).html
    assert html.startswith("<!doctype html>")
    assert '<div class="brand">Tripartite</div>' in html
    assert html.count('class="button"') == (1 if EMAILS[name].button else 0)


@pytest.mark.parametrize("name", EMAILS)
@pytest.mark.parametrize("role", ["client", "sponsor"])
def test_names_and_titles_are_escaped_in_the_html(name: str, role: str) -> None:
    if EMAILS[name].role == "coach":
        role = "coach"
    context = make_context(
        name,
        role=role,
        client=INJECTED,
        sponsor=INJECTED,
        signatory=INJECTED,
        title=INJECTED,
        reason=INJECTED,
    )
    email = render(name, context)
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "<script>" not in email.subject


def test_the_invitation_explains_what_signing_involves() -> None:
    text = render("signing-invitation", make_context("signing-invitation")).text
    assert f"{COACH} ({PRACTICE}) has asked you to read and sign a coaching agreement." in text
    assert TITLE in text
    assert f"Reference {REFERENCE}, version 2" in text
    assert "The link works until 9 February 2027. You do not need an account." in text
    assert "limits of confidentiality" in text
    assert "decline" in text
    assert f"reply to this email: your reply goes to {COACH}" in text
    assert text.rstrip().endswith(f"Tripartite, on behalf of {COACH}")
    assert "on behalf of Northwind" not in text, "the client does not sign for the sponsor"


def test_the_sponsor_signatory_signs_on_behalf_of_the_sponsor() -> None:
    for name in ("signing-invitation", "signing-reminder"):
        email = render(name, make_context(name, role="sponsor"))
        assert f"Hello {SPONSOR_SIGNATORY}," in email.text
        assert f"on behalf of {SPONSOR}" in email.text
        assert f"on behalf of {SPONSOR}" in email.html


def test_a_private_client_is_not_told_about_sharing_with_a_sponsor() -> None:
    text = render(
        "signing-invitation", make_context("signing-invitation", sponsor="", two_party=True)
    ).text
    assert "limits of confidentiality" in text
    assert "shared" not in text


def test_the_reminder_is_gentle_and_repeats_the_link_facts() -> None:
    text = render("signing-reminder", make_context("signing-reminder")).text
    assert "A gentle reminder" in text
    assert "still waiting for your signature" in text
    assert "The link works until 9 February 2027" in text


def test_the_copy_says_the_stakeholder_does_not_sign_and_what_is_shared() -> None:
    text = render("signing-copy", make_context("signing-copy")).text
    assert f"Hello {LINE_MANAGER}," in text
    assert "You do not sign it" in text
    assert "what will be shared with you" in text
    assert "what will not be shared with you" in text
    assert "The link works until 9 February 2027" in text


def test_the_code_stands_out_in_the_body_only() -> None:
    email = render("signing-code", make_context("signing-code"))
    assert CODE in email.text.splitlines()
    assert f">{CODE}</p>" in email.html
    assert "valid for 10 minutes" in email.text
    assert "If you did not ask for a code, you can ignore this email." in email.text


def test_the_completed_copy_link_expires_for_the_parties_but_not_for_the_coach() -> None:
    client = render("signing-completed", make_context("signing-completed")).text
    assert "The link works until 9 February 2027" in client
    assert f"Fingerprint: {FINGERPRINT}" in client
    assert "SHA-256" in client

    coach = make_context("signing-completed", role="coach", link=APP_LINK, expires_at=None)
    email = render("signing-completed", coach)
    assert APP_LINK in email.text.splitlines()
    assert "works until" not in email.text
    assert "each been sent their own copy" in email.text
    assert f"Fingerprint: {FINGERPRINT}" in email.text
    assert f"<strong>{FINGERPRINT}</strong>" in email.html
    assert "on behalf of" not in email.text

    no_expiry = make_context("signing-completed", expires_at=None)
    assert "works until" not in render("signing-completed", no_expiry).text


def test_the_voided_email_asks_nothing_of_the_recipient() -> None:
    text = render("signing-voided", make_context("signing-voided")).text
    assert f"{COACH} ({PRACTICE}) has withdrawn the coaching agreement" in text
    assert "no longer works" in text
    assert "there is nothing you need to do" in text
    assert f"{COACH} will be in touch" in text


def test_the_coach_learns_who_declined_and_why() -> None:
    email = render("signing-declined", make_context("signing-declined"))
    assert f"Hello {COACH}," in email.text
    assert f"{CLIENT} (Client) has declined to sign {TITLE}" in email.text
    assert REASON in email.text
    assert REASON in email.html
    assert "reopen it as a new draft" in email.text

    silent = render("signing-declined", make_context("signing-declined", reason="")).text
    assert "They did not give a reason." in silent


def test_the_other_parties_learn_who_declined_but_not_why() -> None:
    email = render("signing-declined-notice", make_context("signing-declined-notice"))
    assert f"Hello {CLIENT}," in email.text
    assert f"The sponsor has declined to sign the coaching agreement with {COACH}" in email.text
    assert "This version is not in force: your signature on it binds no one." in email.text
    assert "there is nothing you need to do" in email.text
    assert REASON not in email.text + email.html

    unsigned = make_context("signing-declined-notice", has_signed=False)
    assert "binds no one" not in render("signing-declined-notice", unsigned).text
    observer = make_context("signing-declined-notice", role="observer")
    assert "The copy you were sent is kept for the record only" in (
        render("signing-declined-notice", observer).text
    )


def test_the_completed_email_says_the_sealed_agreement_is_attached() -> None:
    attached = "AM-2027-014-v2-signed.pdf"
    client = render("signing-completed", make_context("signing-completed", attached=attached)).text
    assert f"The signed and sealed agreement is attached to this email ({attached})" in client
    coach = make_context(
        "signing-completed", role="coach", link=APP_LINK, expires_at=None, attached=attached
    )
    assert "it is the parties' copy" in render("signing-completed", coach).text
    without = render("signing-completed", make_context("signing-completed", attached="")).text
    assert "attached" not in without
    assert "with the signed and sealed PDF to download, is here:" in without


def test_the_coach_is_told_it_is_their_turn() -> None:
    text = render("signing-coach-turn", make_context("signing-coach-turn")).text
    assert f"Hello {COACH}," in text
    assert "It is now your turn to sign." in text


@pytest.mark.parametrize("name", EMAILS)
def test_each_email_is_sent_with_its_html_part_and_reply_address(name: str) -> None:
    spec = EMAILS[name]
    context = make_context(name)
    send_email(name, to=CLIENT_EMAIL, context=context, reply_to=spec.reply_to)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == render(name, context).subject
    assert COACH in message.subject
    assert CLIENT not in message.subject
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
    content, _mimetype = message.alternatives[0]
    html = str(content)
    assert "<!doctype html>" in html
    assert ('class="button"' in html) is spec.button
    assert message.reply_to == ([spec.reply_to] if spec.reply_to else [])
    assert spec.link is None or spec.link in str(message.body).splitlines()
    assert (CODE in str(message.body)) is (name == "signing-code"), "only the code email has it"
