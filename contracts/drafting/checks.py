"""Completeness and consistency checks: what stops an agreement from being sent.

Each rule is written once, here. `agreement_problems()` runs every one of them for
the builder's checklist and the sending workflow; the builder's step forms run the
`*_rules()` functions on what the coach typed, so a contradiction is refused next to
its field with the same words the checklist would use. Each problem names the
builder step (and, where there is one, the form field) that fixes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from coaching.models import Organisation, RecordClass, SponsorContact
from contracts.drafting.default_terms import long_date
from contracts.models import Agreement, FeeBasis, FeedbackAnonymity, Payer
from contracts.sharing import SharingRule, sharing_rules
from contracts.terms import (
    RECIPIENT_PHRASES,
    STANDARD_LIMIT_KEYS,
    UK_JURISDICTIONS,
    InformationKind,
    Jurisdiction,
    SharingLevel,
)


class Severity(StrEnum):
    MISSING = "missing"
    CONTRADICTION = "contradiction"
    WARNING = "warning"  # shown, but does not stop sending


@dataclass(frozen=True)
class Problem:
    step: str
    message: str
    severity: Severity = Severity.MISSING
    field: str = ""  # the builder form field it is about, if one

    @property
    def blocks_sending(self) -> bool:
        return self.severity != Severity.WARNING


def matrix_field(kind: str, recipient: str, part: str = "level") -> str:
    """The name of one part of one cell of the sharing matrix in the builder's form."""
    return f"{kind}__{recipient}__{part}"


def limit_field(key: str) -> str:
    return f"limit_{key}"


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
        Problem(step, message, field=name)
        for name, message in fields.items()
        if not str(getattr(agreement, name) or "").strip()
    ]


# Rules the step forms enforce too.


def party_rules(
    *,
    organisation: Organisation | None,
    signatory: SponsorContact | None,
    stakeholders: Sequence[SponsorContact],
) -> list[Problem]:
    step, contradiction = "parties", Severity.CONTRADICTION
    if organisation is None:
        problems = []
        if signatory is not None:
            problems.append(
                Problem(
                    step,
                    "A private client's agreement has no sponsor signatory: choose the sponsor "
                    "organisation first, or leave this empty.",
                    contradiction,
                    "sponsor_signatory",
                )
            )
        if stakeholders:
            problems.append(
                Problem(
                    step,
                    "A private client's agreement copies no one.",
                    contradiction,
                    "stakeholders",
                )
            )
        return problems
    problems = []
    if signatory is not None and signatory.organisation_id != organisation.pk:
        problems.append(
            Problem(
                step,
                f"{signatory.name} does not work for {organisation.name}: choose a signatory "
                "from the sponsor.",
                contradiction,
                "sponsor_signatory",
            )
        )
    for stakeholder in stakeholders:
        if stakeholder.organisation_id != organisation.pk:
            problems.append(
                Problem(
                    step,
                    f"{stakeholder.name} does not work for {organisation.name}.",
                    contradiction,
                    "stakeholders",
                )
            )
        if signatory is not None and stakeholder.pk == signatory.pk:
            problems.append(
                Problem(
                    step,
                    f"{stakeholder.name} signs the agreement, so is not also copied.",
                    contradiction,
                    "stakeholders",
                )
            )
    return problems


def date_rules(*, start: date | None, end: date | None, review: date | None) -> list[Problem]:
    problems = []
    if start and end and end <= start:
        problems.append(
            Problem(
                "logistics",
                "Coaching must end after it starts.",
                Severity.CONTRADICTION,
                "end_date",
            )
        )
    if start and review and review <= start:
        problems.append(
            Problem(
                "logistics",
                "The review must come after coaching starts.",
                Severity.CONTRADICTION,
                "review_date",
            )
        )
    if end and review and review > end:
        problems.append(
            Problem(
                "logistics",
                f"The review date is after coaching ends on {long_date(end)}: choose a review "
                "date on or before that day, or move the end date.",
                Severity.CONTRADICTION,
                "review_date",
            )
        )
    return problems


def fee_rules(*, basis: str, amount: Decimal | None, payer: str, two_party: bool) -> list[Problem]:
    step, contradiction = "fees", Severity.CONTRADICTION
    problems = []
    if amount is not None and amount <= 0:
        problems.append(
            Problem(
                step,
                "Enter an amount above zero, or choose pro bono.",
                contradiction,
                "fee_amount",
            )
        )
    if basis == FeeBasis.PRO_BONO and amount:
        problems.append(
            Problem(
                step,
                "Pro bono coaching has no fee: leave the amount empty.",
                contradiction,
                "fee_amount",
            )
        )
    if basis == FeeBasis.SEPARATE and amount:
        problems.append(
            Problem(
                step,
                "The fee is in your separate contract with the sponsor: leave the amount empty.",
                contradiction,
                "fee_amount",
            )
        )
    if basis == FeeBasis.SEPARATE and two_party:
        problems.append(
            Problem(
                step,
                "A private client's agreement has no sponsor to hold a separate contract "
                "with: set the client's fee here.",
                contradiction,
                "fee_basis",
            )
        )
    if two_party and payer == Payer.SPONSOR:
        problems.append(
            Problem(
                step,
                "A private client's agreement has no sponsor to pay: the client pays.",
                contradiction,
                "payer",
            )
        )
    return problems


def sharing_rule_problems(rules: Iterable[SharingRule], *, anonymity: str) -> list[Problem]:
    """Contradictions in the matrix: what coaching keeps private, shared; feedback shared
    that is never collected."""
    step, problems = "sharing", []
    feedback_shared = False
    for rule in rules:
        if rule.kind == InformationKind.FEEDBACK and rule.shared:
            feedback_shared = True
        if rule.protected and rule.shared and rule.level != SharingLevel.CONSENT:
            assert rule.level is not None  # noqa: S101 - shared implies decided
            problems.append(
                Problem(
                    step,
                    f"{rule.kind.label} cannot be shared with {RECIPIENT_PHRASES[rule.recipient]} "
                    f"“{rule.level.label.lower()}”: it contradicts the confidentiality promised "
                    "to the client. Choose never, or only with the client's consent each time.",
                    Severity.CONTRADICTION,
                    matrix_field(rule.kind, rule.recipient),
                )
            )
    if anonymity == FeedbackAnonymity.NOT_COLLECTED and feedback_shared:
        problems.append(
            Problem(
                step,
                "Stakeholder feedback is to be shared, but none is collected: choose how it is "
                "anonymised, or never share it.",
                Severity.CONTRADICTION,
                "feedback_anonymity",
            )
        )
    return problems


def limit_rules(
    *, jurisdiction: str, jurisdiction_other: str, limit_keys: Iterable[str]
) -> list[Problem]:
    step, problems = "limits", []
    if jurisdiction == Jurisdiction.OTHER and not jurisdiction_other.strip():
        problems.append(Problem(step, "Name the jurisdiction.", field="jurisdiction_other"))
    if jurisdiction and jurisdiction not in UK_JURISDICTIONS:
        law = Jurisdiction(jurisdiction).label
        for key in limit_keys:
            standard = STANDARD_LIMIT_KEYS.get(key)
            if standard and standard.uk_only:
                problems.append(
                    Problem(
                        step,
                        f"“{standard.title}” is a United Kingdom duty, but the agreement is "
                        f"under the law of {law}.",
                        Severity.CONTRADICTION,
                        limit_field(key),
                    )
                )
    return problems


# The checks, one per builder step.


def check_parties(agreement: Agreement) -> list[Problem]:
    step = "parties"
    problems: list[Problem] = []
    if not agreement.title.strip():
        problems.append(Problem(step, "Give the agreement a title.", field="title"))
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
        if not signatory.email:
            problems.append(Problem(step, f"Add an email address for {signatory.name}."))
        if signatory.is_archived:
            problems.append(
                Problem(step, f"{signatory.name} is archived: choose another signatory.")
            )
    return problems + party_rules(
        organisation=organisation,
        signatory=signatory,
        stakeholders=list(agreement.stakeholders.all()),
    )


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
    problems = _missing(
        "logistics",
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
    return problems + date_rules(
        start=agreement.start_date, end=agreement.end_date, review=agreement.review_date
    )


def check_fees(agreement: Agreement) -> list[Problem]:
    step = "fees"
    problems: list[Problem] = []
    basis = agreement.fee_basis
    if not basis:
        problems.append(Problem(step, "Set the fee, or mark the coaching as pro bono."))
    elif basis not in {FeeBasis.PRO_BONO, FeeBasis.SEPARATE}:
        if agreement.fee_amount is None:
            problems.append(Problem(step, "Enter the fee amount.", field="fee_amount"))
        if not agreement.invoicing_terms.strip():
            problems.append(Problem(step, "Describe invoicing and payment terms."))
        if not agreement.payer:
            problems.append(Problem(step, "Say who pays."))
    if not agreement.cancellation_terms.strip():
        problems.append(Problem(step, "Describe what happens with cancelled or missed sessions."))
    return problems + fee_rules(
        basis=basis,
        amount=agreement.fee_amount,
        payer=agreement.payer,
        two_party=agreement.is_two_party,
    )


def check_sharing(agreement: Agreement) -> list[Problem]:
    if agreement.is_two_party:
        return []
    step = "sharing"
    problems: list[Problem] = []
    rules = sharing_rules(agreement)
    for rule in rules:
        what = f"{rule.kind.label.lower()} with {RECIPIENT_PHRASES[rule.recipient]}"
        if not rule.decided:
            problems.append(Problem(step, f"Decide whether to share {what}."))
        elif rule.shared and not rule.has_details:
            problems.append(Problem(step, f"Say how, when and by whom {what} is shared."))
    if not agreement.feedback_anonymity:
        problems.append(
            Problem(step, "Decide whether and how stakeholder feedback is anonymised.")
        )
    return problems + sharing_rule_problems(rules, anonymity=agreement.feedback_anonymity)


def check_limits(agreement: Agreement) -> list[Problem]:
    step = "limits"
    problems: list[Problem] = []
    if not agreement.limit_items:
        problems.append(Problem(step, "List the limits of confidentiality."))
    if not agreement.jurisdiction:
        problems.append(Problem(step, "Choose the jurisdiction whose law applies."))
    problems += limit_rules(
        jurisdiction=agreement.jurisdiction,
        jurisdiction_other=agreement.jurisdiction_other,
        limit_keys=[item["key"] for item in agreement.limit_items],
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
        label = RecordClass(record_class).label.lower()
        if rule["retention_years"] is None:
            problems.append(Problem(step, f"Set how long to keep {label}."))
        if not rule["storage"]:
            problems.append(Problem(step, f"Say where {label} are kept."))
        if not rule["disposal"]:
            problems.append(Problem(step, f"Say how {label} are disposed of."))
    problems += _missing(step, agreement, {"data_controller": "Say who controls which records."})
    return problems


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
    profile = agreement.coach.profile
    expires = profile.insurance_expires_on
    if not profile.has_insurance() or expires is None:
        problems.append(
            Problem(
                step,
                "Your professional indemnity insurance is not in your profile.",
                Severity.WARNING,
            )
        )
    elif agreement.end_date and expires < agreement.end_date:
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
