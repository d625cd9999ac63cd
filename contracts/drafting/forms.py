"""Forms of the agreement builder, one per step, shared by agreements and templates.

A step form refuses nonsense (a contradiction, an impossible date) next to the
field; an empty answer is saved, because drafts are finished over several visits,
and the checklist reports what is still missing. Both ask the same rules
(`contracts.drafting.checks`): a form only says where each problem belongs.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, cast

from django import forms
from django.db import models
from django.db.models import Q

from coaching.http import parse_id
from coaching.models import Client, Organisation, RecordClass, SponsorContact, User
from contracts import terms
from contracts.drafting import checks
from contracts.drafting.checks import Problem, limit_field, matrix_field
from contracts.drafting.concurrency import step_fingerprint
from contracts.drafting.default_terms import BUILTIN_TEMPLATE_NAME
from contracts.models import Agreement, AgreementTemplate, Payer, Terms
from contracts.sharing import matrix_rules

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EXTRA_ROWS = 2


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ClientChoiceField(forms.ModelChoiceField[Client]):
    def label_from_instance(self, obj: Client) -> str:
        organisation = obj.organisation
        return (
            f"{obj.name} ({organisation.name})" if organisation else f"{obj.name} (private client)"
        )


def _contact_label(contact: SponsorContact) -> str:
    return f"{contact.name}, {contact.get_role_display()} at {contact.organisation.name}"


class ContactChoiceField(forms.ModelChoiceField[SponsorContact]):
    def label_from_instance(self, obj: SponsorContact) -> str:
        return _contact_label(obj)


class ContactsChoiceField(forms.ModelMultipleChoiceField[SponsorContact]):
    def label_from_instance(self, obj: SponsorContact) -> str:
        return _contact_label(obj)


class StepForm(forms.ModelForm[Terms]):
    """One step of the builder: some fields of the terms, plus optional extra terms."""

    class Meta:
        fields: tuple[str, ...] = ()

    step_key: ClassVar[str] = ""
    # What `apply()` writes beside the model fields of Meta.fields.
    writes: ClassVar[tuple[str, ...]] = ()
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    additional = forms.CharField(
        label="Additional terms for this section (optional)",
        required=False,
        widget=_textarea(3),
        help_text="Anything specific to this engagement that the standard wording does not cover.",
    )

    def __init__(self, *args: Any, coach: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coach = coach
        extra = (
            self.instance.additional_terms
            if isinstance(self.instance.additional_terms, dict)
            else {}
        )
        self.fields["additional"].initial = extra.get(self.step_key, "")
        if self.is_two_party:
            for name in self.sponsor_only_fields():
                self.fields.pop(name, None)
        self.fields["seen"].initial = step_fingerprint(
            self.instance, step_key=self.step_key, fields=self.step_fields()
        )
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect) and isinstance(
                field, forms.ChoiceField
            ):
                choices = cast(list[tuple[Any, Any]], field.choices)
                field.choices = [choice for choice in choices if choice[0] != ""]

    @property
    def is_two_party(self) -> bool:
        return isinstance(self.instance, Agreement) and self.instance.is_two_party

    def step_fields(self) -> list[str]:
        """The fields of the terms this step writes, and no other."""
        shown = [name for name in self._meta.fields or () if name in self.fields]
        model_fields = {field.name for field in self.instance._meta.get_fields()}
        written = [name for name in self.writes if name in model_fields]
        return [*shown, *written, "additional_terms"]

    def sponsor_only_fields(self) -> list[str]:
        return []

    def rules(self) -> list[Problem]:
        """The checks' rules for this step, applied to what was typed."""
        return []

    def clean(self) -> dict[str, Any]:
        super().clean()
        for problem in self.rules():
            self.add_error(
                problem.field if problem.field in self.fields else None, problem.message
            )
        return self.cleaned_data

    def apply(self, instance: Terms) -> None:
        """Write the form's non-model answers (the JSON sections) onto the instance."""

    def save(self, commit: bool = True) -> Terms:
        instance = super().save(commit=False)
        extra = (
            dict(instance.additional_terms) if isinstance(instance.additional_terms, dict) else {}
        )
        text = self.cleaned_data.get("additional", "").strip()
        if text:
            extra[self.step_key] = text
        else:
            extra.pop(self.step_key, None)
        instance.additional_terms = extra
        self.apply(instance)
        if commit:
            instance.save()
            self.save_m2m()
        return instance


class PartiesForm(StepForm):
    step_key = "parties"

    class Meta:
        fields = ("title", "client", "organisation", "sponsor_signatory", "stakeholders")
        widgets = {"stakeholders": forms.CheckboxSelectMultiple}
        field_classes = {
            "client": ClientChoiceField,
            "sponsor_signatory": ContactChoiceField,
            "stakeholders": ContactsChoiceField,
        }
        error_messages = {
            "title": {"required": "Give the agreement a title."},
            "client": {"required": "Choose the client."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = cast(Agreement, self.instance)  # templates have no parties step
        self.saved_organisation_id = instance.organisation_id
        clients = Client.objects.for_coach(self.coach).filter(
            Q(archived_at__isnull=True) | Q(pk=instance.client_id)
        )
        organisations = Organisation.objects.for_coach(self.coach).filter(
            Q(archived_at__isnull=True) | Q(pk=instance.organisation_id)
        )
        contacts = (
            SponsorContact.objects.for_coach(self.coach)
            .filter(Q(archived_at__isnull=True) | Q(pk=instance.sponsor_signatory_id))
            .select_related("organisation")
        )
        self._field("client").queryset = clients.select_related("organisation")
        self._field("organisation").queryset = organisations
        self._field("sponsor_signatory").queryset = contacts
        self._field("stakeholders").queryset = contacts
        self._field("organisation").empty_label = "None: a private client (two-party agreement)"
        # Any of the coach's contacts may be posted, so that one from elsewhere is refused
        # by name (the party rules); only the chosen organisation's are offered.
        self.chosen_organisation = self._chosen_organisation(organisations)
        self.offered_contacts = (
            contacts.filter(organisation_id=self.chosen_organisation)
            if self.chosen_organisation is not None
            else contacts.none()
        )
        for name in ("sponsor_signatory", "stakeholders"):
            self._offer_only(name, self.offered_contacts)

    def asks_for_contacts(self) -> bool:
        """Whether the coach chose another sponsor and no one to sign for it yet: the step
        then shows again, offering that organisation's contacts."""
        organisation = self.cleaned_data.get("organisation")
        return (
            organisation is not None
            and organisation.pk != self.saved_organisation_id
            and self.cleaned_data.get("sponsor_signatory") is None
        )

    def _chosen_organisation(self, organisations: models.QuerySet[Organisation]) -> int | None:
        """The organisation the contacts are offered for: the one posted, if it is the
        coach's, else the one saved."""
        instance = cast(Agreement, self.instance)
        if not self.is_bound:
            return instance.organisation_id
        posted = parse_id(str(self.data.get(self.add_prefix("organisation")) or ""))
        if posted is None or not organisations.filter(pk=posted).exists():
            return None
        return posted

    def _offer_only(self, name: str, offered: models.QuerySet[SponsorContact]) -> None:
        field = self.fields[name]
        shown: forms.ModelChoiceField[SponsorContact]
        if isinstance(field, forms.ModelMultipleChoiceField):
            shown = ContactsChoiceField(queryset=offered, required=False)
        else:
            shown = ContactChoiceField(queryset=offered, required=False)
        field.widget.choices = shown.choices

    def _field(self, name: str) -> forms.ModelChoiceField[Client | Organisation | SponsorContact]:
        return cast(
            forms.ModelChoiceField[Client | Organisation | SponsorContact], self.fields[name]
        )

    def rules(self) -> list[Problem]:
        data = self.cleaned_data
        return checks.party_rules(
            organisation=data.get("organisation"),
            signatory=data.get("sponsor_signatory"),
            stakeholders=list(data.get("stakeholders") or []),
        )


class RolesForm(StepForm):
    step_key = "roles"

    class Meta:
        fields = (
            "nature_of_coaching",
            "referral_policy",
            "coach_responsibilities",
            "client_responsibilities",
            "sponsor_responsibilities",
        )
        widgets = {name: _textarea(5) for name in fields}

    def sponsor_only_fields(self) -> list[str]:
        return ["sponsor_responsibilities"]


class GoalsForm(StepForm):
    """Goals as rows of (goal, measure); goals are visible to all three parties."""

    step_key = "goals"
    writes = ("goals",)

    class Meta:
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goals = self.instance.goal_items
        self.rows = len(goals) + EXTRA_ROWS
        for index in range(self.rows):
            goal = goals[index] if index < len(goals) else {"goal": "", "measure": ""}
            self.fields[f"goal_{index}"] = forms.CharField(
                label=f"Goal {index + 1}", required=False, max_length=500, initial=goal["goal"]
            )
            self.fields[f"measure_{index}"] = forms.CharField(
                label=f"How progress on goal {index + 1} will be recognised",
                required=False,
                max_length=500,
                initial=goal["measure"],
            )
        self.order_fields([*(f"{k}_{i}" for i in range(self.rows) for k in ("goal", "measure"))])

    def clean(self) -> dict[str, Any]:
        super().clean()
        for index in range(self.rows):
            goal = self.cleaned_data.get(f"goal_{index}", "").strip()
            measure = self.cleaned_data.get(f"measure_{index}", "").strip()
            if measure and not goal:
                self.add_error(f"goal_{index}", "Write the goal this measure belongs to.")
        return self.cleaned_data

    def apply(self, instance: Terms) -> None:
        instance.goals = [
            {
                "goal": self.cleaned_data[f"goal_{index}"].strip(),
                "measure": self.cleaned_data[f"measure_{index}"].strip(),
            }
            for index in range(self.rows)
            if self.cleaned_data.get(f"goal_{index}", "").strip()
        ]


class LogisticsForm(StepForm):
    step_key = "logistics"
    writes = ("review_date",)

    class Meta:
        fields = (
            "session_count",
            "session_length_minutes",
            "session_frequency",
            "session_format",
            "session_location",
            "start_date",
            "end_date",
            "review_date",
        )
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT, "review_date": DATE_INPUT}
        help_texts = {
            "review_date": "Leave empty to review one review interval (from your profile) after "
            "coaching starts, or halfway through if coaching ends before then."
        }

    def rules(self) -> list[Problem]:
        data = self.cleaned_data
        return checks.date_rules(
            start=data.get("start_date"), end=data.get("end_date"), review=data.get("review_date")
        )

    def apply(self, instance: Terms) -> None:
        if isinstance(instance, Agreement) and instance.review_date is None:
            months = self.coach.profile.review_interval_months
            instance.review_date = instance.default_review_date(months)


class FeesForm(StepForm):
    step_key = "fees"
    writes = ("payer",)

    class Meta:
        fields = (
            "fee_basis",
            "fee_amount",
            "fee_currency",
            "payer",
            "invoicing_terms",
            "cancellation_terms",
            "late_cancellation_hours",
            "late_cancellation_counts",
        )
        help_texts = {
            "fee_basis": "Everyone who signs reads the fee. To keep it between you and the "
            "sponsor, choose the separate contract.",
        }
        widgets = {
            "fee_basis": forms.RadioSelect,
            "payer": forms.RadioSelect,
            "invoicing_terms": _textarea(3),
            "cancellation_terms": _textarea(3),
            "late_cancellation_counts": forms.Select(
                choices=[
                    ("unknown", "Not decided"),
                    ("true", "Yes: it counts as a session used"),
                    ("false", "No: it does not count"),
                ]
            ),
        }

    def sponsor_only_fields(self) -> list[str]:
        return ["payer"]

    def rules(self) -> list[Problem]:
        data = self.cleaned_data
        return checks.fee_rules(
            basis=data.get("fee_basis") or "",
            amount=data.get("fee_amount"),
            payer=data.get("payer") or "",
            two_party=self.is_two_party,
        )

    def apply(self, instance: Terms) -> None:
        if isinstance(instance, Agreement) and instance.is_two_party:
            instance.payer = Payer.CLIENT


type SharingPart = Literal["level", "method", "timing", "prepared_by"]

SHARING_PARTS: dict[SharingPart, type[models.TextChoices]] = {
    "level": terms.SharingLevel,
    "method": terms.SharingMethod,
    "timing": terms.SharingTiming,
    "prepared_by": terms.PreparedBy,
}
PART_LABELS = {"level": "Shared", "method": "How", "timing": "When", "prepared_by": "Prepared by"}
# Option labels short enough for a table cell, each readable on its own.
SHORT_LEVELS = {
    terms.SharingLevel.NEVER: "Never",
    terms.SharingLevel.CONSENT: "With consent, each time",
    terms.SharingLevel.APPROVED_SUMMARY: "Summary the client approves",
    terms.SharingLevel.ROUTINE: "Routinely",
}


def _cell_choices(part: SharingPart) -> list[tuple[str, str]]:
    if part == "level":
        return [("", "Not decided"), *SHORT_LEVELS.items()]
    prefix = {"method": "By ", "timing": "", "prepared_by": "Prepared by "}[part]
    blank = {"method": "How?", "timing": "When?", "prepared_by": "Prepared by?"}[part]
    options = [
        (value, (prefix + label) if prefix else label)
        for value, label in SHARING_PARTS[part].choices
    ]
    return [("", blank), *((value, label[0].upper() + label[1:]) for value, label in options)]


class SharingForm(StepForm):
    """The sharing matrix: for each kind of information and recipient, whether, how and when."""

    step_key = "sharing"
    writes = ("sharing",)

    class Meta:
        fields = ("feedback_anonymity",)
        widgets = {"feedback_anonymity": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        matrix = self.instance.sharing_matrix
        for kind in terms.InformationKind:
            for recipient in terms.Recipient:
                for part in SHARING_PARTS:
                    to_whom = terms.RECIPIENT_PHRASES[recipient]
                    self.fields[matrix_field(kind, recipient, part)] = forms.ChoiceField(
                        label=f"{PART_LABELS[part]}: {kind.label} to {to_whom}",
                        choices=_cell_choices(part),
                        required=False,
                        initial=matrix[kind][recipient][part],
                    )

    def matrix_rows(self) -> list[dict[str, Any]]:
        """Bound fields arranged as the table the template draws."""
        return [
            {
                "kind": kind,
                "protected": kind in terms.PROTECTED_KINDS,
                "cells": [
                    {part: self[matrix_field(kind, recipient, part)] for part in SHARING_PARTS}
                    for recipient in terms.Recipient
                ],
            }
            for kind in terms.InformationKind
        ]

    def rules(self) -> list[Problem]:
        return checks.sharing_rule_problems(
            matrix_rules(self._matrix()),
            anonymity=self.cleaned_data.get("feedback_anonymity") or "",
        )

    def _matrix(self) -> terms.Sharing:
        matrix: terms.Sharing = {}
        for kind in terms.InformationKind:
            matrix[kind] = {}
            for recipient in terms.Recipient:
                values: dict[str, str] = {
                    p: self.cleaned_data.get(matrix_field(kind, recipient, p), "")
                    for p in SHARING_PARTS
                }
                if values["level"] in {"", terms.SharingLevel.NEVER}:
                    values.update(method="", timing="", prepared_by="")
                matrix[kind][recipient] = terms.sharing_cell(**values)
        return matrix

    def apply(self, instance: Terms) -> None:
        instance.sharing = self._matrix()


class LimitsForm(StepForm):
    step_key = "limits"
    writes = ("confidentiality_limits",)

    class Meta:
        fields = ("jurisdiction", "jurisdiction_other", "breach_procedure")
        widgets = {"breach_procedure": _textarea(8)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.limit_items
        chosen = {item["key"] for item in current}
        for limit in terms.STANDARD_LIMITS:
            label = limit.title + (" (UK jurisdictions only)" if limit.uk_only else "")
            self.fields[limit_field(limit.key)] = forms.BooleanField(
                label=label, required=False, initial=limit.key in chosen, help_text=limit.wording
            )
        negotiated = [item for item in current if item["key"] not in terms.STANDARD_LIMIT_KEYS]
        self.custom_rows = len(negotiated) + EXTRA_ROWS
        for index in range(self.custom_rows):
            item = negotiated[index] if index < len(negotiated) else None
            self.fields[f"custom_title_{index}"] = forms.CharField(
                label=f"Negotiated limit {index + 1}: short title",
                required=False,
                max_length=120,
                initial=item["title"] if item else "",
            )
            self.fields[f"custom_wording_{index}"] = forms.CharField(
                label=f"Negotiated limit {index + 1}: wording",
                required=False,
                max_length=1000,
                initial=item["wording"] if item else "",
                widget=_textarea(2),
            )

    def standard_fields(self) -> list[forms.BoundField]:
        return [self[limit_field(limit.key)] for limit in terms.STANDARD_LIMITS]

    def custom_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"custom_title_{i}"], self[f"custom_wording_{i}"])
            for i in range(self.custom_rows)
        ]

    def rules(self) -> list[Problem]:
        data = self.cleaned_data
        return checks.limit_rules(
            jurisdiction=data.get("jurisdiction") or "",
            jurisdiction_other=data.get("jurisdiction_other") or "",
            limit_keys=[
                limit.key for limit in terms.STANDARD_LIMITS if data.get(limit_field(limit.key))
            ],
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for index in range(self.custom_rows):
            title = data.get(f"custom_title_{index}", "").strip()
            wording = data.get(f"custom_wording_{index}", "").strip()
            if title and not wording:
                self.add_error(f"custom_wording_{index}", "Write what this limit means.")
            if wording and not title:
                self.add_error(f"custom_title_{index}", "Give this limit a short title.")
        return data

    def apply(self, instance: Terms) -> None:
        items: list[terms.LimitItem] = [
            terms.standard_limit(limit.key)
            for limit in terms.STANDARD_LIMITS
            if self.cleaned_data.get(limit_field(limit.key))
        ]
        for index in range(self.custom_rows):
            title = self.cleaned_data.get(f"custom_title_{index}", "").strip()
            wording = self.cleaned_data.get(f"custom_wording_{index}", "").strip()
            if title and wording:
                items.append(
                    {"key": f"custom-{len(items) + 1}", "title": title, "wording": wording}
                )
        instance.confidentiality_limits = items
        if instance.jurisdiction != terms.Jurisdiction.OTHER:
            instance.jurisdiction_other = ""


class ConductForm(StepForm):
    step_key = "conduct"

    class Meta:
        fields = ("organisational_guidelines", "client_confidentiality")
        widgets = {name: _textarea(6) for name in fields}

    def sponsor_only_fields(self) -> list[str]:
        return ["organisational_guidelines"]


class RecordsForm(StepForm):
    step_key = "records"
    writes = ("records",)

    class Meta:
        fields = ("data_controller",)
        widgets = {"data_controller": _textarea(4)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = self.instance.record_rules
        for record_class in RecordClass:
            rule = rules[record_class]
            self.fields[f"{record_class}_retention_years"] = forms.IntegerField(
                label=f"{record_class.label}: keep for (years)",
                required=False,
                min_value=1,
                max_value=50,
                initial=rule["retention_years"],
            )
            self.fields[f"{record_class}_storage"] = forms.CharField(
                label=f"{record_class.label}: where they are kept",
                required=False,
                max_length=300,
                initial=rule["storage"],
            )
            self.fields[f"{record_class}_disposal"] = forms.CharField(
                label=f"{record_class.label}: how they are disposed of",
                required=False,
                max_length=300,
                initial=rule["disposal"],
            )

    def record_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": record_class.label,
                "years": self[f"{record_class}_retention_years"],
                "storage": self[f"{record_class}_storage"],
                "disposal": self[f"{record_class}_disposal"],
            }
            for record_class in RecordClass
        ]

    def apply(self, instance: Terms) -> None:
        instance.records = {
            record_class: {
                "retention_years": self.cleaned_data.get(f"{record_class}_retention_years"),
                "storage": self.cleaned_data.get(f"{record_class}_storage", "").strip(),
                "disposal": self.cleaned_data.get(f"{record_class}_disposal", "").strip(),
            }
            for record_class in RecordClass
        }


class EthicsForm(StepForm):
    step_key = "ethics"

    class Meta:
        fields = ("ethics_and_complaints", "recording", "testimonials", "health_information")
        widgets = {
            "ethics_and_complaints": _textarea(5),
            "recording": forms.RadioSelect,
            "testimonials": forms.RadioSelect,
            "health_information": _textarea(4),
        }


class EndingForm(StepForm):
    step_key = "ending"

    class Meta:
        fields = ("termination_terms", "notice_days", "amendment_process")
        widgets = {"termination_terms": _textarea(5), "amendment_process": _textarea(5)}


class NewAgreementForm(forms.Form):
    """The first question: who the agreement is for and which template to start from."""

    client = ClientChoiceField(
        queryset=Client.objects.none(),
        error_messages={"required": "Choose the client.", "invalid_choice": "Choose the client."},
    )
    template = forms.ChoiceField(label="Start from", choices=())
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave empty for “Coaching agreement: <client name>”.",
    )

    def __init__(self, *args: Any, coach: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = cast(forms.ModelChoiceField[Client], self.fields["client"])
        client_field.queryset = (
            Client.objects.for_coach(coach).active().select_related("organisation")
        )

        cast(forms.ChoiceField, self.fields["template"]).choices = [
            ("builtin", f"{BUILTIN_TEMPLATE_NAME} (built in)"),
            *((str(t.pk), t.name) for t in AgreementTemplate.objects.for_coach(coach)),
        ]


class TemplateForm(forms.ModelForm[AgreementTemplate]):
    class Meta:
        model = AgreementTemplate
        fields = ("name", "description")
        error_messages = {"name": {"required": "Name the template."}}

    def __init__(self, *args: Any, coach: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coach = coach

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        taken = AgreementTemplate.objects.for_coach(self.coach).filter(name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("You already have a template with this name.")
        return name


class DuplicateForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        label="Client of the new agreement",
        error_messages={"required": "Choose the client.", "invalid_choice": "Choose the client."},
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = (
            Client.objects.for_coach(agreement.coach).active().exclude(pk=agreement.client_id)
        )
        if agreement.organisation_id:
            clients = clients.filter(organisation_id=agreement.organisation_id)
        cast(forms.ModelChoiceField[Client], self.fields["client"]).queryset = clients
