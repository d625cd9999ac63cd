from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from coaching.models import User
from contracts.engagement.intake import services
from contracts.engagement.intake.questions import LONG_TEXT_LIMIT, built_in_questions
from contracts.models import AuditEvent, AuditEventKind, IntakeStatus
from tests.contracts.documents.helpers import browser_past_the_code
from tests.contracts.engagement.intake.helpers import (
    answers,
    intake_link,
    post_answers,
    revision_on,
    sent_intake,
)

pytestmark = pytest.mark.django_db

GOALS = "Find my footing as a new head of department"
HEALTH = "Migraines on Mondays, so afternoons suit me better"


def test_the_client_saves_and_comes_back_with_the_same_link(coach: User) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)
    browser = HttpClient()

    saved = post_answers(browser, path, goals=GOALS, context="Restructure in spring")

    assert saved.status_code == 302
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.STARTED
    assert intake.saved_at is not None and intake.submitted_at is None
    assert GOALS not in intake.answers_ciphertext
    later = HttpClient().get(path).content.decode()
    assert GOALS in later and "Restructure in spring" in later
    assert not AuditEvent.objects.filter(kind=AuditEventKind.INTAKE_SUBMITTED).exists()


def test_submitting_needs_the_required_answers_and_says_so_next_to_the_question(
    coach: User,
) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)

    response = post_answers(HttpClient(), path, submit=True, context="Only context")

    assert response.status_code == 400
    page = response.content.decode()
    assert '<p id="error_1_id_answer_goals"><strong>Please answer this question' in page
    assert 'aria-describedby="id_answer_goals_helptext id_answer_goals_error"' in page
    assert "Only context" in page
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SENT


def test_a_required_answer_is_not_needed_to_save_part_way(coach: User) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)

    assert post_answers(HttpClient(), path, context="Only context").status_code == 302


def test_submitting_records_it_and_the_link_then_says_kindly_it_was_submitted(
    coach: User,
) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)
    browser = HttpClient(REMOTE_ADDR="203.0.113.9")

    response = post_answers(browser, path, submit=True, goals=GOALS)

    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED and intake.submitted_at is not None
    event = AuditEvent.objects.get(kind=AuditEventKind.INTAKE_SUBMITTED)
    assert event.ip_address == "203.0.113.9"
    same_browser = browser.get(path).content.decode()
    assert "Thank you" in same_browser and GOALS in same_browser
    forwarded = HttpClient().get(path)
    assert forwarded.status_code == 200
    assert "Thank you" in forwarded.content.decode()
    assert GOALS not in forwarded.content.decode()
    again = HttpClient().post(path, {"revision": "2", "save": "1", **answers(goals="Changed")})
    assert "Thank you" in again.content.decode()
    intake.refresh_from_db()
    assert services.saved_answers(intake)["goals"] == GOALS


def test_a_health_answer_is_refused_without_consent_and_nothing_is_saved(coach: User) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)

    response = post_answers(HttpClient(), path, goals=GOALS, health=HEALTH)

    assert response.status_code == 400
    page = response.content.decode()
    assert "To share this, tick the consent box" in page
    assert HEALTH in page, "the refused answer is shown back"
    intake.refresh_from_db()
    assert intake.answers_ciphertext == "" and intake.health_consent_at is None


def test_consent_is_recorded_with_the_request_and_the_health_answer_kept(coach: User) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)
    browser = HttpClient(REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="PhoneBrowser/1.0")

    post_answers(browser, path, consent=True, goals=GOALS, health=HEALTH)

    intake.refresh_from_db()
    assert intake.health_consent_at is not None
    assert services.saved_answers(intake)["health"] == HEALTH
    event = AuditEvent.objects.get(kind=AuditEventKind.HEALTH_CONSENT)
    assert event.data == {"intake": intake.pk, "given": True}
    assert (event.ip_address, event.user_agent) == ("198.51.100.4", "PhoneBrowser/1.0")
    assert event.signer == intake.signer


def test_withdrawing_consent_drops_the_health_answer(coach: User) -> None:
    intake = sent_intake(coach)
    services.intake_answer(
        intake=intake,
        answers={"goals": GOALS, "health": HEALTH},
        health_consent=True,
        revision=1,
        submit=False,
    )

    services.intake_answer(
        intake=intake,
        answers={"goals": GOALS, "health": HEALTH},
        health_consent=False,
        revision=2,
        submit=False,
    )

    intake.refresh_from_db()
    assert intake.health_consent_at is None
    assert "health" not in services.saved_answers(intake)
    given = AuditEvent.objects.filter(kind=AuditEventKind.HEALTH_CONSENT).order_by("seq")
    assert [event.data["given"] for event in given] == [True, False]


def test_a_save_from_a_second_tab_is_refused_and_its_input_shown_back(coach: User) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)
    first_tab, second_tab = HttpClient(), HttpClient()
    opened_at = revision_on(second_tab, path)
    post_answers(first_tab, path, goals="Written in the first tab")

    response = second_tab.post(
        path, {"revision": opened_at, "save": "1", **answers(goals="Written in the second tab")}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "saved from another tab or device" in page
    assert "Written in the second tab" in page
    intake.refresh_from_db()
    assert services.saved_answers(intake)["goals"] == "Written in the first tab"
    again = second_tab.post(
        path,
        {
            "revision": str(intake.revision),
            "save": "1",
            **answers(goals="Written in the second tab"),
        },
    )
    assert again.status_code == 302


def test_answers_have_a_size_limit(coach: User) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)

    response = post_answers(HttpClient(), path, goals="x" * (LONG_TEXT_LIMIT + 1))

    assert response.status_code == 400
    assert f"at most {LONG_TEXT_LIMIT}" in response.content.decode()


def test_an_expired_link_says_so(coach: User) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = HttpClient().get(path)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_link_of_an_earlier_intake_says_it_was_used(coach: User) -> None:
    intake = sent_intake(coach)
    old = intake_link(intake.signer.email)
    services.intake_withdraw(intake=intake)
    services.intake_send(agreement=intake.agreement, coach=coach, questions=built_in_questions())

    response = HttpClient().get(old)

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert HttpClient().get(intake_link(intake.signer.email)).status_code == 200


def test_an_unknown_token_finds_nothing(db: None) -> None:
    response = HttpClient().get("/intake/not-a-real-token/")
    assert response.status_code == 404


def test_the_emailed_code_is_asked_for_when_the_agreement_requires_it(coach: User) -> None:
    intake = sent_intake(coach, require_email_code=True)
    path = intake_link(intake.signer.email)

    assert "Confirm it is you" in HttpClient().get(path).content.decode()
    browser = browser_past_the_code(path, intake.signer.email)
    assert "Before your coaching begins" in browser.get(path).content.decode()


def test_the_page_is_never_cached(coach: User) -> None:
    intake = sent_intake(coach)
    response = HttpClient().get(intake_link(intake.signer.email))
    assert response["Cache-Control"] == "no-store"
    assert len(built_in_questions()) >= 5
