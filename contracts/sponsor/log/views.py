"""The coach's disclosure log, per agreement and per client, its exports; the record of
breaking confidentiality and its page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from coaching.http import CoachRequest
from coaching.models import Client
from coaching.scoping import get_owned_or_404
from coaching.twofactor import fresh_factor_required
from contracts.access import owned_agreement
from contracts.models import Agreement
from contracts.sponsor.log import services
from contracts.sponsor.log.forms import BreachForm


def _agreement_log(request: CoachRequest, pk: int) -> tuple[Agreement, services.DisclosureLog]:
    agreement = owned_agreement(request, pk)
    return agreement, services.agreement_log(agreement)


def _client_log(request: CoachRequest, pk: int) -> tuple[Client, services.DisclosureLog]:
    client = get_owned_or_404(Client, request.user, pk=pk)
    return client, services.client_log(client)


def _csv(log: services.DisclosureLog, filename: str) -> HttpResponse:
    response = HttpResponse(services.log_csv(log), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _pdf(request: CoachRequest, log: services.DisclosureLog, filename: str) -> HttpResponse:
    response = HttpResponse(
        services.log_pdf(log, coach=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@login_required
def agreement_disclosures(request: CoachRequest, pk: int) -> HttpResponse:
    agreement, log = _agreement_log(request, pk)
    context = {"agreement": agreement, "log": log, "panel": services.panel(agreement=agreement)}
    return render(request, "contracts/sponsor/log/agreement.html", context)


@login_required
@fresh_factor_required
def agreement_disclosures_csv(request: CoachRequest, pk: int) -> HttpResponse:
    agreement, log = _agreement_log(request, pk)
    return _csv(log, f"disclosures-{agreement.reference}")


@login_required
@fresh_factor_required
def agreement_disclosures_pdf(request: CoachRequest, pk: int) -> HttpResponse:
    agreement, log = _agreement_log(request, pk)
    return _pdf(request, log, f"disclosures-{agreement.reference}")


@login_required
def client_disclosures(request: CoachRequest, pk: int) -> HttpResponse:
    client, log = _client_log(request, pk)
    return render(request, "contracts/sponsor/log/client.html", {"client": client, "log": log})


@login_required
@fresh_factor_required
def client_disclosures_csv(request: CoachRequest, pk: int) -> HttpResponse:
    client, log = _client_log(request, pk)
    return _csv(log, f"disclosures-client-{client.pk}")


@login_required
@fresh_factor_required
def client_disclosures_pdf(request: CoachRequest, pk: int) -> HttpResponse:
    client, log = _client_log(request, pk)
    return _pdf(request, log, f"disclosures-client-{client.pk}")


@login_required
def breach_new(request: CoachRequest, pk: int) -> HttpResponse:
    """Walk the agreed procedure for breaking confidentiality, and record it."""
    agreement = owned_agreement(request, pk)
    version, limits = services.limits_in_force(agreement)
    time_zone = request.user.profile.time_zone
    form = BreachForm(
        request.POST if request.method == "POST" else None, limits=limits, time_zone=time_zone
    )
    status = 200
    if version is not None and request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                breach = services.breach_record(
                    agreement=agreement,
                    coach=request.user,
                    data=form.breach_data(),
                    request=request,
                )
            except services.BreachRefused as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, "The record is kept, and the disclosure is in the log.")
                return redirect("contracts:agreement-breach", pk=agreement.pk, breach=breach.pk)
    elif version is None and request.method == "POST":
        status = 409
    return render(
        request,
        "contracts/sponsor/log/breach_new.html",
        {
            "agreement": agreement,
            "version": version,
            "form": form,
            "procedure": services.breach_procedure(version) if version else "",
        },
        status=status,
    )


@login_required
def breach_detail(request: CoachRequest, pk: int, breach: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    record = get_object_or_404(agreement.breaches.select_related("version"), pk=breach)
    return render(
        request,
        "contracts/sponsor/log/breach.html",
        {
            "agreement": agreement,
            "breach": record,
            "limit": services.limit_of(record.version, record.limit_key),
            "consulted": services.consulted_in_words(record),
            "entries": list(record.disclosures.all()),
        },
    )
