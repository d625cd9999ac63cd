"""The coach's agreements and templates: list, create, the builder's steps, previews."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Func, IntegerField, Q, QuerySet, Subquery
from django.db.models.expressions import Col
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest, parse_id, query_id, query_text
from coaching.lean import columns_of, read_values, select_list
from coaching.models import Organisation
from coaching.pages import page_key, render_kept
from coaching.scoping import get_owned_or_404
from contracts.access import owned_agreement
from contracts.audit import check_new_events
from contracts.drafting import builder, services
from contracts.drafting.checks import Problem, agreement_problems
from contracts.drafting.concurrency import NotADraft, StaleStep
from contracts.drafting.default_terms import BUILTIN_TEMPLATE_DESCRIPTION, BUILTIN_TEMPLATE_NAME
from contracts.drafting.forms import (
    DuplicateForm,
    NewAgreementForm,
    PartiesForm,
    StepForm,
    TemplateForm,
)
from contracts.drafting.perspectives import Party, document_context, parties_for
from contracts.drafting.sections import SECTION_TITLES
from contracts.models import (
    SHOWN_STATUSES,
    Agreement,
    AgreementQuerySet,
    AgreementRow,
    AgreementStatus,
    AgreementTemplate,
    EmailKind,
    EmailState,
    OutgoingEmail,
    PdfStatus,
    SessionStatus,
    SignerRole,
    SignerStatus,
    Terms,
)
from contracts.snapshot import agreement_snapshot

PAGE_SIZE = 25


# A page asked for beyond this is found the slow way, against the count: its offset would
# be out of the database's range.
FARTHEST_COUNTED_PAGE = 10**6


class RowsPaginator(Paginator[tuple[Any, ...]]):
    """Pages of a list's rows, counted on the filtered agreements alone: the rows' joins to
    client, sponsor and signatory change no count, yet counting through them makes
    PostgreSQL read every agreement instead of an index."""

    def __init__(
        self, rows: Any, per_page: int, *, counted: QuerySet[Agreement], count: int | None = None
    ) -> None:
        super().__init__(rows, per_page)
        self.counted = counted
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else self.counted.count()


def rows_page(agreements: AgreementQuerySet, asked: str | None) -> Page[tuple[Any, ...]]:
    """The page of the agreements' rows asked for, as `Paginator.get_page` finds it, in one
    statement: each row carries the count, from a subquery the database runs once. A page
    that turns out empty (none at all, or past the last) is found again against the count."""
    rows = agreements.rows()
    try:
        number = max(int(asked or 1), 1)
    except ValueError:
        number = 1
    if number <= FARTHEST_COUNTED_PAGE:
        # COUNT as a plain function, as Django's documentation counts in a subquery: an
        # aggregate would add a GROUP BY, and PostgreSQL would scan the table to group.
        count = Subquery(
            agreements.order_by()
            .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
            .values("n")
        )
        start = (number - 1) * PAGE_SIZE
        counted = list(rows.annotate(total=count)[start : start + PAGE_SIZE])
        if counted:
            paginator = RowsPaginator(rows, PAGE_SIZE, counted=agreements, count=counted[0][-1])
            return Page([row[:-1] for row in counted], number, paginator)
    return RowsPaginator(rows, PAGE_SIZE, counted=agreements).get_page(asked)


@functools.cache
def _sponsor_choices_statement() -> tuple[str, tuple[Col, ...]]:
    quote = connection.ops.quote_name
    columns = columns_of(((Organisation, ("id", "name")),))
    table = quote(Organisation._meta.db_table)
    # Only the model's own table and column names go into the text; the coach is bound.
    sql = (
        f"SELECT {select_list(columns)} FROM {table}"  # noqa: S608
        f" WHERE {table}.coach_id = %s ORDER BY LOWER({table}.name)"
    )
    return sql, columns


def sponsor_choices(coach_id: int) -> list[tuple[int, str]]:
    """The coach's sponsor organisations for the list's filter, as (id, name) in the
    order of their names: one statement written out once (see `coaching.lean`), as the
    ORM took four times as long composing it as the database took answering."""
    sql, columns = _sponsor_choices_statement()
    return [(pk, name) for pk, name in read_values(sql, [coach_id], columns)]


@login_required
def agreement_list(request: CoachRequest) -> HttpResponse:
    agreements = Agreement.objects.for_coach(request.user)
    query = query_text(request, "q")
    status = request.GET.get("status", "")
    if status == AgreementStatus.SIGNED:  # the name before versions in force were shown
        status = "in_force"
    organisation = request.GET.get("organisation", "")
    organisation_id = parse_id(organisation)
    if query:
        agreements = agreements.search(query)
    if status in SHOWN_STATUSES:
        agreements = agreements.shown_as(status)
    if organisation == "private":
        agreements = agreements.filter(organisation__isnull=True)
    elif organisation_id is not None:
        agreements = agreements.filter(organisation_id=organisation_id)
    page = rows_page(agreements, request.GET.get("page"))
    values = list(page.object_list)
    organisations = sponsor_choices(request.user.pk)
    filtered = bool(query or status or organisation)
    context = {
        "page": page,
        "rows": [AgreementRow(*row) for row in values],
        "q": query,
        "status": status,
        "organisation": organisation,
        "statuses": list(SHOWN_STATUSES.items()),
        "organisations": organisations,
        "filtered": filtered,
        "has_any": filtered or page.paginator.count > 0,
    }
    # Everything the page shows, for keeping it whole (coaching.pages): the coach's name
    # in the menu, the rows' own values, the page, the filters and their choices.
    key = page_key(
        request.user.pk,
        request.user.full_name,
        request.user.email,
        values,
        page.number,
        page.paginator.count,
        query,
        status,
        organisation,
        organisations,
    )
    return render_kept(request, "contracts/drafting/agreement_list.html", context, key=key)


@login_required
def agreement_create(request: CoachRequest) -> HttpResponse:
    client_id = query_id(request, "client")
    initial = {"client": client_id} if client_id is not None else {}
    form = NewAgreementForm(
        request.POST if request.method == "POST" else None, coach=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["template"]
        template = (
            None
            if choice == "builtin"
            else get_owned_or_404(AgreementTemplate, request.user, pk=choice)
        )
        agreement = services.agreement_create(
            coach=request.user,
            client=form.cleaned_data["client"],
            template=template,
            title=form.cleaned_data["title"],
        )
        messages.success(
            request,
            f"Your draft starts from “{agreement.template_name}”. Check each step: everything is "
            "saved as you go, and you can come back at any time.",
        )
        return redirect("contracts:agreement-step", pk=agreement.pk, step="parties")
    return render(request, "contracts/drafting/agreement_create.html", {"form": form})


def _progress(instance: Terms, problems: list[Problem]) -> list[dict[str, Any]]:
    blocking = {problem.step for problem in problems if problem.blocks_sending}
    return [
        {"step": step, "complete": step.key not in blocking}
        for step in builder.steps_for(instance)
    ]


@login_required
def agreement_detail(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    problems = agreement_problems(agreement) if agreement.is_editable else []
    progress = _progress(agreement, problems)
    resume = next((item["step"] for item in progress if not item["complete"]), None)
    versions = list(agreement.versions.order_by("-number"))
    version = versions[0] if versions else None
    # Reminders count once the mail server has taken them, not when they were queued.
    signers = (
        list(
            version.signers.annotate(
                reminders_delivered=Count(
                    "emails",
                    filter=Q(emails__kind=EmailKind.REMINDER, emails__state=EmailState.SENT),
                )
            )
        )
        if version
        else []
    )
    # Each person with their latest email, so the page says whether it reached them.
    deliveries = OutgoingEmail.objects.latest_by_signer([s.pk for s in signers])
    people = [(person, deliveries.get(person.pk)) for person in signers]
    in_force = next((v for v in versions if v.completed_at and v.ended_at is None), None)
    sessions = agreement.sessions.aggregate(
        used=Count("pk", filter=Q(counted=True)),
        planned=Count("pk", filter=Q(status=SessionStatus.PLANNED)),
    )
    agreed = in_force.snapshot["terms"]["session_count"] if in_force else None
    return render(
        request,
        "contracts/drafting/agreement_detail.html",
        {
            "agreement": agreement,
            "version": version,
            "signers": [(person, email) for person, email in people if person.signs],
            "observers": [(person, email) for person, email in people if not person.signs],
            "coach_to_sign": any(
                s.role == SignerRole.COACH and s.status == SignerStatus.INVITED for s in signers
            )
            and agreement.is_out_for_signature,
            "trail": check_new_events(agreement),
            "in_force": in_force,
            "sessions": {
                **sessions,
                "agreed": agreed,
                "left": max(agreed - sessions["used"], 0) if agreed else None,
            },
            "open_review": agreement.open_review(),
            "past_reviews": list(agreement.reviews.filter(completed_at__isnull=False)[:1]),
            "review_overdue": bool(
                agreement.next_review_on and agreement.next_review_on < timezone.localdate()
            ),
            "versions": versions,
            "problems": problems,
            "blocking": [p for p in problems if p.blocks_sending],
            "warnings": [p for p in problems if not p.blocks_sending],
            "progress": progress,
            "resume": resume,
            "step_titles": SECTION_TITLES,
            "parties": parties_for(two_party=agreement.is_two_party),
            "stakeholders": list(agreement.stakeholders.all()),
            "pdfs_unready": list(
                agreement.pdfs.exclude(status=PdfStatus.READY)
                .select_related("version")
                .order_by("requested_at")
            ),
        },
    )


@login_required
def agreement_step(request: CoachRequest, pk: int, step: str) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    if builder.find_step(agreement, step) is not None and not agreement.is_editable:
        messages.info(request, "This agreement has been sent, so its terms can no longer change.")
        return redirect(agreement)
    return _builder_step(request, agreement, step)


@login_required
def template_step(request: CoachRequest, pk: int, step: str) -> HttpResponse:
    return _builder_step(request, get_owned_or_404(AgreementTemplate, request.user, pk=pk), step)


def _builder_step(
    request: CoachRequest, terms: Agreement | AgreementTemplate, key: str
) -> HttpResponse:
    """One step of the builder, for a draft agreement or a template: show, check, save."""
    current = builder.find_step(terms, key)
    if current is None:
        raise Http404("No such step.")
    form = builder.step_form(
        current, terms, coach=request.user, data=request.POST if request.method == "POST" else None
    )
    is_template = isinstance(terms, AgreementTemplate)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.terms_save_step(
                terms=form.save(commit=False),
                step_key=current.key,
                fields=form.step_fields(),
                seen=form.cleaned_data["seen"],
                stakeholders=form.cleaned_data["stakeholders"]
                if "stakeholders" in form.fields
                else None,
            )
        except NotADraft:
            messages.info(
                request, "This agreement has been sent, so its terms can no longer change."
            )
            return redirect(terms)
        except StaleStep as stale:
            # Show the refused input back, now answering the saved version: saving it
            # again replaces what the other tab saved, knowingly.
            terms.refresh_from_db()
            data = request.POST.copy()
            data["seen"] = stale.seen
            form = builder.step_form(current, terms, coach=request.user, data=data)
            form.is_valid()
            form.add_error(None, _stale_message(form, stale, step=current.title))
            status = 409
        else:
            if isinstance(form, PartiesForm) and form.asks_for_contacts():
                messages.info(
                    request,
                    "The sponsor is saved. Now choose who signs for it, from its contacts below.",
                )
                return redirect("contracts:agreement-step", pk=terms.pk, step=current.key)
            following = builder.next_step(terms, current)
            if "save_and_check" in request.POST or following is None:
                where = f" in “{terms.name}”" if isinstance(terms, AgreementTemplate) else ""
                messages.success(request, f"“{current.title}” is saved{where}.")
                return (
                    redirect("contracts:template-edit", pk=terms.pk)
                    if is_template
                    else redirect(terms)
                )
            name = "contracts:template-step" if is_template else "contracts:agreement-step"
            return redirect(name, pk=terms.pk, step=following.key)
    problems = agreement_problems(terms) if isinstance(terms, Agreement) else []
    return render(
        request,
        "contracts/drafting/agreement_step.html",
        {
            "template" if is_template else "agreement": terms,
            "object": terms,
            "form": form,
            "step": current,
            "step_templates": current.templates,
            "progress": _progress(terms, problems),
            "step_problems": [p for p in problems if p.step == current.key],
            "next": builder.next_step(terms, current),
            "profile": request.user.profile,
        },
        status=status,
    )


def _stale_message(form: StepForm, stale: StaleStep, *, step: str) -> str:
    """What changed, by the names the page gives those answers (the step's own name for
    those it shows as several fields, such as the goals)."""
    labels = [
        str(form.fields[name].label or name) if name in form.fields else step
        for name in stale.changed
    ]
    changed = ", ".join(dict.fromkeys(labels)) or step
    return (
        f"This step was changed in another tab or by another person since you opened it "
        f"({changed}). Your answers are shown below, not saved: check them against the "
        "saved version, then save again to keep yours."
    )


@login_required
def agreement_preview(request: CoachRequest, pk: int, party: str) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    try:
        reader = Party(party)
    except ValueError:
        raise Http404("No such party.") from None
    parties = parties_for(two_party=agreement.is_two_party)
    if reader not in parties:
        raise Http404("This agreement has no sponsor.")
    # Once sent, the parties read the frozen version; a draft is shown as it stands.
    version = None if agreement.is_editable else agreement.current_version()
    snapshot = version.snapshot if version else agreement_snapshot(agreement)
    context = document_context(snapshot, reader)
    context.update(agreement=agreement, parties=parties, version=version)
    return render(request, "contracts/drafting/agreement_preview.html", context)


@login_required
def agreement_duplicate(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    form = DuplicateForm(request.POST if request.method == "POST" else None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        copy = services.agreement_duplicate(
            agreement=agreement, client=form.cleaned_data["client"]
        )
        messages.success(
            request,
            f"A new draft for {copy.client.name} is ready, with the same sponsor and terms. "
            "Set the client's own goals.",
        )
        return redirect("contracts:agreement-step", pk=copy.pk, step="goals")
    return render(
        request,
        "contracts/drafting/agreement_duplicate.html",
        {"agreement": agreement, "form": form},
    )


# Templates


@login_required
def template_list(request: CoachRequest) -> HttpResponse:
    return render(
        request,
        "contracts/drafting/template_list.html",
        {
            "templates": AgreementTemplate.objects.for_coach(request.user),
            "builtin_name": BUILTIN_TEMPLATE_NAME,
            "builtin_description": BUILTIN_TEMPLATE_DESCRIPTION,
        },
    )


@login_required
def template_create(request: CoachRequest) -> HttpResponse:
    source_id = query_id(request, "from")
    source = (
        get_owned_or_404(AgreementTemplate, request.user, pk=source_id)
        if source_id is not None
        else None
    )
    form = TemplateForm(request.POST if request.method == "POST" else None, coach=request.user)
    if request.method == "POST" and form.is_valid():
        template = services.template_create(
            coach=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            source=source,
        )
        messages.success(request, f"“{template.name}” is created. Adjust its sections below.")
        return redirect("contracts:template-step", pk=template.pk, step="roles")
    return render(
        request, "contracts/drafting/template_form.html", {"form": form, "source": source}
    )


@login_required
def template_edit(request: CoachRequest, pk: int) -> HttpResponse:
    template = get_owned_or_404(AgreementTemplate, request.user, pk=pk)
    form = TemplateForm(
        request.POST if request.method == "POST" else None, instance=template, coach=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"“{template.name}” is saved.")
        return redirect("contracts:template-edit", pk=template.pk)
    return render(
        request,
        "contracts/drafting/template_form.html",
        {"form": form, "object": template, "steps": builder.steps_for(template)},
    )


@login_required
@require_POST
def template_delete(request: CoachRequest, pk: int) -> HttpResponse:
    template = get_owned_or_404(AgreementTemplate, request.user, pk=pk)
    template.delete()
    messages.success(
        request, f"“{template.name}” is deleted. Agreements made from it keep their terms."
    )
    return redirect("contracts:template-list")
