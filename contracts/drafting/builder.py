"""The agreement builder: one step per section, each edited by its own form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.forms import modelform_factory

from coaching.models import User
from contracts.drafting import forms as step_forms
from contracts.drafting.sections import Section, agreement_sections, template_sections
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

STEP_FORMS: dict[str, type[step_forms.StepForm]] = {
    "parties": step_forms.PartiesForm,
    "roles": step_forms.RolesForm,
    "goals": step_forms.GoalsForm,
    "logistics": step_forms.LogisticsForm,
    "fees": step_forms.FeesForm,
    "sharing": step_forms.SharingForm,
    "limits": step_forms.LimitsForm,
    "conduct": step_forms.ConductForm,
    "records": step_forms.RecordsForm,
    "ethics": step_forms.EthicsForm,
    "ending": step_forms.EndingForm,
}


@dataclass(frozen=True)
class Step:
    section: Section
    form_class: type[step_forms.StepForm]

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def title(self) -> str:
        return self.section.title

    @property
    def templates(self) -> list[str]:
        """The step's own template if it has one, else the plain list of its fields."""
        return [
            f"contracts/drafting/steps/{self.key}.html",
            "contracts/drafting/steps/_fields.html",
        ]


def steps_for(instance: Terms) -> list[Step]:
    """The steps that apply: templates have no parties; private clients share nothing."""
    sections = (
        agreement_sections(two_party=instance.is_two_party)
        if isinstance(instance, Agreement)
        else template_sections()
    )
    return [Step(section, STEP_FORMS[section.key]) for section in sections]


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
