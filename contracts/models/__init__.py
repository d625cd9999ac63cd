"""Models of the contracts app, one module per capability."""

from contracts.models.agreements import (
    Agreement,
    AgreementQuerySet,
    AgreementStatus,
    AgreementTemplate,
    FeeBasis,
    FeedbackAnonymity,
    Payer,
    RecordingPolicy,
    SessionFormat,
    SigningOrder,
    Terms,
    TestimonialPolicy,
    add_months,
)
from contracts.models.audit import AuditCheckpoint, AuditEvent, AuditEventKind
from contracts.models.documents import AgreementPdf, PdfKind, PdfStatus
from contracts.models.outbox import (
    GIVE_UP_AFTER,
    RETRY_GAPS,
    EmailKind,
    EmailState,
    OutgoingEmail,
)
from contracts.models.reminders import Reminder, ReminderKind, ReminderStatus
from contracts.models.reviews import Review, ReviewConfirmation, ReviewOutcome
from contracts.models.signing import (
    AgreementVersion,
    LinkPurpose,
    Signer,
    SignerRole,
    SignerStatus,
    SigningLink,
)

__all__ = [
    "GIVE_UP_AFTER",
    "RETRY_GAPS",
    "Agreement",
    "AgreementPdf",
    "AgreementQuerySet",
    "AgreementStatus",
    "AgreementTemplate",
    "AgreementVersion",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditEventKind",
    "EmailKind",
    "EmailState",
    "FeeBasis",
    "FeedbackAnonymity",
    "LinkPurpose",
    "OutgoingEmail",
    "Payer",
    "PdfKind",
    "PdfStatus",
    "RecordingPolicy",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "Review",
    "ReviewConfirmation",
    "ReviewOutcome",
    "SessionFormat",
    "Signer",
    "SignerRole",
    "SignerStatus",
    "SigningLink",
    "SigningOrder",
    "Terms",
    "TestimonialPolicy",
    "add_months",
]
