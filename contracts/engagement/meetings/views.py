"""The coach's meetings page: the agreement's meeting plan as dated meetings, each with
its agenda, its invitations and, afterwards, the note of what it agreed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from contracts.access import owned_agreement
from contracts.agenda import meeting_agenda
from contracts.engagement.meetings import services
from contracts.engagement.meetings.forms import AgreedNoteForm, MeetingForm
from contracts.models import Agreement, AgreementVersion, MeetingKind, ThreeWayMeeting


def _meeting_form(
    agreement: Agreement,
    meeting: ThreeWayMeeting | None,
    kind: str,
    data: Any = None,
    *,
    version: AgreementVersion | None,
) -> MeetingForm:
    zone = services.coach_zone(agreement)
    prefix = f"m{meeting.pk}" if meeting else f"new-{kind}"
    initial: dict[str, Any] = {"kind": kind, "minutes": 60}
    if meeting is not None:
        local = meeting.starts_at.astimezone(zone)
        initial.update(
            day=local.date(),
            time=local.time(),
            minutes=meeting.minutes,
            location=meeting.location,
            revision=meeting.revision,
        )
    return MeetingForm(
        data,
        prefix=prefix,
        initial=initial,
        time_zone=zone.key,
        version=version,
    )


def _note_form(meeting: ThreeWayMeeting, data: Any = None) -> AgreedNoteForm:
    return AgreedNoteForm(
        data,
        prefix=f"note{meeting.pk}",
        initial={"agreed_note": meeting.agreed_note, "base": services.note_base(meeting)},
    )


def _page(
    request: CoachRequest,
    agreement: Agreement,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, with `bound` (a form that did not validate) in place of its blank twin."""
    version = services.meeting_version(agreement)
    meetings = services.with_agendas(
        list(agreement.meetings.select_related("version").prefetch_related("emails__signer"))
    )

    def pick(form: forms.Form) -> forms.Form:
        return bound if bound is not None and bound.prefix == form.prefix else form

    def row(item: services.MeetingWithAgenda) -> dict[str, Any]:
        meeting = item.meeting
        return {
            "item": item,
            "form": pick(_meeting_form(agreement, meeting, meeting.kind, version=version)),
            "note_form": pick(_note_form(meeting)),
            "emails": list(meeting.emails.all()),
        }

    slots = []
    for kind in services.STANDARD_KINDS:
        planned = next((m for m in meetings if m.meeting.kind == kind), None)
        slots.append(
            {
                "kind": kind,
                "label": kind.label,
                "row": row(planned) if planned else None,
                "new_form": None
                if planned
                else pick(_meeting_form(agreement, None, kind, version=version)),
                "agenda": meeting_agenda(version, kind) if version and not planned else None,
            }
        )
    context = {
        "agreement": agreement,
        "version": version,
        "slots": slots,
        "others": [row(m) for m in meetings if m.meeting.kind == MeetingKind.OTHER],
        "new_other": pick(_meeting_form(agreement, None, MeetingKind.OTHER, version=version)),
        "time_zone": services.coach_zone(agreement).key,
    }
    return render(request, "contracts/engagement/meetings/meetings.html", context, status=status)


def _owned_meeting(agreement: Agreement, meeting: int) -> ThreeWayMeeting:
    found = agreement.meetings.select_related("version", "agreement").filter(pk=meeting).first()
    if found is None:
        raise Http404("No such meeting in this agreement.")
    return found


def _warn(request: CoachRequest, meeting: ThreeWayMeeting) -> None:
    for warning in services.ordering_warnings(meeting):
        messages.warning(request, warning)


@login_required
def meetings(request: CoachRequest, pk: int) -> HttpResponse:
    return _page(request, owned_agreement(request, pk))


@login_required
@require_POST
def meeting_plan(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    kind = request.POST.get("slot", "")
    if kind not in MeetingKind.values:
        messages.error(request, "Choose the kind of meeting to plan.")
        return redirect("contracts:meetings", pk=agreement.pk)
    version = services.meeting_version(agreement)
    form = _meeting_form(agreement, None, kind, request.POST, version=version)
    if not form.is_valid():
        return _page(request, agreement, bound=form, status=400)
    try:
        meeting = services.meeting_plan(
            agreement=agreement,
            coach=request.user,
            kind=form.cleaned_data["kind"],
            starts_at=form.starts_at(),
            minutes=form.cleaned_data["minutes"],
            location=form.cleaned_data["location"],
            request=request,
        )
    except services.MeetingError as error:
        messages.error(request, str(error))
        return redirect("contracts:meetings", pk=agreement.pk)
    messages.success(request, f"The {meeting.get_kind_display().lower()} is planned.")
    _warn(request, meeting)
    return redirect("contracts:meetings", pk=agreement.pk)


@login_required
@require_POST
def meeting_change(request: CoachRequest, pk: int, meeting: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    found = _owned_meeting(agreement, meeting)
    version = services.meeting_version(agreement)
    form = _meeting_form(agreement, found, found.kind, request.POST, version=version)
    if not form.is_valid():
        return _page(request, agreement, bound=form, status=400)
    try:
        changed = services.meeting_change(
            meeting=found,
            coach=request.user,
            revision=form.cleaned_data["revision"] or 0,
            starts_at=form.starts_at(),
            minutes=form.cleaned_data["minutes"],
            location=form.cleaned_data["location"],
            request=request,
        )
    except services.MeetingError as error:
        messages.error(request, str(error))
        return redirect("contracts:meetings", pk=agreement.pk)
    if changed.revision == found.revision:
        messages.info(request, "Nothing had changed.")
    elif changed.invited_at:
        messages.success(request, "The meeting is changed, and everyone is sent the update.")
    else:
        messages.success(request, "The meeting is changed.")
    _warn(request, changed)
    return redirect("contracts:meetings", pk=agreement.pk)


@login_required
@require_POST
def meeting_invite(request: CoachRequest, pk: int, meeting: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    found = _owned_meeting(agreement, meeting)
    try:
        count = services.meeting_invite(meeting=found, coach=request.user, request=request)
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{count} invitations are on their way, each with the agenda.")
    return redirect("contracts:meetings", pk=agreement.pk)


@login_required
@require_POST
def meeting_agreed(request: CoachRequest, pk: int, meeting: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    found = _owned_meeting(agreement, meeting)
    form = _note_form(found, request.POST)
    if not form.is_valid():
        return _page(request, agreement, bound=form, status=400)
    try:
        services.meeting_record_agreed(
            meeting=found,
            coach=request.user,
            note=form.cleaned_data["agreed_note"],
            base=form.cleaned_data["base"],
            request=request,
        )
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The note is saved. The client and the sponsor can read it.")
    return redirect("contracts:meetings", pk=agreement.pk)
