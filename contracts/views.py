"""Views for agreements and the coach's templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from coaching.models import Organisation
from coaching.scoping import get_owned_or_404
from contracts import builder, services
from contracts.audit import verify_trail
from contracts.checks import agreement_problems
from contracts.default_terms import BUILTIN_TEMPLATE_DESCRIPTION, BUILTIN_TEMPLATE_NAME
from contracts.forms import DuplicateForm, NewAgreementForm, TemplateForm
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementTemplate,
    SignerRole,
    SignerStatus,
    Terms,
)
from contracts.perspectives import Party, document_context, parties_for
from contracts.reviews import open_review, version_in_force
from contracts.signing import current_version
from contracts.snapshot import agreement_snapshot

PAGE_SIZE = 25


@login_required
def agreement_list(request: CoachRequest) -> Any:
    agreements = Agreement.objects.for_coach(request.user).select_related(
        "client", "organisation", "sponsor_signatory"
    )
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    organisation = request.GET.get("organisation", "")
    if query:
        agreements = agreements.search(query)
    if status in AgreementStatus.values:
        agreements = agreements.filter(status=status)
    if organisation == "private":
        agreements = agreements.filter(organisation__isnull=True)
    elif organisation.isdigit():
        agreements = agreements.filter(organisation_id=organisation)
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = bool(query or status or organisation)
    return render(
        request,
        "contracts/agreement_list.html",
        {
            "page": page,
            "q": query,
            "status": status,
            "organisation": organisation,
            "statuses": AgreementStatus.choices,
            "organisations": Organisation.objects.for_coach(request.user).only("pk", "name"),
            "filtered": filtered,
            "has_any": filtered or page.paginator.count > 0,
        },
    )


@login_required
def agreement_create(request: CoachRequest) -> HttpResponse:
    initial = (
        {"client": request.GET.get("client")} if request.GET.get("client", "").isdigit() else {}
    )
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
    return render(request, "contracts/agreement_create.html", {"form": form})


def owned_agreement(request: CoachRequest, pk: int) -> Agreement:
    """The signed-in coach's agreement named in the URL, with its parties; else 404."""
    return get_owned_or_404(Agreement.objects.with_parties(), request.user, pk=pk)


def step_templates(step: builder.Step) -> list[str]:
    """The step's own template if it has one, else the plain list of its fields."""
    return [f"contracts/steps/{step.key}.html", "contracts/steps/_fields.html"]


def _progress(instance: Terms, problems: list[Any]) -> list[dict[str, Any]]:
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
    version = current_version(agreement)
    signers = list(version.signers.all()) if version else []
    return render(
        request,
        "contracts/agreement_detail.html",
        {
            "agreement": agreement,
            "version": version,
            "signers": [s for s in signers if s.signs],
            "observers": [s for s in signers if not s.signs],
            "coach_to_sign": any(
                s.role == SignerRole.COACH and s.status == SignerStatus.INVITED for s in signers
            )
            and agreement.is_out_for_signature,
            "trail": verify_trail(agreement),
            "in_force": version_in_force(agreement),
            "open_review": open_review(agreement),
            "past_reviews": list(agreement.reviews.filter(completed_at__isnull=False)[:1]),
            "review_overdue": bool(
                agreement.next_review_on and agreement.next_review_on < timezone.localdate()
            ),
            "versions": list(agreement.versions.order_by("-number")),
            "problems": problems,
            "blocking": [p for p in problems if p.blocks_sending],
            "warnings": [p for p in problems if not p.blocks_sending],
            "progress": progress,
            "resume": resume,
            "step_titles": builder.STEP_TITLES,
            "parties": parties_for(two_party=agreement.is_two_party),
            "stakeholders": list(agreement.stakeholders.all()),
        },
    )


@login_required
def agreement_step(request: CoachRequest, pk: int, step: str) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    current = builder.find_step(agreement, step)
    if current is None:
        raise Http404("No such step.")
    if not agreement.is_editable:
        messages.info(request, "This agreement has been sent, so its terms can no longer change.")
        return redirect(agreement)
    form = builder.step_form(
        current,
        agreement,
        coach=request.user,
        data=request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        services.agreement_save_step(form=form, step_key=current.key)
        following = builder.next_step(agreement, current)
        if "save_and_check" in request.POST or following is None:
            messages.success(request, f"“{current.title}” is saved.")
            return redirect(agreement)
        return redirect("contracts:agreement-step", pk=agreement.pk, step=following.key)
    problems = agreement_problems(agreement)
    return render(
        request,
        "contracts/agreement_step.html",
        {
            "agreement": agreement,
            "object": agreement,
            "form": form,
            "step": current,
            "step_templates": step_templates(current),
            "progress": _progress(agreement, problems),
            "step_problems": [p for p in problems if p.step == current.key],
            "next": builder.next_step(agreement, current),
            "profile": getattr(request.user, "profile", None),
        },
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
    version = None if agreement.is_editable else current_version(agreement)
    snapshot = version.snapshot if version else agreement_snapshot(agreement)
    context = document_context(snapshot, reader)
    context.update(agreement=agreement, parties=parties, version=version)
    return render(request, "contracts/agreement_preview.html", context)


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
        request, "contracts/agreement_duplicate.html", {"agreement": agreement, "form": form}
    )


# Templates


@login_required
def template_list(request: CoachRequest) -> HttpResponse:
    return render(
        request,
        "contracts/template_list.html",
        {
            "templates": AgreementTemplate.objects.for_coach(request.user),
            "builtin_name": BUILTIN_TEMPLATE_NAME,
            "builtin_description": BUILTIN_TEMPLATE_DESCRIPTION,
        },
    )


@login_required
def template_create(request: CoachRequest) -> HttpResponse:
    source_id = request.GET.get("from", "")
    source = (
        get_owned_or_404(AgreementTemplate, request.user, pk=source_id)
        if source_id.isdigit()
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
    return render(request, "contracts/template_form.html", {"form": form, "source": source})


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
        "contracts/template_form.html",
        {"form": form, "object": template, "steps": builder.steps_for(template)},
    )


@login_required
def template_step(request: CoachRequest, pk: int, step: str) -> HttpResponse:
    template = get_owned_or_404(AgreementTemplate, request.user, pk=pk)
    current = builder.find_step(template, step)
    if current is None:
        raise Http404("No such step.")
    form = builder.step_form(
        current,
        template,
        coach=request.user,
        data=request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        following = builder.next_step(template, current)
        if "save_and_check" in request.POST or following is None:
            messages.success(request, f"“{current.title}” is saved in “{template.name}”.")
            return redirect("contracts:template-edit", pk=template.pk)
        return redirect("contracts:template-step", pk=template.pk, step=following.key)
    return render(
        request,
        "contracts/agreement_step.html",
        {
            "template": template,
            "object": template,
            "form": form,
            "step": current,
            "step_templates": step_templates(current),
            "progress": [{"step": s, "complete": True} for s in builder.steps_for(template)],
            "step_problems": [],
            "next": builder.next_step(template, current),
            "profile": getattr(request.user, "profile", None),
        },
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
