"""The confidential intake: the coach sends the client a questionnaire by emailed link,
the client saves and comes back, then submits; only the coach reads the answers.

Answers are encrypted at rest (contracts.engagement.crypto) and every read by the coach
is an audit event. Answers to a health question (special-category data, UK GDPR art. 9)
are kept only while the client's explicit consent stands, and giving or withdrawing that
consent is recorded with the request's facts. Nothing here releases answers to anyone:
when the signed matrix shares intake answers, the coach is told the rule, and releasing
goes through the sponsor's side.

Who receives an intake: the client's signer of the version in force or, while the first
version is out for signature, of that version; never on a draft, a declined or a voided
agreement. One intake is open at a time per agreement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from coaching.models import User
from contracts.audit import coach_actor, record_event, signer_actor
from contracts.engagement.crypto import NotesKeyMismatch, decrypt_text, encrypt_text
from contracts.engagement.intake.questions import (
    BUILT_IN_NAME,
    Question,
    built_in_questions,
    has_health_question,
    parse_questions,
    question_problems,
)
from contracts.links import UnknownLink, revoke_links
from contracts.models import (
    Agreement,
    AgreementVersion,
    AuditEventKind,
    EmailKind,
    Intake,
    IntakeQuestionnaire,
    IntakeStatus,
    LinkPurpose,
    Signer,
    SignerRole,
)
from contracts.outbox import OPEN_INTAKE, email_queue
from contracts.sharing import SharingRule, sharing_rule
from contracts.terms import RECIPIENT_PHRASES, InformationKind, Recipient, SharingLevel

type Answers = dict[str, str]


class IntakeError(Exception):
    """Why the coach cannot do this with the intake now. The message is for the coach."""


class IntakeClosed(Exception):
    """The client tried to change an intake that was submitted or withdrawn meanwhile."""


class StaleIntake(Exception):
    """The answers were saved from another tab or device since this page was opened."""

    def __init__(self, revision: int) -> None:
        super().__init__("The intake was saved elsewhere since this page was opened.")
        self.revision = revision


# Choosing what to send


def questionnaire_choices(coach: User) -> list[tuple[str, str]]:
    """What the coach may send: the built-in questionnaire, then their own."""
    own = IntakeQuestionnaire.objects.filter(coach=coach).values_list("pk", "name")
    return [("builtin", BUILT_IN_NAME), *((str(pk), name) for pk, name in own)]


def chosen_questions(*, coach: User, choice: str) -> list[Question]:
    if choice == "builtin":
        return built_in_questions()
    questionnaire = IntakeQuestionnaire.objects.filter(coach=coach, pk=choice).first()
    if questionnaire is None:
        raise IntakeError("Choose one of your questionnaires.")
    return parse_questions(questionnaire.questions)


# The coach's own questionnaires


def questionnaire_create(*, coach: User, name: str = "") -> IntakeQuestionnaire:
    """The coach's own copy of the built-in questionnaire, to edit."""
    return IntakeQuestionnaire.objects.create(
        coach=coach, name=name or "My intake questionnaire", questions=built_in_questions()
    )


def questionnaire_update(
    *, questionnaire: IntakeQuestionnaire, name: str, questions: list[Question]
) -> IntakeQuestionnaire:
    """Replace the name and questions; raises IntakeError when the questions are invalid.
    Intakes already sent keep the questions they were sent with."""
    problems = question_problems(questions)
    if problems:
        raise IntakeError(" ".join(problems))
    questionnaire.name = name
    questionnaire.questions = list(questions)
    questionnaire.save(update_fields=["name", "questions", "updated_at"])
    return questionnaire


# Sending, resending, withdrawing


def intake_recipient(agreement: Agreement) -> Signer | None:
    """The client's signer who would receive an intake now, if any (see the module)."""
    version = agreement.version_in_force()
    if version is None:
        current = agreement.current_version()
        version = current if current is not None and current.ended_at is None else None
    if version is None:
        return None
    return version.signers.filter(role=SignerRole.CLIENT).first()


def open_intake(agreement: Agreement) -> Intake | None:
    return agreement.intakes.filter(status__in=OPEN_INTAKE).first()


def intake_send(
    *,
    agreement: Agreement,
    coach: User,
    questions: list[Question],
    request: HttpRequest | None = None,
) -> Intake:
    """Send the client an intake with these questions (copied), by emailed link."""
    with transaction.atomic():
        agreement = Agreement.objects.locked(agreement)
        signer = intake_recipient(agreement)
        if signer is None:
            raise IntakeError(
                "An intake goes to the client of an agreement that is signed or out for "
                "signature: this one has no such version."
            )
        if open_intake(agreement) is not None:
            raise IntakeError(
                "The client already has an intake to fill in: resend its link, or withdraw "
                "it before sending another."
            )
        problems = question_problems(questions)
        if problems:
            raise IntakeError(" ".join(problems))
        # Each email's link opens one intake: links of an earlier intake stop working.
        revoke_links([signer], LinkPurpose.INTAKE)
        intake = Intake.objects.create(
            agreement=agreement,
            signer=signer,
            questions=list(questions),
            status=IntakeStatus.SENT,
        )
        email_queue(kind=EmailKind.INTAKE, signer=signer, intake=intake)
        _record_sent(intake, coach=coach, request=request, again=False)
        return intake


def _record_sent(intake: Intake, *, coach: User, request: HttpRequest | None, again: bool) -> None:
    data: dict[str, Any] = {"intake": intake.pk, "questions": len(intake.questions)}
    if again:
        data["again"] = True
    record_event(
        intake.agreement,
        AuditEventKind.INTAKE_SENT,
        actor=coach_actor(coach),
        version=intake.signer.version,
        signer=intake.signer,
        request=request,
        data=data,
    )


def _locked_intake(intake: Intake) -> Intake:
    Agreement.objects.locked(intake.agreement)
    return (
        Intake.objects.select_for_update(of=("self",))
        .select_related("agreement", "signer__version")
        .get(pk=intake.pk)
    )


def intake_resend(*, intake: Intake, coach: User, request: HttpRequest | None = None) -> Intake:
    """A new link to the same intake, by email (the earlier links keep working)."""
    with transaction.atomic():
        intake = _locked_intake(intake)
        if intake.status not in OPEN_INTAKE:
            raise IntakeError("This intake is no longer waiting for the client's answers.")
        email_queue(kind=EmailKind.INTAKE, signer=intake.signer, intake=intake)
        _record_sent(intake, coach=coach, request=request, again=True)
        return intake


def intake_withdraw(*, intake: Intake) -> Intake:
    """The coach no longer wants this intake: its link says so, and any answers saved so
    far are erased, since the client never submitted them."""
    with transaction.atomic():
        intake = _locked_intake(intake)
        if intake.status not in OPEN_INTAKE:
            raise IntakeError("Only an intake the client has not submitted can be withdrawn.")
        intake.status = IntakeStatus.WITHDRAWN
        intake.answers_ciphertext = ""
        intake.health_consent_at = None
        intake.revision += 1
        intake.save(
            update_fields=["status", "answers_ciphertext", "health_consent_at", "revision"]
        )
        return intake


# The client's side


def intake_for_signer(signer: Signer) -> Intake:
    """The intake a client's link opens: the newest sent to them."""
    intake = (
        Intake.objects.select_related("agreement__coach", "signer__version")
        .filter(signer=signer)
        .order_by("-sent_at", "-id")
        .first()
    )
    if intake is None:
        raise UnknownLink(signer)
    return intake


def _encrypt_answers(answers: Answers) -> str:
    return encrypt_text(json.dumps(answers, ensure_ascii=False, sort_keys=True))


def _decrypt_answers(intake: Intake) -> Answers:
    if not intake.answers_ciphertext:
        return {}
    raw = json.loads(decrypt_text(intake.answers_ciphertext))
    return {str(key): str(value) for key, value in raw.items()} if isinstance(raw, dict) else {}


def saved_answers(intake: Intake) -> Answers:
    """The client's own saved answers, for their form (not an audited coach read)."""
    return _decrypt_answers(intake)


def _kept_answers(questions: list[Question], answers: Answers, *, consent: bool) -> Answers:
    """Only answers to the intake's own questions; health answers only with consent."""
    kept: Answers = {}
    for q in questions:
        value = answers.get(q["key"], "").strip()
        if not value or (q["health"] and not consent):
            continue
        kept[q["key"]] = value
    return kept


def intake_answer(
    *,
    intake: Intake,
    answers: Answers,
    health_consent: bool,
    revision: int,
    submit: bool,
    request: HttpRequest | None = None,
) -> Intake:
    """Save the client's answers (STARTED), or submit them (SUBMITTED, final).

    Raises StaleIntake when they were saved elsewhere since `revision`, and IntakeClosed
    when the intake was submitted or withdrawn meanwhile.
    """
    with transaction.atomic():
        intake = _locked_intake(intake)
        if intake.status not in OPEN_INTAKE:
            raise IntakeClosed()
        if intake.revision != revision:
            raise StaleIntake(intake.revision)
        questions = parse_questions(intake.questions)
        consent = health_consent and has_health_question(questions)
        now = timezone.now()
        actor = signer_actor(intake.signer)
        if consent != (intake.health_consent_at is not None):
            intake.health_consent_at = now if consent else None
            record_event(
                intake.agreement,
                AuditEventKind.HEALTH_CONSENT,
                actor=actor,
                version=intake.signer.version,
                signer=intake.signer,
                request=request,
                data={"intake": intake.pk, "given": consent},
            )
        intake.answers_ciphertext = _encrypt_answers(
            _kept_answers(questions, answers, consent=consent)
        )
        intake.saved_at = now
        intake.revision += 1
        intake.status = IntakeStatus.SUBMITTED if submit else IntakeStatus.STARTED
        if submit:
            intake.submitted_at = now
            record_event(
                intake.agreement,
                AuditEventKind.INTAKE_SUBMITTED,
                actor=actor,
                version=intake.signer.version,
                signer=intake.signer,
                request=request,
                data={"intake": intake.pk},
            )
        intake.save(
            update_fields=[
                "answers_ciphertext",
                "health_consent_at",
                "saved_at",
                "submitted_at",
                "revision",
                "status",
            ]
        )
        return intake


# The coach's reading


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    answer: str


@dataclass(frozen=True)
class IntakeReading:
    answered: list[AnsweredQuestion]
    problem: str = ""


def intake_read(
    *, intake: Intake, coach: User, request: HttpRequest | None = None
) -> IntakeReading:
    """The answers for the coach, decrypted; every read is an audit event."""
    if not intake.answers_ciphertext:
        return IntakeReading(answered=[])
    try:
        answers = _decrypt_answers(intake)
    except NotesKeyMismatch as mismatch:
        return IntakeReading(answered=[], problem=str(mismatch))
    with transaction.atomic():
        record_event(
            intake.agreement,
            AuditEventKind.INTAKE_READ,
            actor=coach_actor(coach),
            version=intake.signer.version,
            signer=intake.signer,
            request=request,
            data={"intake": intake.pk},
        )
    return IntakeReading(
        answered=[
            AnsweredQuestion(question=q, answer=answers.get(q["key"], ""))
            for q in parse_questions(intake.questions)
        ]
    )


HOW_SHARED = {
    SharingLevel.ROUTINE: "routinely",
    SharingLevel.APPROVED_SUMMARY: "only as a summary the client approves first",
    SharingLevel.CONSENT: "only with the client's written consent each time",
    SharingLevel.NEVER: "never",
}


@dataclass(frozen=True)
class IntakeSharing:
    """What the signed agreement says of intake answers and one recipient."""

    rule: SharingRule
    sentence: str


def intake_sharing(agreement: Agreement) -> list[IntakeSharing]:
    """The rules of the version in force that let intake answers reach anyone but the
    coach; [] when none does (or nothing is signed yet)."""
    version: AgreementVersion | None = agreement.version_in_force()
    if version is None:
        return []
    found = []
    for recipient in Recipient:
        rule = sharing_rule(version, InformationKind.INTAKE, recipient)
        if rule.shared and rule.level is not None:
            found.append(
                IntakeSharing(
                    rule=rule,
                    sentence=(
                        "Under the signed agreement, intake answers may go to "
                        f"{RECIPIENT_PHRASES[recipient]} {HOW_SHARED[rule.level]}."
                    ),
                )
            )
    return found


# The engagement hub


def panel(*, agreement: Agreement) -> dict[str, Any]:
    """The intake's card on the agreement's engagement page: its state and dates, never
    an answer."""
    latest = agreement.intakes.order_by("-sent_at", "-id").first()
    return {
        "agreement": agreement,
        "intake": latest,
        "can_send": intake_recipient(agreement) is not None,
        "shared": bool(intake_sharing(agreement)),
    }
