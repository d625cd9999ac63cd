"""Forms of the intake: the client's answers, the coach's questionnaire and sending."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from contracts.engagement.intake.questions import (
    HELP_LIMIT,
    LABEL_LIMIT,
    LONG_TEXT_LIMIT,
    MAX_QUESTIONS,
    TEXT_LIMIT,
    Question,
    QuestionKind,
    has_health_question,
    question,
    question_problems,
)

ANSWER_PREFIX = "answer_"
CONSENT_LABEL = (
    "I agree that my coach keeps what I write about my health or circumstances, to "
    "prepare our coaching. I can withdraw this by clearing the box and saving."
)
NEEDS_CONSENT = "To share this, tick the consent box; or clear this answer."


def answer_field(q: Question) -> str:
    return f"{ANSWER_PREFIX}{q['key']}"


class IntakeAnswerForm(forms.Form):
    """The client's answers to the questions their intake was sent with.

    Required questions are required only to submit: a client may save part-way. A health
    answer needs the consent box ticked, whichever button was pressed.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, questions: list[Question], submitting: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.submitting = submitting
        for q in questions:
            self.fields[answer_field(q)] = self._field(q)
        if has_health_question(questions):
            self.fields["health_consent"] = forms.BooleanField(label=CONSENT_LABEL, required=False)

    @staticmethod
    def _field(q: Question) -> forms.Field:
        label = q["label"] + ("" if q["required"] else " (optional)")
        if q["kind"] == QuestionKind.CHOICE:
            return forms.ChoiceField(
                label=label,
                help_text=q["help"],
                required=False,
                choices=[(choice, choice) for choice in q["choices"]],
                widget=forms.RadioSelect,
            )
        if q["kind"] == QuestionKind.TEXT:
            return forms.CharField(
                label=label, help_text=q["help"], required=False, max_length=TEXT_LIMIT
            )
        return forms.CharField(
            label=label,
            help_text=q["help"],
            required=False,
            max_length=LONG_TEXT_LIMIT,
            widget=forms.Textarea(attrs={"rows": 5}),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        consent = bool(cleaned.get("health_consent"))
        for q in self.questions:
            name = answer_field(q)
            value = str(cleaned.get(name) or "").strip()
            if name in self.errors:
                continue
            if q["health"] and value and not consent:
                self.add_error(name, NEEDS_CONSENT)
                self.add_error(
                    "health_consent",
                    "Tick this box to share what you wrote about your health, or clear "
                    "that answer.",
                )
            elif self.submitting and q["required"] and not value:
                self.add_error(
                    name,
                    "Please answer this question before submitting, or save and come back later.",
                )
        return cleaned

    def answers(self) -> dict[str, str]:
        return {
            q["key"]: str(self.cleaned_data.get(answer_field(q)) or "") for q in self.questions
        }

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[answer_field(q)] for q in self.questions]


def answer_initial(questions: list[Question], answers: dict[str, str]) -> dict[str, str]:
    return {answer_field(q): answers.get(q["key"], "") for q in questions}


class IntakeSendForm(forms.Form):
    questionnaire = forms.ChoiceField(label="Questionnaire to send")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"] = forms.ChoiceField(
            label="Questionnaire to send", choices=choices
        )


class QuestionnaireNameForm(forms.Form):
    name = forms.CharField(label="Name of the questionnaire", max_length=120)


class QuestionForm(forms.Form):
    key = forms.CharField(
        label="Short name",
        max_length=40,
        help_text="Lower-case letters, digits and underscores; unique in the questionnaire.",
    )
    label = forms.CharField(label="Question", max_length=LABEL_LIMIT)
    help = forms.CharField(
        label="Help shown under it",
        max_length=HELP_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kind = forms.ChoiceField(
        label="Answer", choices=QuestionKind.choices, initial=QuestionKind.LONG_TEXT
    )
    choices = forms.CharField(
        label="Choices, one per line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only for an answer chosen from a few choices.",
    )
    required = forms.BooleanField(label="An answer is required to submit", required=False)
    health = forms.BooleanField(
        label="Asks about health: answers kept only with the client's explicit consent",
        required=False,
    )

    def question(self) -> Question:
        data = self.cleaned_data
        choices = [line.strip() for line in str(data.get("choices") or "").splitlines()]
        return question(
            str(data["key"]).strip(),
            str(data["label"]).strip(),
            help=str(data.get("help") or "").strip(),
            kind=str(data["kind"]),
            required=bool(data.get("required")),
            choices=[choice for choice in choices if choice] if data["kind"] == "choice" else [],
            health=bool(data.get("health")),
        )


def question_initial(q: Question) -> dict[str, Any]:
    return {**q, "choices": "\n".join(q["choices"])}


class BaseQuestionFormSet(forms.BaseFormSet[QuestionForm]):
    """The questions in the order asked, without those marked for removal."""

    questions: list[Question]

    def clean(self) -> None:
        self.questions = []
        if any(self.errors):
            return
        kept: list[tuple[int, int, Question]] = []
        for index, form in enumerate(self.forms):
            if form.cleaned_data.get("DELETE"):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            order = form.cleaned_data.get("ORDER")
            kept.append((order if order is not None else 10_000, index, form.question()))
        self.questions = [q for _, _, q in sorted(kept, key=lambda row: (row[0], row[1]))]
        problems = question_problems(self.questions)
        if problems:
            raise forms.ValidationError(problems)


QuestionFormSet = cast(
    type[BaseQuestionFormSet],
    forms.formset_factory(
        QuestionForm,
        formset=BaseQuestionFormSet,
        extra=1,
        can_order=True,
        can_delete=True,
        max_num=MAX_QUESTIONS,
        validate_max=True,
    ),
)
