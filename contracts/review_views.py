"""The review of a signed agreement: the coach's page, and the parties' confirmations."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from contracts import reviews
from contracts.compare import compare
from contracts.models import Agreement, AgreementStatus, LinkPurpose, Review, ReviewOutcome
from contracts.perspectives import Party, document_context
from contracts.signing_views import _reader, _signer_from_link
from contracts.snapshot import agreement_snapshot
from contracts.views import owned_agreement


class NextReviewForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ("next_review_on",)
        widgets = {
            "next_review_on": forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            )
        }
        error_messages = {"next_review_on": {"required": "Choose the date of the next review."}}

    def clean_next_review_on(self) -> object:
        day = self.cleaned_data["next_review_on"]
        if day is not None and self.instance.end_date and day > self.instance.end_date:
            raise forms.ValidationError(
                "That is after the engagement ends: choose a date before "
                f"{self.instance.end_date:%d %B %Y}, or amend the end date."
            )
        return day


class ReviewNotesForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ("notes",)
        widgets = {"notes": forms.Textarea(attrs={"rows": 8})}


@login_required
def review(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    current = reviews.open_review(agreement)
    form = None
    if current is not None:
        data = request.POST if request.method == "POST" else None
        form = ReviewNotesForm(data, instance=current)
    if form is not None and form.is_bound and form.is_valid():
        form.save()
        messages.success(request, "Your notes are saved. They are for you only.")
        return redirect("contracts:review", pk=agreement.pk)
    version = reviews.version_in_force(agreement)
    return render(
        request,
        "contracts/review.html",
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
            reviews.review_start(agreement=agreement, coach=request.user, request=request)
            messages.success(request, "The review has started. Record what you agree below.")
            return redirect("contracts:review", pk=agreement.pk)
        current = reviews.open_review(agreement)
        if current is None:
            raise reviews.ReviewError("Start the review first.")
        if action == "holds":
            reviews.review_still_holds(review=current, coach=request.user, request=request)
            messages.success(
                request, "The client and the sponsor are asked to confirm, each by email."
            )
            return redirect("contracts:review", pk=agreement.pk)
        reviews.review_amend(review=current, coach=request.user, request=request)
    except reviews.ReviewError as error:
        messages.error(request, str(error))
        return redirect("contracts:review", pk=agreement.pk)
    messages.success(
        request,
        "The agreement is a draft again, with the terms in force. Change what you agreed, "
        "then send it: everyone signs the new version.",
    )
    return redirect("contracts:agreement-detail", pk=agreement.pk)


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
    in_force = reviews.version_in_force(agreement)
    if in_force is None:
        messages.info(request, "There is no signed version to compare with yet.")
        return redirect(agreement)
    draft = agreement_snapshot(agreement)
    return render(
        request,
        "contracts/changes.html",
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
    return render(request, "contracts/version.html", context)


def review_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A party confirms, by emailed link, that the reviewed agreement still holds."""
    found = _signer_from_link(request, token, LinkPurpose.CONFIRM)
    if isinstance(found, HttpResponse):
        return found
    signer = found
    confirmation = (
        signer.review_confirmations.select_related("review").order_by("-requested_at").first()
    )
    if confirmation is None:
        raise Http404("Nothing to confirm.")
    done = confirmation.confirmed_at is not None
    if request.method == "POST" and not done:
        try:
            reviews.review_confirm(confirmation=confirmation, request=request)
        except reviews.ReviewError:
            return render(
                request, "contracts/review_confirm.html", {"closed": True, "signer": signer}
            )
        done = True
    context = document_context(signer.version.snapshot, _reader(signer))
    context.update(
        signer=signer,
        version=signer.version,
        done=done,
        closed=confirmation.review.outcome not in {ReviewOutcome.HOLDS, ReviewOutcome.CONFIRMED},
    )
    return render(request, "contracts/review_confirm.html", context)


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
    form.save()
    messages.success(request, f"The next review is on {agreement.next_review_on:%d %B %Y}.")
    return redirect("contracts:review", pk=agreement.pk)
