from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.engagement.intake import services
from contracts.engagement.intake.questions import (
    HEALTH_KEY,
    Question,
    built_in_questions,
    question,
    question_problems,
)
from contracts.models import IntakeQuestionnaire, IntakeStatus
from tests.contracts.engagement.intake.helpers import intake_link
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def formset_data(questions: list[Question], *, name: str = "Mine", **extra: str) -> dict[str, Any]:
    """The edit form as posted: each question in its block, numbered in order, and the
    empty block for a new question left empty."""
    data: dict[str, Any] = {
        "name": name,
        "q-TOTAL_FORMS": str(len(questions) + 1),
        "q-INITIAL_FORMS": str(len(questions)),
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "30",
        f"q-{len(questions)}-kind": "long_text",
    }
    for index, q in enumerate(questions):
        data.update(
            {
                f"q-{index}-key": q["key"],
                f"q-{index}-label": q["label"],
                f"q-{index}-help": q["help"],
                f"q-{index}-kind": q["kind"],
                f"q-{index}-choices": "\n".join(q["choices"]),
                f"q-{index}-ORDER": str(index + 1),
            }
        )
        if q["required"]:
            data[f"q-{index}-required"] = "on"
        if q["health"]:
            data[f"q-{index}-health"] = "on"
    data.update(extra)
    return data


def made_copy(http: HttpClient) -> IntakeQuestionnaire:
    response = http.post(reverse("contracts:questionnaire-create"))
    assert response.status_code == 302
    return IntakeQuestionnaire.objects.get()


def test_the_coach_copies_the_built_in_questionnaire_and_edits_their_copy(
    coach: User, signed_in: HttpClient
) -> None:
    mine = made_copy(signed_in)
    assert mine.questions == built_in_questions()
    questions = built_in_questions()
    data = formset_data(questions, name="For executives")
    last = len(questions)
    data.update(
        {
            "q-0-label": "What would success look like in six months?",  # edited
            "q-1-ORDER": "0",  # moved to the front
            "q-2-DELETE": "on",  # removed
            f"q-{last}-key": "manager",  # added
            f"q-{last}-label": "How do you get on with your manager?",
            f"q-{last}-kind": "text",
            f"q-{last}-ORDER": "99",
        }
    )

    response = signed_in.post(reverse("contracts:questionnaire-edit", args=[mine.pk]), data)

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "For executives"
    keys = [q["key"] for q in mine.questions]
    assert keys[0] == "context"
    assert "sponsor_should_know" not in keys
    assert keys[-1] == "manager"
    assert mine.questions[1]["label"] == "What would success look like in six months?"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"q-1-key": "goals"}, "is used twice"),
        ({"q-4-health": ""}, "keeps its consent box"),
        ({"q-5-choices": "Only one"}, "needs at least two"),
        ({"q-1-key": "Not A Key"}, "must start with a letter"),
    ],
)
def test_an_invalid_questionnaire_is_refused_with_a_reason(
    coach: User, signed_in: HttpClient, change: dict[str, str], message: str
) -> None:
    mine = made_copy(signed_in)
    data = formset_data(built_in_questions())
    for name, value in change.items():
        if value:
            data[name] = value
        else:
            data.pop(name, None)  # an unticked box is not posted

    response = signed_in.post(reverse("contracts:questionnaire-edit", args=[mine.pk]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    mine.refresh_from_db()
    assert mine.questions == built_in_questions()


def test_an_empty_question_wording_is_refused_next_to_the_field(
    coach: User, signed_in: HttpClient
) -> None:
    mine = made_copy(signed_in)
    data = formset_data(built_in_questions(), **{"q-0-label": ""})

    response = signed_in.post(reverse("contracts:questionnaire-edit", args=[mine.pk]), data)

    assert response.status_code == 400
    assert 'id="error_1_id_q-0-label"' in response.content.decode()


def test_a_health_question_cannot_be_required() -> None:
    problems = question_problems([question(HEALTH_KEY, "Health?", health=True, required=True)])
    assert any("cannot be required" in problem for problem in problems)


def test_the_coach_sends_their_own_questionnaire_and_the_intake_keeps_its_questions(
    coach: User, signed_in: HttpClient
) -> None:
    mine = services.questionnaire_create(coach=coach)
    services.questionnaire_update(
        questionnaire=mine,
        name="Short",
        questions=[question("hopes", "What do you hope for?", required=True)],
    )
    version = send_agreement(coach)

    signed_in.post(
        reverse("contracts:agreement-intake", args=[version.agreement.pk]),
        {"questionnaire": str(mine.pk)},
    )
    services.questionnaire_update(
        questionnaire=mine, name="Short", questions=[question("other", "Something else?")]
    )

    intake = version.agreement.intakes.get()
    assert intake.status == IntakeStatus.SENT
    page = HttpClient().get(intake_link(version.agreement.client.email)).content.decode()
    assert "What do you hope for?" in page
    assert "Something else?" not in page
    assert "consent" not in page.lower(), "no health question, no consent box"


def test_a_coach_cannot_send_another_coachs_questionnaire(
    coach: User, other_coach: User, signed_in: HttpClient
) -> None:
    theirs = services.questionnaire_create(coach=other_coach)
    version = send_agreement(coach)

    signed_in.post(
        reverse("contracts:agreement-intake", args=[version.agreement.pk]),
        {"questionnaire": str(theirs.pk)},
    )

    assert not version.agreement.intakes.exists()


def test_the_panel_gives_the_state_and_dates_and_never_an_answer(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    assert "Send an intake" in render_to_string(
        "contracts/engagement/intake/_panel.html", services.panel(agreement=agreement)
    )
    intake = services.intake_send(agreement=agreement, coach=coach, questions=built_in_questions())
    services.intake_answer(
        intake=intake,
        answers={"goals": "A very private goal"},
        health_consent=False,
        revision=1,
        submit=True,
    )

    context = services.panel(agreement=agreement)
    html = render_to_string("contracts/engagement/intake/_panel.html", context)

    assert "Submitted" in html and "Read the answers" in html
    assert "A very private goal" not in html
    assert "A very private goal" not in str(context)
