"""The coach's pages of records: what is due for disposal, one agreement's retention,
disposal confirmed, an early end, legal holds, the disposal log; a client's records
(their requests, the copy of their data, erasure); and the client's own request,
through their link once the emailed code is verified."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching import throttle
from coaching.http import CoachRequest, client_ip, parse_id
from coaching.models import Client
from coaching.scoping import get_owned_or_404
from contracts.access import (
    SignerVisit,
    code_verified_key,
    owned_agreement,
    signer_link,
    too_many_requests,
)
from contracts.links import UnknownLink
from contracts.models import (
    Agreement,
    AgreementStatus,
    DataRequest,
    DataRequestKind,
    DisclosureEntry,
    DisposalEntry,
    LegalHold,
    LinkPurpose,
    SignerRole,
    Tombstone,
)
from contracts.records import services
from contracts.records.erasure import ErasureError, erasure_carry_out, erasure_notify, erasure_plan
from contracts.records.export import export_record, export_stream, package_name
from contracts.records.forms import (
    AskForm,
    CodeForm,
    DataRequestForm,
    HoldForm,
    LiftForm,
    TerminationForm,
)
from contracts.records.schedule import Schedule, agreement_schedule
from contracts.signing.services import signer_request_code, signer_verify_code

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
    withheld = DisclosureEntry.objects.filter(agreement__client=client, visible_to_client=False)
    return render(
        request,
        "contracts/records/client.html",
        {
            "client": client,
            "holds": LegalHold.objects.filter(client=client).order_by("-placed_at"),
            "requests": DataRequest.objects.filter(client=client),
            "agreements": Agreement.objects.filter(client=client).order_by("number"),
            "log": DisposalEntry.objects.filter(client=client)[:50],
            "withheld": withheld.count(),
        },
    )


def _owned_request(request: CoachRequest, client: Client, data_request: int) -> DataRequest:
    return get_owned_or_404(DataRequest, request.user, pk=data_request, client=client)


@login_required
@require_POST
def client_export(request: CoachRequest, pk: int) -> HttpResponseBase:
    """The client's subject access package, streamed as it is made (never stored)."""
    client = get_owned_or_404(Client, request.user, pk=pk)
    wanted = parse_id(request.POST.get("data_request", ""))
    answering = (
        DataRequest.objects.filter(
            pk=wanted, client=client, coach=request.user, kind=DataRequestKind.ACCESS
        ).first()
        if wanted
        else None
    )
    stream = export_stream(client=client, coach=request.user)
    export_record(client=client, coach=request.user, data_request=answering, request=request)
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package_name(client)}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def data_request_new(request: CoachRequest, pk: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        made = services.data_request_record(
            coach=request.user,
            client=client,
            kind=DataRequestKind(form.cleaned_data["kind"]),
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"Recorded. Answer by {made.due_on.day} {made.due_on:%B %Y}.")
        return redirect("contracts:client-records", pk=client.pk)
    return render(request, "contracts/records/request_new.html", {"client": client, "form": form})


@login_required
@require_POST
def data_request_answered(request: CoachRequest, pk: int, data_request: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    found = _owned_request(request, client, data_request)
    try:
        services.data_request_answered(data_request=found, coach=request.user)
    except services.RecordsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The request is answered.")
    return redirect("contracts:client-records", pk=client.pk)


@login_required
def data_request_erase(request: CoachRequest, pk: int, data_request: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    found = _owned_request(request, client, data_request)
    if found.kind != DataRequestKind.ERASURE:
        return redirect("contracts:client-records", pk=client.pk)
    if request.method == "POST" and found.completed_at is None:
        try:
            entries = erasure_carry_out(data_request=found, coach=request.user)
        except ErasureError as error:
            messages.error(request, str(error))
        else:
            count = sum(entry.count for entry in entries)
            messages.success(
                request, f"{count} record{'s' if count != 1 else ''} erased; the client is told."
            )
        return redirect("contracts:client-data-request-erase", pk=client.pk, data_request=found.pk)
    found.refresh_from_db()
    return render(
        request,
        "contracts/records/erase.html",
        {
            "client": client,
            "data_request": found,
            "plan": erasure_plan(client=client, coach=request.user)
            if found.completed_at is None
            else None,
        },
    )


@login_required
@require_POST
def data_request_notify(request: CoachRequest, pk: int, data_request: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    found = _owned_request(request, client, data_request)
    if found.completed_at is not None and erasure_notify(data_request_id=found.pk):
        messages.success(request, "The client is told.")
    else:
        messages.error(request, "The notice could not be sent: try again later.")
    return redirect("contracts:client-data-request-erase", pk=client.pk, data_request=found.pk)


# The client, through the link to their copy of the agreement

CODE_EMAILS = throttle.Door("code-signer", per_seconds=600, per_key=3)
CODE_CHECKS = throttle.Door("code-check", per_seconds=3600, per_key=10, per_ip=30)


def _verified(request: HttpRequest, visit: SignerVisit) -> bool:
    return bool(request.session.get(code_verified_key(visit.signer)))


@signer_link(LinkPurpose.VIEW, code=False)
def my_data(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """The client asks for a copy of their data, or its erasure, once the code emailed to
    them proves the link is still in their hands."""
    signer = visit.signer
    if signer.role != SignerRole.CLIENT or signer.client_id is None:
        raise UnknownLink(signer)
    context: dict[str, Any] = {"signer": signer, "token": visit.token, "code_form": CodeForm()}
    if not _verified(request, visit):
        return render(request, "contracts/records/my_data.html", context)
    form = AskForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        made = services.data_request_from_link(
            signer=signer, kind=DataRequestKind(form.cleaned_data["kind"]), request=request
        )
        return render(request, "contracts/records/my_data_asked.html", {**context, "made": made})
    return render(request, "contracts/records/my_data.html", {**context, "form": form})


@require_POST
@signer_link(LinkPurpose.VIEW, code=False)
def my_data_code(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    signer = visit.signer
    if signer.role != SignerRole.CLIENT or signer.client_id is None:
        raise UnknownLink(signer)
    context: dict[str, Any] = {
        "signer": signer,
        "token": visit.token,
        "code_form": CodeForm(),
        "code_sent": True,
    }
    if throttle.attempt(CODE_EMAILS, key=str(signer.pk)) is None:
        context["error"] = "Several codes were sent just now. Wait ten minutes, then ask again."
        return render(request, "contracts/records/my_data.html", context, status=429)
    signer_request_code(signer=signer, request=request)
    return render(request, "contracts/records/my_data.html", context)


@require_POST
@signer_link(LinkPurpose.VIEW, code=False)
def my_data_verify(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    signer = visit.signer
    if signer.role != SignerRole.CLIENT or signer.client_id is None:
        raise UnknownLink(signer)
    form = CodeForm(request.POST)
    context: dict[str, Any] = {
        "signer": signer,
        "token": visit.token,
        "code_form": form,
        "code_sent": True,
    }
    reservation = throttle.attempt(CODE_CHECKS, key=str(signer.pk), ip=client_ip(request))
    if reservation is None:
        return too_many_requests(request)
    if not form.is_valid():
        return render(request, "contracts/records/my_data.html", context, status=400)
    refused = signer_verify_code(signer=signer, code=form.cleaned_data["code"], request=request)
    if refused is not None:
        form.add_error("code", refused.message)
        return render(request, "contracts/records/my_data.html", context, status=400)
    reservation.refund()
    request.session[code_verified_key(signer)] = True
    return redirect("contracts:copy-my-data", token=visit.token)
