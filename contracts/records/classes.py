"""The record classes as the product stores them: what each covers, and how many of its
records an agreement still holds.

The signed agreement states a retention period for every class (coaching.RecordClass);
here each class is tied to the tables that hold it. Assessments and stakeholder
feedback are kept outside Tripartite, so nothing of theirs is stored here to dispose of.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from coaching.models import RecordClass
from contracts.models import (
    Agreement,
    AgreementPdf,
    AgreementStatus,
    AuditEvent,
    BreachRecord,
    ClientDecision,
    CoachingSession,
    DisclosureEntry,
    InformationRequest,
    Intake,
    OutgoingEmail,
    PrivateNote,
    Release,
    Review,
    ThreeWayMeeting,
)

WHAT_IT_COVERS: dict[RecordClass, str] = {
    RecordClass.AGREEMENT: (
        "The agreement and every version of it, the signatures with their evidence (names, "
        "addresses, IP addresses, drawn signatures), the emailed links, the PDFs, the reviews, "
        "and the content of the audit trail (its fingerprints stay)"
    ),
    RecordClass.SESSIONS: "Sessions logged and planned; three-way meetings and their notes",
    RecordClass.NOTES: "Your private notes, and your notes of the reviews",
    RecordClass.ASSESSMENTS: "Not kept in Tripartite",
    RecordClass.FEEDBACK: "Not kept in Tripartite",
    RecordClass.INTAKE: "The client's intake questionnaires and answers",
    RecordClass.REPORTS: (
        "Reports and information released to the sponsor (texts and sealed PDFs), the "
        "sponsor's requests and the client's decisions on them"
    ),
    RecordClass.DISCLOSURES: (
        "The disclosure log's entries (their fingerprints stay) and the records of "
        "confidentiality broken under a limit"
    ),
    RecordClass.CORRESPONDENCE: "Emails sent to the parties and what became of each",
}

# Disposed of in this order, the agreement last: every other class refers to it.
DISPOSAL_ORDER: tuple[RecordClass, ...] = (
    RecordClass.REPORTS,
    RecordClass.DISCLOSURES,
    RecordClass.NOTES,
    RecordClass.INTAKE,
    RecordClass.SESSIONS,
    RecordClass.CORRESPONDENCE,
    RecordClass.ASSESSMENTS,
    RecordClass.FEEDBACK,
    RecordClass.AGREEMENT,
)

# What is left of a record once its content is disposed of, when a chained log or a
# kept record still points at it (so the row stays, empty).
RELEASE_KEPT = Q(title="", body="", client_comment="", report_pdf="")
REQUEST_KEPT = Q(asked="", answer="")
DISCLOSURE_KEPT = Q(what="", to_name="", to_email="", approved_by="")
BREACH_KEPT = Q(disclosed="", disclosed_to="")


def _agreement(agreement: Agreement) -> int:
    if agreement.status == AgreementStatus.DISPOSED:
        return 0
    events = AuditEvent.objects.filter(agreement=agreement).exclude(actor="").count()
    pdfs = AgreementPdf.objects.filter(agreement=agreement).count()
    return 1 + agreement.versions.count() + pdfs + events


def _sessions(agreement: Agreement) -> int:
    return (
        CoachingSession.objects.filter(agreement=agreement).count()
        + ThreeWayMeeting.objects.filter(agreement=agreement).count()
    )


def _notes(agreement: Agreement) -> int:
    return (
        PrivateNote.objects.filter(agreement=agreement).count()
        + Review.objects.filter(agreement=agreement).exclude(notes="").count()
    )


def _intake(agreement: Agreement) -> int:
    return Intake.objects.filter(agreement=agreement).count()


def _reports(agreement: Agreement) -> int:
    return (
        Release.objects.filter(agreement=agreement).exclude(RELEASE_KEPT).count()
        + InformationRequest.objects.filter(agreement=agreement).exclude(REQUEST_KEPT).count()
        + ClientDecision.objects.filter(release__agreement=agreement).count()
    )


def _disclosures(agreement: Agreement) -> int:
    return (
        DisclosureEntry.objects.filter(agreement=agreement).exclude(DISCLOSURE_KEPT).count()
        + BreachRecord.objects.filter(agreement=agreement).exclude(BREACH_KEPT).count()
    )


def _correspondence(agreement: Agreement) -> int:
    return OutgoingEmail.objects.filter(agreement=agreement).count()


def _nothing(agreement: Agreement) -> int:
    return 0


HELD_COUNT: dict[RecordClass, Callable[[Agreement], int]] = {
    RecordClass.AGREEMENT: _agreement,
    RecordClass.SESSIONS: _sessions,
    RecordClass.NOTES: _notes,
    RecordClass.ASSESSMENTS: _nothing,
    RecordClass.FEEDBACK: _nothing,
    RecordClass.INTAKE: _intake,
    RecordClass.REPORTS: _reports,
    RecordClass.DISCLOSURES: _disclosures,
    RecordClass.CORRESPONDENCE: _correspondence,
}


def held_count(agreement: Agreement, record_class: RecordClass) -> int:
    """How many records of the class the agreement still holds (0 once disposed of)."""
    return HELD_COUNT[record_class](agreement)
