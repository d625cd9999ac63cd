"""Writing notes for the tests, and reading what the database holds."""

from __future__ import annotations

from cryptography.fernet import Fernet

from contracts.models import AuditEvent, AuditEventKind

PHRASE = "Quillfeather-7741 confided the burnout"


def new_key() -> str:
    return Fernet.generate_key().decode()


def events(kind: AuditEventKind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("seq"))
