from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from contracts.models import (
    Agreement,
    AgreementPdf,
    AgreementTemplate,
    AgreementVersion,
    AuditCheckpoint,
    AuditEvent,
    BreachRecord,
    ClientDecision,
    CoachingSession,
    DataRequest,
    DisclosureEntry,
    DisposalEntry,
    FileDeletion,
    InformationRequest,
    Intake,
    IntakeQuestionnaire,
    LegalHold,
    NotesKeyFingerprint,
    OutgoingEmail,
    PortalLink,
    PrivateNote,
    Programme,
    ProgrammeChange,
    RecordsPass,
    Release,
    Reminder,
    Review,
    ReviewConfirmation,
    Signer,
    SigningLink,
    Termination,
    ThreeWayMeeting,
    Tombstone,
    TrailCheck,
)


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin[Agreement]):
    list_display = ("title", "coach", "client", "organisation", "status", "start_date", "end_date")
    list_filter = ("status", "start_date", ("organisation", admin.EmptyFieldListFilter))
    search_fields = ("title", "client__name", "organisation__name", "coach__email")
    list_select_related = ("coach", "client", "organisation")
    raw_id_fields = ("coach", "client", "organisation", "sponsor_signatory")
    filter_horizontal = ("stakeholders",)
    readonly_fields = (
        "number",
        "template_name",
        "last_step",
        "audit_head",
        "audit_count",
        "created_at",
        "updated_at",
    )


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin[AgreementTemplate]):
    list_display = ("name", "coach", "updated_at")
    search_fields = ("name", "coach__email")
    list_select_related = ("coach",)
    raw_id_fields = ("coach",)


class ReadOnlyAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Evidence is looked at, never edited: no adding, changing or deleting here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin[AgreementVersion]):
    list_display = ("__str__", "frozen_at", "completed_at", "ended_at", "sha256")
    list_filter = ("frozen_at",)
    search_fields = ("agreement__title", "sha256")
    list_select_related = ("agreement",)


@admin.register(Signer)
class SignerAdmin(ReadOnlyAdmin[Signer]):
    list_display = ("name", "role", "status", "version", "signed_at", "declined_at")
    list_filter = ("role", "status")
    search_fields = ("name", "email")
    list_select_related = ("version__agreement",)
    exclude = ("code_hash", "drawn_signature")


@admin.register(SigningLink)
class SigningLinkAdmin(ReadOnlyAdmin[SigningLink]):
    list_display = ("signer", "purpose", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("purpose",)
    list_select_related = ("signer",)
    exclude = ("token_hash",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ("agreement", "seq", "kind", "actor", "at")
    list_filter = ("kind", "at")
    search_fields = ("agreement__title", "actor")
    list_select_related = ("agreement",)


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin[AuditCheckpoint]):
    list_display = ("number", "taken_at", "hash", "certificate_sha256")
    list_filter = ("taken_at",)
    exclude = ("heads",)  # one entry per agreement: too long for a page


@admin.register(TrailCheck)
class TrailCheckAdmin(ReadOnlyAdmin[TrailCheck]):
    list_display = ("agreement", "seq", "full_check_at")
    list_filter = ("full_check_at",)
    list_select_related = ("agreement",)


@admin.register(AgreementPdf)
class AgreementPdfAdmin(ReadOnlyAdmin[AgreementPdf]):
    list_display = ("agreement", "kind", "paper_size", "status", "size", "render_ms", "ready_at")
    list_filter = ("kind", "status", "paper_size")
    search_fields = ("agreement__title", "sha256", "source_hash")
    list_select_related = ("agreement",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin[Reminder]):
    list_display = ("key", "coach", "kind", "due_on", "status", "attempts", "sent_at")
    list_filter = ("kind", "status", "due_on")
    search_fields = ("key", "coach__email")
    list_select_related = ("coach",)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin[OutgoingEmail]):
    list_display = ("kind", "agreement", "state", "attempts", "queued_at", "sent_at")
    list_filter = ("kind", "state")
    search_fields = ("agreement__title",)
    list_select_related = ("agreement",)


class ReviewConfirmationInline(admin.TabularInline[ReviewConfirmation, Review]):
    model = ReviewConfirmation
    extra = 0
    can_delete = False
    readonly_fields = ("signer", "requested_at", "confirmed_at")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin[Review]):
    list_display = ("agreement", "version", "due_on", "outcome", "started_at", "completed_at")
    list_filter = ("outcome", "due_on")
    search_fields = ("agreement__title",)
    list_select_related = ("agreement", "version")
    readonly_fields = ("agreement", "version", "started_at", "decided_at", "completed_at")
    exclude = ("notes",)  # the coach's own notes of a confidential conversation
    inlines = (ReviewConfirmationInline,)


@admin.register(ReviewConfirmation)
class ReviewConfirmationAdmin(ReadOnlyAdmin[ReviewConfirmation]):
    list_display = ("review", "signer", "requested_at", "confirmed_at")
    list_select_related = ("review__agreement", "signer")


@admin.register(CoachingSession)
class CoachingSessionAdmin(ReadOnlyAdmin[CoachingSession]):
    list_display = ("agreement", "starts_at", "minutes", "status", "counted")
    list_filter = ("status",)
    list_select_related = ("agreement",)


@admin.register(PrivateNote)
class PrivateNoteAdmin(ReadOnlyAdmin[PrivateNote]):
    """Only that a note exists: its text is the coach's alone, and encrypted."""

    list_display = ("agreement", "session", "created_at", "updated_at")
    list_select_related = ("agreement", "session")
    exclude = ("ciphertext",)


@admin.register(NotesKeyFingerprint)
class NotesKeyFingerprintAdmin(ReadOnlyAdmin[NotesKeyFingerprint]):
    """Which keys have encrypted stored text, by fingerprint: never a key."""

    list_display = ("fingerprint", "first_used_at")


@admin.register(IntakeQuestionnaire)
class IntakeQuestionnaireAdmin(ReadOnlyAdmin[IntakeQuestionnaire]):
    list_display = ("name", "coach", "updated_at")
    list_select_related = ("coach",)


@admin.register(Intake)
class IntakeAdmin(ReadOnlyAdmin[Intake]):
    """Only where an intake stands: the answers are the coach's alone, and encrypted."""

    list_display = ("agreement", "status", "sent_at", "submitted_at")
    list_filter = ("status",)
    list_select_related = ("agreement",)
    exclude = ("answers_ciphertext",)


@admin.register(ThreeWayMeeting)
class ThreeWayMeetingAdmin(ReadOnlyAdmin[ThreeWayMeeting]):
    list_display = ("agreement", "kind", "starts_at", "agreed_recorded_at")
    list_filter = ("kind",)
    list_select_related = ("agreement",)


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin[Programme]):
    list_display = ("name", "organisation", "coach", "purchase_order", "start_date", "end_date")
    list_select_related = ("organisation", "coach")


@admin.register(ProgrammeChange)
class ProgrammeChangeAdmin(ReadOnlyAdmin[ProgrammeChange]):
    list_display = ("programme", "kind", "by", "at")
    list_select_related = ("programme", "by")
    exclude = ("token",)


@admin.register(PortalLink)
class PortalLinkAdmin(ReadOnlyAdmin[PortalLink]):
    list_display = ("contact", "created_at", "expires_at", "used_at")
    list_select_related = ("contact",)
    exclude = ("token_hash",)


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyAdmin[InformationRequest]):
    """Who asked for what kind of information and where it stands: not what was asked."""

    list_display = ("agreement", "kind", "recipient", "level", "status", "created_at")
    list_filter = ("status", "level")
    list_select_related = ("agreement",)
    exclude = ("asked", "answer")


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin[Release]):
    """Where a release stands: never its text, which only its recipient may read."""

    list_display = ("agreement", "kind", "recipient", "status", "released_at")
    list_filter = ("kind", "status")
    list_select_related = ("agreement",)
    exclude = ("body", "client_comment")


@admin.register(ClientDecision)
class ClientDecisionAdmin(ReadOnlyAdmin[ClientDecision]):
    list_display = ("release", "decision", "at")
    list_select_related = ("release",)
    exclude = ("text_seen", "comment")


@admin.register(BreachRecord)
class BreachRecordAdmin(ReadOnlyAdmin[BreachRecord]):
    list_display = ("agreement", "limit_key", "occurred_on", "disclosed_at")
    list_select_related = ("agreement",)
    exclude = ("disclosed", "not_told_reason", "follow_up", "hidden_from_client_reason")


@admin.register(DisclosureEntry)
class DisclosureEntryAdmin(ReadOnlyAdmin[DisclosureEntry]):
    list_display = ("coach", "seq", "agreement", "what", "to_role", "basis", "at")
    list_select_related = ("coach", "agreement")


# The records lifecycle: read only, and without the coach's reasons (for the coach only).


@admin.register(Termination)
class TerminationAdmin(ReadOnlyAdmin[Termination]):
    list_display = ("agreement", "ended_on", "recorded_at")
    list_select_related = ("agreement",)
    exclude = ("reason",)


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin[LegalHold]):
    list_display = ("coach", "agreement", "client", "placed_at", "lifted_at")
    list_select_related = ("coach", "agreement", "client")
    exclude = ("reason", "lift_reason")


@admin.register(DisposalEntry)
class DisposalEntryAdmin(ReadOnlyAdmin[DisposalEntry]):
    list_display = ("coach", "reference", "record_class", "count", "reason", "at")
    list_filter = ("record_class", "reason")
    list_select_related = ("coach",)


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin[Tombstone]):
    list_display = ("reference", "disposed_at", "audit_seq")


@admin.register(FileDeletion)
class FileDeletionAdmin(ReadOnlyAdmin[FileDeletion]):
    list_display = ("name", "created_at", "attempts", "last_error")


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin[DataRequest]):
    list_display = ("coach", "client", "kind", "received_at", "due_on", "completed_at")
    list_filter = ("kind",)
    list_select_related = ("coach", "client")
    exclude = ("outcome", "note")


@admin.register(RecordsPass)
class RecordsPassAdmin(ReadOnlyAdmin[RecordsPass]):
    list_display = ("day", "started_at", "finished_at", "due", "disposed")
