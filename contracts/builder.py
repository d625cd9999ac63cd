"""The agreement builder's steps: which form edits which section, in what order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.forms import modelform_factory

from coaching.models import User
from contracts import forms as step_forms
from contracts.models import Agreement, Terms

# Fields an agreement has and a template does not.
AGREEMENT_ONLY_FIELDS = {
    "title",
    "client",
    "organisation",
    "sponsor_signatory",
    "stakeholders",
    "start_date",
    "end_date",
    "review_date",
}


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    form_class: type[step_forms.StepForm]
    agreement_only: bool = False
    sponsor_only: bool = False


STEPS = [
    Step("parties", "Parties", step_forms.PartiesForm, agreement_only=True),
    Step("roles", "Coaching and roles", step_forms.RolesForm),
    Step("goals", "Goals", step_forms.GoalsForm),
    Step("logistics", "Sessions and dates", step_forms.LogisticsForm),
    Step("fees", "Fees", step_forms.FeesForm),
    Step("sharing", "What is shared", step_forms.SharingForm, sponsor_only=True),
    Step("limits", "Limits of confidentiality", step_forms.LimitsForm),
    Step("conduct", "Conduct and duties", step_forms.ConductForm),
    Step("records", "Records", step_forms.RecordsForm),
    Step("ethics", "Ethics and consents", step_forms.EthicsForm),
    Step("ending", "Ending and review", step_forms.EndingForm),
]
STEP_TITLES = {step.key: step.title for step in STEPS}


def steps_for(instance: Terms) -> list[Step]:
    """The steps that apply: templates have no parties; private clients share nothing."""
    if isinstance(instance, Agreement):
        return agreement_steps(two_party=instance.is_two_party)
    return [step for step in STEPS if not step.agreement_only]


def agreement_steps(*, two_party: bool) -> list[Step]:
    return [step for step in STEPS if not (two_party and step.sponsor_only)]


def find_step(instance: Terms, key: str) -> Step | None:
    return next((step for step in steps_for(instance) if step.key == key), None)


def next_step(instance: Terms, step: Step) -> Step | None:
    steps = steps_for(instance)
    index = steps.index(step)
    return steps[index + 1] if index + 1 < len(steps) else None


def step_form(
    step: Step, instance: Terms, *, coach: User, data: Any = None
) -> step_forms.StepForm:
    """The step's form, bound to an agreement or a template."""
    fields = [
        name
        for name in step.form_class.Meta.fields
        if isinstance(instance, Agreement) or name not in AGREEMENT_ONLY_FIELDS
    ]
    form_class = cast(
        type[step_forms.StepForm],
        modelform_factory(type(instance), form=step.form_class, fields=fields),
    )
    return form_class(data, instance=instance, coach=coach)
