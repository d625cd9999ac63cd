"""The intake questionnaire's questions: the built-in set, and what makes a set valid.

A question is a small dict kept as JSON (on a coach's questionnaire, and copied onto each
intake sent): a `key` unique in its set, a `label`, an optional `help`, a `kind` (one
line, a longer text, or one of a few `choices`), whether an answer is `required`, and
whether it asks for `health` data. Answers to a health question are special-category
data (UK GDPR art. 9): they are kept only with the client's explicit consent, so such a
question is never required.
"""

from __future__ import annotations

import re
from typing import Any, TypedDict

from django.db import models

HEALTH_KEY = "health"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 30
LABEL_LIMIT = 300
HELP_LIMIT = 500
CHOICE_LIMIT = 120
MAX_CHOICES = 12
# What a client may type into one answer.
TEXT_LIMIT = 300
LONG_TEXT_LIMIT = 4000


class QuestionKind(models.TextChoices):
    TEXT = "text", "One line"
    LONG_TEXT = "long_text", "A longer answer"
    CHOICE = "choice", "One of a few choices"


class Question(TypedDict):
    key: str
    label: str
    help: str
    kind: str
    required: bool
    choices: list[str]
    health: bool


def question(
    key: str,
    label: str,
    *,
    help: str = "",
    kind: str = QuestionKind.LONG_TEXT,
    required: bool = False,
    choices: list[str] | None = None,
    health: bool = False,
) -> Question:
    return {
        "key": key,
        "label": label,
        "help": help,
        "kind": str(kind),
        "required": required,
        "choices": list(choices or []),
        "health": health,
    }


BUILT_IN_NAME = "Intake questionnaire (built in)"
BUILT_IN: list[Question] = [
    question(
        "goals",
        "What do you want from this coaching? Please use your own words.",
        help="There is no right answer: a few sentences are enough.",
        required=True,
    ),
    question(
        "context",
        "What is going on for you at work and around it right now?",
        help="Your role, recent changes, what led to this coaching.",
    ),
    question(
        "sponsor_should_know",
        "Is there anything you would like the sponsor to know?",
        help="Your coach will not pass anything on without your agreement.",
    ),
    question(
        "sponsor_should_not_know",
        "Is there anything you do not want the sponsor to know?",
        help="This helps your coach protect it.",
    ),
    question(
        HEALTH_KEY,
        "Is there anything about your health or circumstances you choose to share?",
        help=(
            "Only if you wish. For example something that affects your energy, your "
            "availability or how you would like sessions to run."
        ),
        health=True,
    ),
    question(
        "format",
        "How would you prefer to meet?",
        kind=QuestionKind.CHOICE,
        choices=["In person", "By video", "By phone", "No preference"],
    ),
]


def built_in_questions() -> list[Question]:
    """A fresh copy of the built-in questions (callers may change it)."""
    return [{**q, "choices": list(q["choices"])} for q in BUILT_IN]


def answer_limit(q: Question) -> int:
    return LONG_TEXT_LIMIT if q["kind"] == QuestionKind.LONG_TEXT else TEXT_LIMIT


def question_problems(questions: list[Question]) -> list[str]:
    """What is wrong with a set of questions, in words a coach understands; [] if valid."""
    problems: list[str] = []
    if not questions:
        problems.append("A questionnaire needs at least one question.")
    if len(questions) > MAX_QUESTIONS:
        problems.append(f"A questionnaire has at most {MAX_QUESTIONS} questions.")
    seen: set[str] = set()
    for number, q in enumerate(questions, start=1):
        where = f"Question {number}"
        if not KEY_PATTERN.match(q["key"]):
            problems.append(
                f"{where}: the short name must start with a letter and use only lower-case "
                "letters, digits and underscores (at most 40)."
            )
        elif q["key"] in seen:
            problems.append(f"{where}: the short name “{q['key']}” is used twice.")
        seen.add(q["key"])
        if not q["label"].strip():
            problems.append(f"{where}: the question needs a wording.")
        if q["kind"] not in QuestionKind.values:
            problems.append(f"{where}: choose what kind of answer it takes.")
        if q["kind"] == QuestionKind.CHOICE and len(q["choices"]) < 2:
            problems.append(f"{where}: a question with choices needs at least two.")
        if q["key"] == HEALTH_KEY and not q["health"]:
            problems.append(
                f"{where}: the health question keeps its consent box; remove the question "
                "rather than its consent."
            )
        if q["health"] and q["required"]:
            problems.append(
                f"{where}: a health question cannot be required: the client chooses "
                "whether to share."
            )
    return problems


def parse_questions(raw: Any) -> list[Question]:
    """Questions as stored (JSON), with any missing or odd field made safe."""
    if not isinstance(raw, list):
        return []
    found: list[Question] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        choices = item.get("choices")
        found.append(
            question(
                str(item.get("key", "")),
                str(item.get("label", "")),
                help=str(item.get("help", "")),
                kind=str(item.get("kind", QuestionKind.LONG_TEXT)),
                required=bool(item.get("required", False)),
                choices=[str(c) for c in choices] if isinstance(choices, list) else [],
                health=bool(item.get("health", False)),
            )
        )
    return found


def has_health_question(questions: list[Question]) -> bool:
    return any(q["health"] for q in questions)
