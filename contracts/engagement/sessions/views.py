"""The sessions of an agreement, their calendar file, the coaching log and its exports;
and the client's consent to be named in the log, by their link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from contracts.access import SignerVisit, owned_agreement, signer_link
from contracts.engagement.sessions import log as coaching_log
from contracts.engagement.sessions import services
from contracts.engagement.sessions.calendar import sessions_calendar
from contracts.engagement.sessions.forms import LogYearForm, SessionForm
from contracts.models import Agreement, CoachingSession, LinkPurpose, SessionStatus

FIELD_LABELS = {
    "starts_at": "day and time",
    "minutes": "length",
    "format": "format",
    "status": "status",
    "pro_bono": "pro bono",
    "override_reason": "reason for logging it anyway",
}


def _sessions_page(
    request: CoachRequest,
    agreement: Agreement,
    *,
    form: SessionForm,
    editing: CoachingSession | None = None,
    status: int = 200,
) -> HttpResponse:
    terms = services.terms_in_force(agreement)
    sessions = list(agreement.sessions.all())
    return render(
        request,
        "contracts/engagement/sessions/sessions.html",
        {
            "agreement": agreement,
            "terms": terms,
            "sessions": sessions,
            "usage": services.usage_of(sessions, terms),
            "form": form,
            "editing": editing,
            "time_zone": request.user.profile.time_zone,
            "has_planned": any(row.status == SessionStatus.PLANNED for row in sessions),
        },
        status=status,
    )


def _refused(form: SessionForm, error: services.SessionRefused) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))
    if "override" not in form.errors:
        form.add_error("override", "Tick this and give a reason to log it anyway.")


@login_required
def sessions(request: CoachRequest, pk: int) -> HttpResponse:
    """The agreement's sessions, and the form to log or plan one."""
    agreement = owned_agreement(request, pk)
    time_zone = request.user.profile.time_zone
    terms = services.terms_in_force(agreement)
    if request.method != "POST":
        initial = services.defaults(terms) if terms else {}
        return _sessions_page(
            request, agreement, form=SessionForm(initial=initial, time_zone=time_zone)
        )
    form = SessionForm(request.POST, time_zone=time_zone)
    if not form.is_valid():
        return _sessions_page(request, agreement, form=form, status=400)
    try:
        services.session_log(
            agreement=agreement, coach=request.user, data=form.session_data(), request=request
        )
    except services.NotInForce as error:
        form.add_error(None, str(error))
        return _sessions_page(request, agreement, form=form, status=409)
    except services.SessionRefused as error:
        _refused(form, error)
        return _sessions_page(request, agreement, form=form, status=400)
    messages.success(request, "The session is saved.")
    return redirect("contracts:sessions", pk=agreement.pk)


def _stale_message(stale: services.StaleSession) -> str:
    changed = ", ".join(FIELD_LABELS[name] for name in stale.changed) or "the session"
    return (
        f"This session was changed in another tab or by another person since you opened it "
        f"({changed}). Your answers are shown below, not saved: check them against the "
        "saved version, then save again to keep yours."
    )


@login_required
def session_edit(request: CoachRequest, pk: int, session: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    current = get_object_or_404(agreement.sessions, pk=session)
    time_zone = request.user.profile.time_zone
    if request.method != "POST":
        initial = SessionForm.initial_for(current, time_zone=time_zone)
        form = SessionForm(initial=initial, time_zone=time_zone)
        return _sessions_page(request, agreement, form=form, editing=current)
    form = SessionForm(request.POST, time_zone=time_zone)
    if not form.is_valid():
        return _sessions_page(request, agreement, form=form, editing=current, status=400)
    try:
        services.session_change(
            session=current,
            coach=request.user,
            data=form.session_data(),
            revision=form.cleaned_data["revision"] or 0,
            request=request,
        )
    except services.StaleSession as stale:
        # Shown back, now answering the saved revision: saving again replaces it, knowingly.
        data = request.POST.copy()
        data["revision"] = str(stale.revision)
        form = SessionForm(data, time_zone=time_zone)
        form.is_valid()
        form.add_error(None, _stale_message(stale))
        current.refresh_from_db()
        return _sessions_page(request, agreement, form=form, editing=current, status=409)
    except services.NotInForce as error:
        form.add_error(None, str(error))
        return _sessions_page(request, agreement, form=form, editing=current, status=409)
    except services.SessionRefused as error:
        _refused(form, error)
        return _sessions_page(request, agreement, form=form, editing=current, status=400)
    messages.success(request, "The session is saved.")
    return redirect("contracts:sessions", pk=agreement.pk)


@login_required
@require_POST
def session_delete(request: CoachRequest, pk: int, session: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    current = get_object_or_404(agreement.sessions, pk=session)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = 0
    try:
        services.session_delete(
            session=current, coach=request.user, revision=revision, request=request
        )
    except services.StaleSession:
        messages.error(
            request,
            "This session was changed in another tab or by another person since you opened "
            "it, so it was not removed: check it, then remove it again if you still mean to.",
        )
        return redirect("contracts:session-edit", pk=agreement.pk, session=current.pk)
    messages.success(request, "The session is removed. The audit trail keeps that it was.")
    return redirect("contracts:sessions", pk=agreement.pk)


@login_required
def sessions_ics(request: CoachRequest, pk: int) -> HttpResponse:
    """Every planned session of the agreement, as one calendar file."""
    agreement = owned_agreement(request, pk)
    planned = agreement.sessions.filter(status=SessionStatus.PLANNED)
    url = request.build_absolute_uri(reverse("contracts:sessions", args=[agreement.pk]))
    content = sessions_calendar(planned, practice_name=request.user.profile.practice_name, url=url)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sessions-{agreement.reference}.ics"'
    return response


def _log(request: CoachRequest) -> tuple[coaching_log.CoachingLog, LogYearForm]:
    full = coaching_log.coaching_log(coach=request.user)
    form = LogYearForm(request.GET or None, years=full.years)
    year = form.cleaned_data["year"] if form.is_valid() else None
    if year is None:
        return full, form
    return coaching_log.coaching_log(coach=request.user, year=year), form


@login_required
def log_page(request: CoachRequest) -> HttpResponse:
    log, form = _log(request)
    query = f"?year={log.year}" if log.year else ""
    context: dict[str, Any] = {"log": log, "form": form, "query": query}
    return render(request, "contracts/engagement/sessions/log.html", context)


def _filename(log: coaching_log.CoachingLog, extension: str) -> str:
    return f"coaching-log-{log.year or 'all'}.{extension}"


@login_required
def log_csv(request: CoachRequest) -> HttpResponse:
    log, _ = _log(request)
    response = HttpResponse(coaching_log.log_csv(log), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(log, "csv")}"'
    return response


@login_required
def log_pdf(request: CoachRequest) -> HttpResponse:
    log, _ = _log(request)
    response = HttpResponse(
        coaching_log.log_pdf(log, coach=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{_filename(log, "pdf")}"'
    return response


@signer_link(LinkPurpose.VIEW)
@require_POST
def log_consent(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """The client gives, or withdraws, their consent to be named in the coach's log."""
    signer = visit.signer
    action = request.POST.get("consent")
    if action not in {"give", "withdraw"}:
        raise Http404("No such choice.")
    try:
        if action == "give":
            coaching_log.log_consent_give(signer=signer, request=request)
            messages.success(
                request,
                "Thank you: your coach may list your name and email address in their "
                "coaching log. You can withdraw this at any time, here.",
            )
        else:
            coaching_log.log_consent_withdraw(signer=signer, request=request)
            messages.success(
                request,
                "Your coach's log no longer shows your name or email address: you appear "
                "in it without them.",
            )
    except coaching_log.NotTheClient:
        raise Http404("Only the client decides this.") from None
    return redirect("contracts:copy", token=visit.token)
