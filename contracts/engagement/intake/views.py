"""Intake pages: the coach sends, follows and reads intakes and edits questionnaires;
the client answers by emailed link, with no account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from coaching.scoping import get_owned_or_404
from coaching.twofactor import fresh_factor_required
from contracts.access import SignerVisit, owned_agreement, signer_link
from contracts.engagement.intake import services
from contracts.engagement.intake.forms import (
    IntakeAnswerForm,
    IntakeSendForm,
    QuestionFormSet,
    QuestionnaireNameForm,
    answer_initial,
    question_initial,
)
from contracts.engagement.intake.questions import has_health_question, parse_questions
from contracts.models import Agreement, Intake, IntakeQuestionnaire, IntakeStatus, LinkPurpose

STALE = (
    "These answers were saved from another tab or device since you opened this page. "
    "What you typed is shown below, not saved: check it, then save again to keep it."
)


def _intake_of(agreement: Agreement, intake: int) -> Intake:
    found = (
        Intake.objects.select_related("signer__version", "agreement")
        .filter(agreement=agreement, pk=intake)
        .first()
    )
    if found is None:
        raise Http404("No such intake on this agreement.")
    return found


# The coach's side


@login_required
def agreement_intake(request: CoachRequest, pk: int) -> HttpResponse:
    """The agreement's intakes, and sending a new one."""
    agreement = owned_agreement(request, pk)
    choices = services.questionnaire_choices(request.user)
    form = IntakeSendForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            questions = services.chosen_questions(
                coach=request.user, choice=form.cleaned_data["questionnaire"]
            )
            services.intake_send(
                agreement=agreement, coach=request.user, questions=questions, request=request
            )
        except services.IntakeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "The intake is on its way: the client receives their link by email."
            )
        return redirect("contracts:agreement-intake", pk=agreement.pk)
    recipient = services.intake_recipient(agreement)
    return render(
        request,
        "contracts/engagement/intake/agreement_intake.html",
        {
            "agreement": agreement,
            "intakes": agreement.intakes.select_related("signer"),
            "recipient": recipient,
            "open_intake": services.open_intake(agreement),
            "form": form,
            "sharing": services.intake_sharing(agreement),
            "link_days": settings.INTAKE_LINK_DAYS,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@fresh_factor_required
def agreement_intake_read(request: CoachRequest, pk: int, intake: int) -> HttpResponse:
    """One intake; once submitted, its answers (each reading is recorded)."""
    agreement = owned_agreement(request, pk)
    found = _intake_of(agreement, intake)
    reading = (
        services.intake_read(intake=found, coach=request.user, request=request)
        if found.status == IntakeStatus.SUBMITTED
        else None
    )
    response = render(
        request,
        "contracts/engagement/intake/read.html",
        {
            "agreement": agreement,
            "intake": found,
            "reading": reading,
            "asks_about_health": has_health_question(parse_questions(found.questions)),
            "sharing": services.intake_sharing(agreement),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def agreement_intake_resend(request: CoachRequest, pk: int, intake: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    try:
        services.intake_resend(
            intake=_intake_of(agreement, intake), coach=request.user, request=request
        )
    except services.IntakeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "A new link is on its way to the client.")
    return redirect("contracts:agreement-intake", pk=agreement.pk)


@login_required
@require_POST
def agreement_intake_withdraw(request: CoachRequest, pk: int, intake: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    try:
        services.intake_withdraw(intake=_intake_of(agreement, intake))
    except services.IntakeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "The intake is withdrawn: its link now says so, and no answers are kept."
        )
    return redirect("contracts:agreement-intake", pk=agreement.pk)


@login_required
def questionnaire_list(request: CoachRequest) -> HttpResponse:
    return render(
        request,
        "contracts/engagement/intake/questionnaire_list.html",
        {"questionnaires": IntakeQuestionnaire.objects.filter(coach=request.user)},
    )


@login_required
@require_POST
def questionnaire_create(request: CoachRequest) -> HttpResponse:
    """A copy of the built-in questionnaire, to make one's own."""
    questionnaire = services.questionnaire_create(coach=request.user)
    messages.success(request, "Here is your copy of the built-in questionnaire to edit.")
    return redirect("contracts:questionnaire-edit", pk=questionnaire.pk)


@login_required
def questionnaire_edit(request: CoachRequest, pk: int) -> HttpResponse:
    questionnaire = get_owned_or_404(IntakeQuestionnaire, request.user, pk=pk)
    data = request.POST if request.method == "POST" else None
    name_form = QuestionnaireNameForm(data, initial={"name": questionnaire.name})
    formset = QuestionFormSet(
        data,
        prefix="q",
        initial=[question_initial(q) for q in parse_questions(questionnaire.questions)],
    )
    if request.method == "POST" and name_form.is_valid() and formset.is_valid():
        services.questionnaire_update(
            questionnaire=questionnaire,
            name=name_form.cleaned_data["name"],
            questions=formset.questions,
        )
        messages.success(request, f"“{questionnaire.name}” is saved.")
        return redirect("contracts:questionnaire-edit", pk=questionnaire.pk)
    return render(
        request,
        "contracts/engagement/intake/questionnaire_form.html",
        {"questionnaire": questionnaire, "name_form": name_form, "formset": formset},
        status=400 if data is not None else 200,
    )


@login_required
@require_POST
def questionnaire_delete(request: CoachRequest, pk: int) -> HttpResponse:
    questionnaire = get_owned_or_404(IntakeQuestionnaire, request.user, pk=pk)
    questionnaire.delete()
    messages.success(
        request, "The questionnaire is deleted. Intakes already sent keep their questions."
    )
    return redirect("contracts:questionnaire-list")


# The client's side, by emailed link


def _receipt_key(intake: Intake) -> str:
    """Remembers, in this browser only, that its holder just submitted the intake."""
    return f"intake-submitted-{intake.pk}"


@signer_link(LinkPurpose.INTAKE)
def intake(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """The client's questionnaire: save and come back, or submit.

    After submission the link says so kindly; the answers are shown back only in the
    browser that submitted them, so a forwarded email shows none.
    """
    found = services.intake_for_signer(visit.signer)
    context: dict[str, Any] = {"intake": found, "token": visit.token, "signer": visit.signer}
    if found.status == IntakeStatus.WITHDRAWN:
        return render(request, "contracts/engagement/intake/withdrawn.html", context, status=410)
    questions = parse_questions(found.questions)
    if found.status == IntakeStatus.SUBMITTED:
        if request.session.get(_receipt_key(found)):
            answers = services.saved_answers(found)
            context["answered"] = [(q, answers.get(q["key"], "")) for q in questions]
        return render(request, "contracts/engagement/intake/submitted.html", context)
    status = 200
    if request.method == "POST":
        submitting = "submit" in request.POST
        form = IntakeAnswerForm(request.POST, questions=questions, submitting=submitting)
        if form.is_valid():
            try:
                services.intake_answer(
                    intake=found,
                    answers=form.answers(),
                    health_consent=bool(form.cleaned_data.get("health_consent")),
                    revision=form.cleaned_data["revision"],
                    submit=submitting,
                    request=request,
                )
            except services.IntakeClosed:
                return redirect("contracts:intake", token=visit.token)
            except services.StaleIntake as stale:
                data = request.POST.copy()
                data["revision"] = str(stale.revision)
                form = IntakeAnswerForm(data, questions=questions, submitting=submitting)
                form.is_valid()
                form.add_error(None, STALE)
                status = 409
            else:
                if submitting:
                    request.session[_receipt_key(found)] = True
                else:
                    messages.success(
                        request,
                        "Your answers are saved. Come back with the same link to carry on; "
                        "nothing is sent to your coach until you submit.",
                    )
                return redirect("contracts:intake", token=visit.token)
        else:
            status = 400
    else:
        initial: dict[str, Any] = answer_initial(questions, services.saved_answers(found))
        initial["revision"] = found.revision
        initial["health_consent"] = found.health_consent_at is not None
        form = IntakeAnswerForm(initial=initial, questions=questions, submitting=False)
    context.update(form=form, expires_at=visit.link.expires_at)
    return render(request, "contracts/engagement/intake/answer.html", context, status=status)
