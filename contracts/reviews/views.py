"""The review of a signed agreement: the coach's page, and the parties' confirmations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from contracts.access import SignerVisit, owned_agreement, signer_link
from contracts.drafting.perspectives import (
    Party,
    document_context,
    reader_column,
    reader_for,
)
from contracts.models import AgreementStatus, LinkPurpose, Review, ReviewOutcome
from contracts.reviews import services
from contracts.reviews.compare import compare
from contracts.reviews.forms import NextReviewForm, ReviewNotesForm
from contracts.snapshot import agreement_snapshot


@login_required
def review(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    current = agreement.open_review()
    form = None
    if current is not None:
        data = request.POST if request.method == "POST" else None
        form = ReviewNotesForm(data, instance=current)
    if form is not None and form.is_bound and form.is_valid():
        form.save()
        messages.success(request, "Your notes are saved. They are for you only.")
        return redirect("contracts:review", pk=agreement.pk)
    version = agreement.version_in_force()
    return render(
        request,
        "contracts/reviews/review.html",
        {
            "agreement": agreement,
            "date_form": NextReviewForm(instance=agreement),
            "review": current,
            "form": form,
            "version": version,
            "confirmations": list(current.confirmations.select_related("signer"))
            if current
            else [],
            "history": agreement.reviews.filter(completed_at__isnull=False),
            "limits": version.snapshot["terms"]["confidentiality_limits"] if version else [],
        },
    )


def _act(request: CoachRequest, pk: int, action: str) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    try:
        if action == "start":
            services.review_start(agreement=agreement, coach=request.user, request=request)
            messages.success(request, "The review has started. Record what you agree below.")
            return redirect("contracts:review", pk=agreement.pk)
        current = agreement.open_review()
        if current is None:
            raise services.ReviewError("Start the review first.")
        notes = _typed_notes(request, current)
        if action == "holds":
            services.review_still_holds(
                review=current, coach=request.user, notes=notes, request=request
            )
            messages.success(
                request, "The client and the sponsor are asked to confirm, each by email."
            )
            return redirect("contracts:review", pk=agreement.pk)
        services.review_amend(review=current, coach=request.user, notes=notes, request=request)
    except services.ReviewError as error:
        messages.error(request, str(error))
        return redirect("contracts:review", pk=agreement.pk)
    messages.success(
        request,
        "The agreement is a draft again, with the terms in force. Change what you agreed, "
        "then send it: everyone signs the new version.",
    )
    return redirect("contracts:agreement-detail", pk=agreement.pk)


def _typed_notes(request: CoachRequest, review: Review) -> str | None:
    """The notes posted with a decision (the page sends them with each button), if any."""
    if "notes" not in request.POST:
        return None
    form = ReviewNotesForm(request.POST, instance=review)
    return str(form.cleaned_data["notes"]) if form.is_valid() else None


@login_required
@require_POST
def review_start(request: CoachRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "start")


@login_required
@require_POST
def review_holds(request: CoachRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "holds")


@login_required
@require_POST
def review_amend(request: CoachRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "amend")


@login_required
def agreement_changes(request: CoachRequest, pk: int) -> HttpResponse:
    """Side by side: the version in force and the amended draft."""
    agreement = owned_agreement(request, pk)
    in_force = agreement.version_in_force()
    if in_force is None:
        messages.info(request, "There is no signed version to compare with yet.")
        return redirect(agreement)
    draft = agreement_snapshot(agreement)
    return render(
        request,
        "contracts/reviews/changes.html",
        {
            "agreement": agreement,
            "version": in_force,
            "changes": compare(in_force.snapshot, draft),
        },
    )


@login_required
def agreement_version(request: CoachRequest, pk: int, number: int) -> HttpResponse:
    """Any version of the agreement, as signed (superseded ones stay readable)."""
    agreement = owned_agreement(request, pk)
    version = agreement.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    context = document_context(version.snapshot, Party.COACH)
    context.update(agreement=agreement, version=version)
    return render(request, "contracts/reviews/version.html", context)


@signer_link(LinkPurpose.CONFIRM)
def review_confirm(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """A party confirms, by emailed link, that the reviewed agreement still holds."""
    signer = visit.signer
    confirmation = (
        signer.review_confirmations.select_related("review").order_by("-requested_at").first()
    )
    if confirmation is None:
        raise Http404("Nothing to confirm.")
    done = confirmation.confirmed_at is not None
    if request.method == "POST" and not done:
        try:
            services.review_confirm(confirmation=confirmation, request=request)
        except services.ReviewError:
            return render(
                request,
                "contracts/reviews/review_confirm.html",
                {"closed": True, "signer": signer},
            )
        done = True
    context = document_context(
        signer.version.snapshot, reader_for(signer.role), you=reader_column(signer)
    )
    context.update(
        signer=signer,
        version=signer.version,
        done=done,
        closed=confirmation.review.outcome not in {ReviewOutcome.HOLDS, ReviewOutcome.CONFIRMED},
    )
    return render(request, "contracts/reviews/review_confirm.html", context)


@login_required
@require_POST
def review_date(request: CoachRequest, pk: int) -> HttpResponse:
    """Move the next review date (reminders follow the new date)."""
    agreement = owned_agreement(request, pk)
    if agreement.status != AgreementStatus.SIGNED:
        messages.error(request, "Only a signed agreement has a next review date.")
        return redirect(agreement)
    form = NextReviewForm(request.POST, instance=agreement)
    if not form.is_valid():
        for error in form.errors.get("next_review_on", []):
            messages.error(request, str(error))
        return redirect("contracts:review", pk=agreement.pk)
    form.save(commit=False).save(update_fields=["next_review_on", "updated_at"])
    messages.success(request, f"The next review is on {agreement.next_review_on:%d %B %Y}.")
    return redirect("contracts:review", pk=agreement.pk)
