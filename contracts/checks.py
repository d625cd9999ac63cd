"""Completeness and consistency checks: what stops an agreement from being sent.

One function, `agreement_problems()`, serves the builder's checklist now and the
sending workflow later. Each problem names the builder step that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from coaching.models import RecordClass
from contracts import terms
from contracts.models import Agreement, FeeBasis, FeedbackAnonymity, Payer


class Severity(StrEnum):
    MISSING = "missing"
    CONTRADICTION = "contradiction"
    WARNING = "warning"  # shown, but does not stop sending


@dataclass(frozen=True)
class Problem:
    step: str
    message: str
    severity: Severity = Severity.MISSING

    @property
    def blocks_sending(self) -> bool:
        return self.severity != Severity.WARNING


def agreement_problems(agreement: Agreement) -> list[Problem]:
    """Every problem with the agreement, in builder-step order."""
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(agreement))
    return problems


def is_ready_to_send(agreement: Agreement) -> bool:
    return not any(problem.blocks_sending for problem in agreement_problems(agreement))


def _missing(step: str, agreement: Agreement, fields: dict[str, str]) -> list[Problem]:
    return [
        Problem(step, message)
        for name, message in fields.items()
        if not str(getattr(agreement, name) or "").strip()
    ]


def check_parties(agreement: Agreement) -> list[Problem]:
    step = "parties"
    problems: list[Problem] = []
    if not agreement.title.strip():
        problems.append(Problem(step, "Give the agreement a title."))
    client = agreement.client
    if not client.email:
        problems.append(Problem(step, f"Add an email address for {client.name}."))
    if client.is_archived:
        problems.append(
            Problem(step, f"{client.name} is archived: restore them or choose another client.")
        )
    organisation = agreement.organisation
    if organisation is None:
        return problems
    if organisation.is_archived:
        problems.append(Problem(step, f"{organisation.name} is archived: restore it first."))
    signatory = agreement.sponsor_signatory
    if signatory is None:
        problems.append(Problem(step, f"Choose who signs for {organisation.name}."))
    else:
        if signatory.organisation_id != organisation.pk:
            problems.append(
                Problem(
                    step,
                    f"{signatory.name} does not work for {organisation.name}: choose a "
                    "signatory from the sponsor.",
                    Severity.CONTRADICTION,
                )
            )
        if not signatory.email:
            problems.append(Problem(step, f"Add an email address for {signatory.name}."))
        if signatory.is_archived:
            problems.append(
                Problem(step, f"{signatory.name} is archived: choose another signatory.")
            )
    for stakeholder in agreement.stakeholders.all():
        if stakeholder.organisation_id != organisation.pk:
            problems.append(
                Problem(
                    step,
                    f"{stakeholder.name} does not work for {organisation.name}.",
                    Severity.CONTRADICTION,
                )
            )
        if signatory is not None and stakeholder.pk == signatory.pk:
            problems.append(
                Problem(
                    step,
                    f"{stakeholder.name} signs the agreement, so is not also copied.",
                    Severity.CONTRADICTION,
                )
            )
    return problems


def check_roles(agreement: Agreement) -> list[Problem]:
    fields = {
        "coach_responsibilities": "Describe the coach's responsibilities.",
        "client_responsibilities": "Describe the client's responsibilities.",
        "nature_of_coaching": "Say what coaching is and is not.",
        "referral_policy": "Say when the coach refers the client to other support.",
    }
    if not agreement.is_two_party:
        fields["sponsor_responsibilities"] = "Describe the sponsor's responsibilities."
    return _missing("roles", agreement, fields)


def check_goals(agreement: Agreement) -> list[Problem]:
    goals = agreement.goal_items
    if not goals:
        return [Problem("goals", "Add at least one goal, agreed with the client.")]
    return [
        Problem("goals", f"Say how progress on “{goal['goal']}” will be recognised.")
        for goal in goals
        if not goal["measure"]
    ]


def check_logistics(agreement: Agreement) -> list[Problem]:
    step = "logistics"
    problems = _missing(
        step,
        agreement,
        {
            "session_count": "Set the number of sessions.",
            "session_length_minutes": "Set the length of a session.",
            "session_frequency": "Say how often sessions take place.",
            "session_format": "Choose how sessions take place.",
            "start_date": "Set the date coaching starts.",
            "end_date": "Set the date coaching ends.",
            "review_date": "Set the date the agreement will be reviewed.",
        },
    )
    start, end, review = agreement.start_date, agreement.end_date, agreement.review_date
    if start and end and end <= start:
        problems.append(
            Problem(step, "Coaching must end after it starts.", Severity.CONTRADICTION)
        )
    if start and review and review <= start:
        problems.append(
            Problem(step, "The review date must come after the start.", Severity.CONTRADICTION)
        )
    return problems


def check_fees(agreement: Agreement) -> list[Problem]:
    step = "fees"
    problems: list[Problem] = []
    if not agreement.fee_basis:
        problems.append(Problem(step, "Set the fee, or mark the coaching as pro bono."))
    elif agreement.fee_basis == FeeBasis.SEPARATE:
        if agreement.is_two_party:
            problems.append(
                Problem(
                    step,
                    "A private client's agreement has no sponsor to hold a separate contract "
                    "with: set the client's fee here.",
                    Severity.CONTRADICTION,
                )
            )
    elif agreement.fee_basis != FeeBasis.PRO_BONO:
        if not agreement.fee_amount or agreement.fee_amount <= 0:
            problems.append(Problem(step, "Enter the fee amount."))
        if not agreement.invoicing_terms.strip():
            problems.append(Problem(step, "Describe invoicing and payment terms."))
        if not agreement.payer:
            problems.append(Problem(step, "Say who pays."))
        elif agreement.is_two_party and agreement.payer == Payer.SPONSOR:
            problems.append(
                Problem(
                    step,
                    "A private client's agreement has no sponsor to pay: the client pays.",
                    Severity.CONTRADICTION,
                )
            )
    if not agreement.cancellation_terms.strip():
        problems.append(Problem(step, "Describe what happens with cancelled or missed sessions."))
    return problems


def check_sharing(agreement: Agreement) -> list[Problem]:
    if agreement.is_two_party:
        return []
    step = "sharing"
    problems: list[Problem] = []
    matrix = agreement.sharing_matrix
    for kind in terms.InformationKind:
        for recipient in terms.Recipient:
            cell = matrix[kind][recipient]
            to_whom = terms.RECIPIENT_PHRASES[recipient]
            what = f"{kind.label.lower()} with {to_whom}"
            if not cell["level"]:
                problems.append(Problem(step, f"Decide whether to share {what}."))
                continue
            if cell["level"] == terms.SharingLevel.NEVER:
                continue
            if kind in terms.PROTECTED_KINDS and cell["level"] != terms.SharingLevel.CONSENT:
                problems.append(
                    Problem(
                        step,
                        f"{kind.label} cannot be shared with {to_whom} "
                        f"“{terms.SharingLevel(cell['level']).label.lower()}”: it contradicts the "
                        "confidentiality promised to the client. Choose never, or only with the "
                        "client's consent each time.",
                        Severity.CONTRADICTION,
                    )
                )
            if not (cell["method"] and cell["timing"] and cell["prepared_by"]):
                problems.append(Problem(step, f"Say how, when and by whom {what} is shared."))
    anonymity = agreement.feedback_anonymity
    if not anonymity:
        problems.append(
            Problem(step, "Decide whether and how stakeholder feedback is anonymised.")
        )
    elif anonymity == FeedbackAnonymity.NOT_COLLECTED:
        feedback = matrix[terms.InformationKind.FEEDBACK]
        if any(cell["level"] not in {"", terms.SharingLevel.NEVER} for cell in feedback.values()):
            problems.append(
                Problem(
                    step,
                    "Stakeholder feedback is to be shared, but none is collected: choose how it "
                    "is anonymised, or never share it.",
                    Severity.CONTRADICTION,
                )
            )
    return problems


def check_limits(agreement: Agreement) -> list[Problem]:
    step = "limits"
    problems: list[Problem] = []
    if not agreement.limit_items:
        problems.append(Problem(step, "List the limits of confidentiality."))
    if not agreement.jurisdiction:
        problems.append(Problem(step, "Choose the jurisdiction whose law applies."))
    elif (
        agreement.jurisdiction == terms.Jurisdiction.OTHER
        and not agreement.jurisdiction_other.strip()
    ):
        problems.append(Problem(step, "Name the jurisdiction."))
    uk = agreement.jurisdiction in terms.UK_JURISDICTIONS
    if agreement.jurisdiction and not uk:
        for item in agreement.limit_items:
            standard = terms.STANDARD_LIMIT_KEYS.get(item["key"])
            if standard and standard.uk_only:
                problems.append(
                    Problem(
                        step,
                        f"“{standard.title}” is a United Kingdom duty, but the agreement is "
                        f"under the law of {agreement.get_jurisdiction_display()}.",
                        Severity.CONTRADICTION,
                    )
                )
    if not agreement.breach_procedure.strip():
        problems.append(Problem(step, "Describe the procedure for breaking confidentiality."))
    return problems


def check_conduct(agreement: Agreement) -> list[Problem]:
    fields = {"client_confidentiality": "Describe the client's own confidentiality duties."}
    if not agreement.is_two_party:
        fields["organisational_guidelines"] = (
            "Say what the coach does about the organisation's guidelines and code of conduct."
        )
    return _missing("conduct", agreement, fields)


def check_records(agreement: Agreement) -> list[Problem]:
    step = "records"
    problems: list[Problem] = []
    for record_class, rule in agreement.record_rules.items():
        label = _record_label(record_class)
        if rule["retention_years"] is None:
            problems.append(Problem(step, f"Set how long to keep {label}."))
        if not rule["storage"]:
            problems.append(Problem(step, f"Say where {label} are kept."))
        if not rule["disposal"]:
            problems.append(Problem(step, f"Say how {label} are disposed of."))
    problems += _missing(step, agreement, {"data_controller": "Say who controls which records."})
    return problems


def _record_label(record_class: str) -> str:
    return RecordClass(record_class).label.lower()


def check_ethics(agreement: Agreement) -> list[Problem]:
    step = "ethics"
    problems = _missing(
        step,
        agreement,
        {
            "ethics_and_complaints": "Name the code of ethics and the complaints route.",
            "recording": "Decide whether sessions may be recorded.",
            "testimonials": "Decide whether the coach may ask for testimonials.",
            "health_information": "Say how health information is handled.",
        },
    )
    profile = getattr(agreement.coach, "profile", None)
    if profile is None or not profile.has_insurance():
        problems.append(
            Problem(
                step,
                "Your professional indemnity insurance is not in your profile.",
                Severity.WARNING,
            )
        )
    elif agreement.end_date and profile.insurance_expires_on < agreement.end_date:
        problems.append(
            Problem(
                step,
                "Your professional indemnity insurance expires before coaching ends: "
                "renew it and update your profile.",
                Severity.WARNING,
            )
        )
    return problems


def check_ending(agreement: Agreement) -> list[Problem]:
    return _missing(
        "ending",
        agreement,
        {
            "termination_terms": "Say how any party may end the agreement.",
            "notice_days": "Set the notice period.",
            "amendment_process": "Say how the agreement is reviewed and amended.",
        },
    )


CHECKS = [
    check_parties,
    check_roles,
    check_goals,
    check_logistics,
    check_fees,
    check_sharing,
    check_limits,
    check_conduct,
    check_records,
    check_ethics,
    check_ending,
]
