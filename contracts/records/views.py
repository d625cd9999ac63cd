"""The coach's pages of records: what is due for disposal, one agreement's retention,
disposal confirmed, an early end, legal holds, the disposal log; a client's records
(their requests, the copy of their data, erasure); and the client's own request,
through their link once the emailed code is verified."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from coaching.http import CoachRequest
from coaching.models import Client
from coaching.scoping import get_owned_or_404
from contracts.access import owned_agreement
from contracts.models import (
    Agreement,
    AgreementStatus,
    DataRequest,
    DisposalEntry,
    LegalHold,
    Tombstone,
)
from contracts.records import services
from contracts.records.forms import HoldForm, LiftForm, TerminationForm
from contracts.records.schedule import Schedule, agreement_schedule

LOG_PAGE = 50


def _schedule_rows(schedule: Schedule | None) -> list[dict[str, Any]]:
    if schedule is None:
        return []
    rows = []
    for item in schedule.classes:
        if item.count == 0 and item.due_on is not None and item.due_on <= schedule.today:
            state = "Disposed of, or nothing kept"
        elif item.count == 0:
            state = "Nothing kept"
        elif schedule.running:
            state = "Engagement running"
        elif schedule.held:
            state = "On hold"
        elif item.due_on is not None and item.due_on <= schedule.today:
            state = "Due for disposal"
        else:
            state = "Kept"
        rows.append({"item": item, "state": state})
    return rows


@login_required
def records_due(request: CoachRequest) -> HttpResponse:
    coach = request.user
    coming = services.records_due(coach=coach)
    return render(
        request,
        "contracts/records/due.html",
        {
            "due": [item for item in coming if item.due],
            "soon": [item for item in coming if item.soon and not item.due],
            "holds": LegalHold.objects.filter(coach=coach, lifted_at__isnull=True).select_related(
                "agreement", "client"
            ),
            "requests": DataRequest.objects.filter(coach=coach, completed_at__isnull=True)
            .select_related("client")
            .order_by("due_on"),
            "automatic": coach.profile.dispose_automatically,
        },
    )


@login_required
def disposal_log(request: CoachRequest) -> HttpResponse:
    entries = DisposalEntry.objects.filter(coach=request.user).select_related("client")
    page = Paginator(entries, LOG_PAGE).get_page(request.GET.get("page"))
    return render(request, "contracts/records/log.html", {"page": page})


@login_required
def agreement_records(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk, disposed=True)
    schedule = agreement_schedule(agreement)
    return render(
        request,
        "contracts/records/agreement.html",
        {
            "agreement": agreement,
            "schedule": schedule,
            "rows": _schedule_rows(schedule),
            "due": schedule.due() if schedule else [],
            "holds": LegalHold.objects.filter(agreement=agreement, lifted_at__isnull=True),
            "client_holds": LegalHold.objects.filter(
                client_id=agreement.client_id, lifted_at__isnull=True
            ),
            "signed": agreement.versions.filter(completed_at__isnull=False).exists(),
            "tombstone": Tombstone.objects.filter(agreement=agreement).first(),
            "log": DisposalEntry.objects.filter(agreement=agreement),
            "disposed": agreement.status == AgreementStatus.DISPOSED,
        },
    )


@login_required
def agreement_dispose(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk, disposed=True)
    if request.method == "POST":
        try:
            entries = services.records_dispose(agreement=agreement, coach=request.user)
        except services.RecordsError as error:
            messages.error(request, str(error))
        else:
            if entries:
                count = sum(entry.count for entry in entries)
                messages.success(
                    request,
                    f"{count} record{'s' if count != 1 else ''} disposed of, in "
                    f"{len(entries)} class{'es' if len(entries) != 1 else ''}: the disposal "
                    "log shows what and when.",
                )
            else:
                messages.info(request, "Nothing of this agreement is due for disposal now.")
        return redirect("contracts:agreement-records", pk=agreement.pk)
    schedule = agreement_schedule(agreement)
    return render(
        request,
        "contracts/records/dispose.html",
        {"agreement": agreement, "schedule": schedule, "due": schedule.due() if schedule else []},
    )


@login_required
def agreement_ended(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    form = TerminationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.termination_record(
                agreement=agreement,
                coach=request.user,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.RecordsError as error:
            form.add_error("ended_on", str(error))
        else:
            messages.success(request, "The early end is recorded: retention runs from that day.")
            return redirect("contracts:agreement-records", pk=agreement.pk)
    return render(request, "contracts/records/ended.html", {"agreement": agreement, "form": form})


@login_required
def agreement_hold(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    return _hold(request, agreement=agreement, client=None)


@login_required
def client_hold(request: CoachRequest, pk: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    return _hold(request, agreement=None, client=client)


def _hold(
    request: CoachRequest, *, agreement: Agreement | None, client: Client | None
) -> HttpResponse:
    form = HoldForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        services.hold_place(
            coach=request.user,
            reason=form.cleaned_data["reason"],
            agreement=agreement,
            client=client,
            request=request,
        )
        messages.success(request, "The records are on hold: nothing of them is disposed of.")
        if client is not None:
            return redirect("contracts:client-records", pk=client.pk)
        if agreement is not None:
            return redirect("contracts:agreement-records", pk=agreement.pk)
    return render(
        request,
        "contracts/records/hold.html",
        {"form": form, "agreement": agreement, "client": client},
    )


@login_required
def hold_lift(request: CoachRequest, pk: int) -> HttpResponse:
    hold = get_owned_or_404(
        LegalHold.objects.select_related("agreement", "client"), request.user, pk=pk
    )
    form = LiftForm(request.POST if request.method == "POST" else None)
    if hold.lifted_at is None and form.is_bound and form.is_valid():
        try:
            services.hold_lift(
                hold=hold, coach=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except services.RecordsError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(
                request, "The hold is lifted: the records follow their retention again."
            )
            return redirect("contracts:records-due")
    return render(request, "contracts/records/lift.html", {"form": form, "hold": hold})


@login_required
def client_records(request: CoachRequest, pk: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    return render(
        request,
        "contracts/records/client.html",
        {
            "client": client,
            "holds": LegalHold.objects.filter(client=client).order_by("-placed_at"),
            "requests": DataRequest.objects.filter(client=client),
            "agreements": Agreement.objects.filter(client=client).order_by("number"),
            "log": DisposalEntry.objects.filter(client=client)[:50],
        },
    )
