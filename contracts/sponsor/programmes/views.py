"""The coach's programmes: list, create, edit (extend), a programme's agreements and
budget, and its agreements created from a CSV file of clients (preview, then create)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from coaching.models import SponsorContact
from coaching.scoping import get_owned_or_404
from contracts.drafting.checks import is_ready_to_send
from contracts.models import Agreement, AgreementStatus, AgreementTemplate, Programme
from contracts.sponsor.programmes import bulk, services
from contracts.sponsor.programmes.forms import AddAgreementsForm, BulkForm, ProgrammeForm


def _session_key(programme: Programme) -> str:
    return f"programme-bulk-{programme.pk}"


@login_required
def programme_list(request: CoachRequest) -> HttpResponse:
    programmes = (
        Programme.objects.filter(coach=request.user)
        .select_related("organisation")
        .order_by("-start_date", "name")
    )
    return render(
        request, "contracts/sponsor/programmes/list.html", {"programmes": list(programmes)}
    )


@login_required
def programme_new(request: CoachRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, coach=request.user)
    if request.method == "POST" and form.is_valid():
        programme = services.programme_save(programme=form.save(commit=False), coach=request.user)
        messages.success(request, "The programme is saved.")
        return redirect("contracts:programme-detail", pk=programme.pk)
    return render(
        request,
        "contracts/sponsor/programmes/form.html",
        {"form": form, "programme": None},
        status=400 if form.is_bound else 200,
    )


@login_required
def programme_edit(request: CoachRequest, pk: int) -> HttpResponse:
    programme = get_owned_or_404(Programme, request.user, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme, coach=request.user)
    if request.method == "POST" and form.is_valid():
        services.programme_save(programme=form.save(commit=False), coach=request.user)
        messages.success(request, "The programme is saved; the change is in its history.")
        return redirect("contracts:programme-detail", pk=programme.pk)
    return render(
        request,
        "contracts/sponsor/programmes/form.html",
        {"form": form, "programme": programme},
        status=400 if form.is_bound else 200,
    )


def _detail(
    request: CoachRequest, programme: Programme, *, add_form: AddAgreementsForm | None = None
) -> HttpResponse:
    budget = services.programme_budget(programme)
    addable = services.addable_agreements(programme)
    ready = [
        row.agreement
        for row in budget.rows
        if row.agreement.status == AgreementStatus.DRAFT and is_ready_to_send(row.agreement)
    ]
    return render(
        request,
        "contracts/sponsor/programmes/detail.html",
        {
            "programme": programme,
            "budget": budget,
            "add_form": add_form or AddAgreementsForm(addable=addable),
            "can_add": addable.exists(),
            "ready": ready,
            "drafts": sum(
                1 for row in budget.rows if row.agreement.status == AgreementStatus.DRAFT
            ),
            "changes": programme.changes.select_related("by")[:50],
            "labels": services.TRACKED,
        },
        status=400 if add_form is not None else 200,
    )


@login_required
def programme_detail(request: CoachRequest, pk: int) -> HttpResponse:
    programme = get_owned_or_404(
        Programme.objects.select_related("organisation"), request.user, pk=pk
    )
    return _detail(request, programme)


@login_required
@require_POST
def programme_agreements_add(request: CoachRequest, pk: int) -> HttpResponse:
    programme = get_owned_or_404(
        Programme.objects.select_related("organisation"), request.user, pk=pk
    )
    form = AddAgreementsForm(request.POST, addable=services.addable_agreements(programme))
    if not form.is_valid():
        return _detail(request, programme, add_form=form)
    added = services.programme_agreements_add(
        programme=programme, coach=request.user, agreements=form.cleaned_data["agreements"]
    )
    messages.success(request, f"{added} agreement{'s' if added != 1 else ''} added.")
    return redirect("contracts:programme-detail", pk=programme.pk)


@login_required
@require_POST
def programme_agreement_remove(request: CoachRequest, pk: int) -> HttpResponse:
    programme = get_owned_or_404(Programme, request.user, pk=pk)
    agreement = get_owned_or_404(
        Agreement.objects.filter(programme=programme),
        request.user,
        pk=request.POST.get("agreement", ""),
    )
    services.programme_agreement_remove(
        programme=programme, coach=request.user, agreement=agreement
    )
    messages.success(request, f"{agreement.reference} is no longer in the programme.")
    return redirect("contracts:programme-detail", pk=programme.pk)


@login_required
def programme_sample_csv(request: CoachRequest) -> HttpResponse:
    response = HttpResponse(bulk.SAMPLE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="programme-clients-sample.csv"'
    return response


def _bulk_page(
    request: CoachRequest,
    programme: Programme,
    *,
    form: BulkForm,
    rows: list[bulk.Row] | None = None,
    file_error: str = "",
    token: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "contracts/sponsor/programmes/bulk.html",
        {
            "programme": programme,
            "form": form,
            "rows": rows,
            "errors": sum(1 for row in rows or [] if row.errors),
            "reused": sum(1 for row in rows or [] if row.existing_client),
            "file_error": file_error,
            "token": token,
            "max_rows": bulk.MAX_ROWS,
        },
        status=status,
    )


@login_required
def programme_bulk(request: CoachRequest, pk: int) -> HttpResponse:
    """GET: the upload form. POST: the preview of every row, with its errors; a clean
    preview is kept in the session under a fresh token, for the create button."""
    programme = get_owned_or_404(
        Programme.objects.select_related("organisation"), request.user, pk=pk
    )
    if request.method != "POST":
        return _bulk_page(request, programme, form=BulkForm(programme=programme))
    form = BulkForm(request.POST, request.FILES, programme=programme)
    if not form.is_valid():
        return _bulk_page(request, programme, form=form, status=400)
    try:
        rows = bulk.preview(form.cleaned_data["file"].read(), programme=programme)
    except bulk.FileRefused as error:
        return _bulk_page(request, programme, form=form, file_error=str(error), status=400)
    if any(row.errors for row in rows):
        request.session.pop(_session_key(programme), None)
        return _bulk_page(request, programme, form=form, rows=rows, status=400)
    token = secrets.token_urlsafe(24)
    data = form.cleaned_data
    request.session[_session_key(programme)] = {
        "token": token,
        "rows": [row.as_data() for row in rows],
        "template": data["template"].pk if data["template"] else None,
        "signatory": data["signatory"].pk,
        "start_date": data["start_date"].isoformat() if data["start_date"] else None,
        "end_date": data["end_date"].isoformat() if data["end_date"] else None,
        "session_count": data["session_count"],
    }
    return _bulk_page(request, programme, form=form, rows=rows, token=token)


def _choices(programme: Programme, kept: dict[str, Any]) -> bulk.Choices:
    template = (
        get_owned_or_404(AgreementTemplate, programme.coach, pk=kept["template"])
        if kept["template"]
        else None
    )
    signatory = get_owned_or_404(
        SponsorContact.objects.filter(organisation=programme.organisation, archived_at=None),
        programme.coach,
        pk=kept["signatory"],
    )
    return bulk.Choices(
        template=template,
        signatory=signatory,
        start_date=date.fromisoformat(kept["start_date"]) if kept["start_date"] else None,
        end_date=date.fromisoformat(kept["end_date"]) if kept["end_date"] else None,
        session_count=kept["session_count"],
    )


@login_required
@require_POST
def programme_bulk_create(request: CoachRequest, pk: int) -> HttpResponse:
    """Create what the clean preview showed, once: the same preview submitted again (a
    double click, a reload) creates nothing more."""
    programme = get_owned_or_404(
        Programme.objects.select_related("organisation"), request.user, pk=pk
    )
    token = request.POST.get("token", "")
    kept = request.session.get(_session_key(programme))
    if token and programme.changes.filter(token=token).exists():
        messages.info(request, "These agreements were created already.")
        return redirect("contracts:programme-detail", pk=programme.pk)
    if not token or not kept or kept.get("token") != token:
        messages.error(request, "This preview is no longer current: choose the file again.")
        return redirect("contracts:programme-bulk", pk=programme.pk)
    rows = [bulk.Row.from_data(row) for row in kept["rows"]]
    try:
        created = bulk.programme_bulk_create(
            programme=programme,
            coach=request.user,
            rows=rows,
            choices=_choices(programme, kept),
            token=token,
        )
    except bulk.RowsRefused as refused:
        request.session.pop(_session_key(programme), None)
        form = BulkForm(programme=programme)
        messages.error(
            request, "Nothing was created: some rows changed since the preview. See below."
        )
        return _bulk_page(request, programme, form=form, rows=refused.rows, status=409)
    request.session.pop(_session_key(programme), None)
    count = len(created.agreements)
    if created.already:
        messages.info(request, "These agreements were created already.")
    else:
        messages.success(
            request,
            f"{count} draft agreement{'s' if count != 1 else ''} created "
            f"({created.clients_created} new client{'s' if created.clients_created != 1 else ''}"
            f", {created.clients_reused} existing).",
        )
    return redirect("contracts:programme-detail", pk=programme.pk)
