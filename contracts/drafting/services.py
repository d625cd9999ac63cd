"""Workflows on agreements and templates: create, save a step, duplicate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max

from coaching.models import Client, ContactRole, Organisation, SponsorContact, User
from contracts.drafting.concurrency import NotADraft, StaleStep, saved_value, step_fingerprint
from contracts.drafting.default_terms import BUILTIN_TEMPLATE_NAME, builtin_terms
from contracts.models import Agreement, AgreementStatus, AgreementTemplate, Payer, Terms


def _next_number(coach: User) -> int:
    """The coach's next agreement number; the coach's row lock serialises concurrent creates."""
    User.objects.select_for_update().filter(pk=coach.pk).first()
    highest = Agreement.objects.filter(coach=coach).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def _default_signatory(organisation: Organisation) -> SponsorContact | None:
    """The sponsor's HR contact if there is one, else its first active contact."""
    contacts = organisation.contacts.filter(archived_at__isnull=True)
    return contacts.filter(role=ContactRole.HR).first() or contacts.first()


@transaction.atomic
def agreement_create(
    *, coach: User, client: Client, template: AgreementTemplate | None, title: str = ""
) -> Agreement:
    """A new draft for the client, with the terms of the chosen template (or the built-in one)."""
    organisation = client.organisation
    two_party = organisation is None or organisation.is_archived
    if template is None:
        source: dict[str, Any] = builtin_terms(profile=coach.profile, two_party=two_party)
        template_name = BUILTIN_TEMPLATE_NAME
    else:
        source, template_name = template.terms_data(), template.name
    agreement = Agreement(
        coach=coach,
        number=_next_number(coach),
        client=client,
        title=title.strip() or f"Coaching agreement: {client.name}",
        template_name=template_name,
        **source,
    )
    if organisation is not None and not two_party:
        agreement.organisation = organisation
        agreement.sponsor_signatory = _default_signatory(organisation)
    else:
        agreement.payer = Payer.CLIENT
    agreement.save()
    return agreement


@transaction.atomic
@transaction.atomic
def terms_save_step(
    *,
    terms: Terms,
    step_key: str,
    fields: list[str],
    seen: str,
    stakeholders: Iterable[SponsorContact] | None = None,
) -> None:
    """Save one builder step of a draft agreement or a template: only that step's
    `fields`, with its answers already applied to `terms`, and only if the step's saved
    answers are still those its page was built from (`seen`, see `concurrency`).

    Raises StaleStep when they changed in between, NotADraft when the agreement was sent
    meanwhile. For an agreement, remember where the coach got to, and keep a private
    client's agreement free of any sponsor.
    """
    locked = type(terms)._default_manager.select_for_update().get(pk=terms.pk)
    if isinstance(locked, Agreement) and not locked.is_editable:
        raise NotADraft
    if step_fingerprint(locked, step_key=step_key, fields=fields) != seen:
        submitted = {
            name: sorted(contact.pk for contact in stakeholders or [])
            if name == "stakeholders"
            else saved_value(terms, name, step_key=step_key)
            for name in fields
        }
        raise StaleStep(
            changed=[
                name
                for name in fields
                if saved_value(locked, name, step_key=step_key) != submitted[name]
            ],
            seen=step_fingerprint(locked, step_key=step_key, fields=fields),
        )
    written = {"updated_at"}
    for name in fields:
        field = locked._meta.get_field(name)
        if name == "additional_terms":
            extra = (
                dict(locked.additional_terms) if isinstance(locked.additional_terms, dict) else {}
            )
            if mine := saved_value(terms, name, step_key=step_key):
                extra[step_key] = mine
            else:
                extra.pop(step_key, None)
            locked.additional_terms = extra
        elif not field.many_to_many:
            attname = getattr(field, "attname", name)
            setattr(locked, attname, getattr(terms, attname))
        else:
            continue
        written.add(name)
    if isinstance(locked, Agreement):
        locked.last_step = step_key
        written.add("last_step")
        if locked.organisation_id is None:
            locked.sponsor_signatory = None
            locked.payer = Payer.CLIENT
            written |= {"sponsor_signatory", "payer"}
            stakeholders = []
    locked.save(update_fields=sorted(written))
    if isinstance(locked, Agreement) and stakeholders is not None:
        locked.stakeholders.set(stakeholders)


@transaction.atomic
def agreement_duplicate(*, agreement: Agreement, client: Client) -> Agreement:
    """A new draft with the same sponsor and terms, for another client."""
    copy = Agreement(
        coach=agreement.coach,
        number=_next_number(agreement.coach),
        client=client,
        title=f"Coaching agreement: {client.name}",
        status=AgreementStatus.DRAFT,
        organisation=agreement.organisation,
        sponsor_signatory=agreement.sponsor_signatory,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
        review_date=agreement.review_date,
        template_name=agreement.template_name,
    )
    agreement.copy_terms_to(copy)
    copy.goals = []  # goals belong to one client
    copy.save()
    copy.stakeholders.set(agreement.stakeholders.all())
    return copy


@transaction.atomic
def template_create(
    *,
    coach: User,
    name: str,
    description: str = "",
    source: Agreement | AgreementTemplate | None = None,
) -> AgreementTemplate:
    """A coach's template from the built-in terms, another template or an agreement."""
    template = AgreementTemplate(coach=coach, name=name, description=description)
    if source is None:
        for field, value in builtin_terms(profile=coach.profile).items():
            setattr(template, field, value)
    else:
        source.copy_terms_to(template)
    template.goals = []
    template.save()
    return template
