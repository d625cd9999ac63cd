"""Encryption at rest for what the coach alone may read: private notes and intake answers.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`, already a dependency through
pyHanko) with the keys in NOTES_KEY, newest first. MultiFernet encrypts with the newest
and decrypts with any, so a key is rotated by putting the new one in front, running
`manage.py rotate_notes_key`, then removing the old one.

Why not an encrypted-field library: a field decrypts whenever a row is loaded, so a list
of notes would decrypt every one and no read could be audited; the maintained one
(django-fernet-encrypted-fields) also derives its keys from SECRET_KEY and hands back the
ciphertext as if it were the text when the key is wrong. Here every read goes through
`decrypt_text()`, which fails loudly (`NotesKeyMismatch`), and the caller audits it.

A wrong key must be found at start-up, not by a coach opening a note: every key that
encrypts anything leaves its fingerprint (`NotesKeyFingerprint`, an HMAC of a fixed text,
from which the key cannot be found), and `key_problems()`, run by the system checks,
names any fingerprint that NOTES_KEY no longer holds.

`cryptography` (about 9 MB) is imported by the functions that encrypt or decrypt, so that
a web process loads it with the first note or answer it reads, not at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from contracts.models import Intake, NotesKeyFingerprint, PrivateNote

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

FINGERPRINT_MESSAGE = b"tripartite: which NOTES_KEY is this"
# A Fernet token: version (1 byte), timestamp (8), IV (16), the padded text, HMAC (32).
TOKEN_OVERHEAD = 1 + 8 + 16 + 32
ROTATION_BATCH = 200


class NotesKeyMismatch(Exception):
    """The stored text was encrypted with a key that NOTES_KEY no longer holds."""


def key_fingerprint(key: str) -> str:
    """A short public name for a key: the same key always gives the same name."""
    raw = base64.urlsafe_b64decode(key.encode())
    return hmac.new(raw, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.NOTES_KEYS))


def _remember_newest_key() -> None:
    fingerprint = key_fingerprint(settings.NOTES_KEYS[0])
    if not NotesKeyFingerprint.objects.filter(fingerprint=fingerprint).exists():
        NotesKeyFingerprint.objects.bulk_create(
            [NotesKeyFingerprint(fingerprint=fingerprint)], ignore_conflicts=True
        )


def encrypt_text(text: str) -> str:
    """The text as a Fernet token made with the newest key, whose fingerprint is kept."""
    _remember_newest_key()
    return _current().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise NotesKeyMismatch(
            "This text was encrypted with a key that NOTES_KEY does not hold: put the "
            "key it was written with back in NOTES_KEY (after the current one)."
        ) from None


def reencrypt(token: str) -> str:
    """The same text, encrypted with the newest key (for key rotation)."""
    from cryptography.fernet import InvalidToken

    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken:
        raise NotesKeyMismatch(
            "This text cannot be decrypted with any key in NOTES_KEY."
        ) from None


def approximate_length(token: str) -> int:
    """About how many bytes the text has, read from the token's size alone (no key
    needed): the padding hides the last few, at most 16."""
    try:
        size = len(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        return 0
    return max(size - TOKEN_OVERHEAD - 8, 0)


def key_problems() -> list[str]:
    """What is wrong with NOTES_KEY for the text stored now, in words for the person
    who starts the server; empty when every stored text can be read."""
    held = {key_fingerprint(key) for key in settings.NOTES_KEYS}
    missing = sorted(
        NotesKeyFingerprint.objects.exclude(fingerprint__in=held).values_list(
            "fingerprint", flat=True
        )
    )
    problems = [
        f"NOTES_KEY does not hold the key with fingerprint {fingerprint}, which encrypted "
        "private notes or intake answers stored in this database. Put that key back in "
        "NOTES_KEY, after the current one (see the README on private notes)."
        for fingerprint in missing
    ]
    if not problems:
        for token in _newest_tokens():
            try:
                decrypt_text(token)
            except NotesKeyMismatch:
                problems.append(
                    "NOTES_KEY cannot decrypt the newest private note or intake answers "
                    "stored in this database: it is not the key they were written with."
                )
                break
    return problems


def _newest_tokens() -> Iterator[str]:
    """The newest stored token of each kind: written before fingerprints were kept, or
    copied in from another database, they are checked as well."""
    note = PrivateNote.objects.order_by("-pk").values_list("ciphertext", flat=True).first()
    if note:
        yield note
    answers = (
        Intake.objects.exclude(answers_ciphertext="")
        .order_by("-pk")
        .values_list("answers_ciphertext", flat=True)
        .first()
    )
    if answers:
        yield answers


@dataclass
class RotationReport:
    """What a rotation did: texts re-encrypted, texts already under the newest key, and
    texts no key in NOTES_KEY can read (left as they are)."""

    rotated: int = 0
    current: int = 0
    unreadable: int = 0

    @property
    def complete(self) -> bool:
        return self.unreadable == 0


def _rotate_table(
    model: type[PrivateNote] | type[Intake], field: str, report: RotationReport, batch: int
) -> None:
    """Re-encrypt one column, `batch` rows per transaction, in the order of their ids."""
    from cryptography.fernet import Fernet, InvalidToken

    newest = Fernet(settings.NOTES_KEYS[0])
    after = 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update()
                .filter(pk__gt=after)
                .exclude(**{field: ""})
                .order_by("pk")
                .values_list("pk", field)[:batch]
            )
            if not rows:
                return
            for pk, token in rows:
                try:
                    newest.decrypt(token.encode())
                except InvalidToken:
                    pass
                else:
                    report.current += 1
                    continue
                try:
                    fresh = reencrypt(token)
                except NotesKeyMismatch:
                    report.unreadable += 1
                    continue
                # Only the column: the row's other fields (a revision, a status) stay as
                # they are, so rotation never undoes a coach's concurrent save.
                model.objects.filter(pk=pk).update(**{field: fresh})
                report.rotated += 1
            after = rows[-1][0]


def rotate_all(*, batch: int = ROTATION_BATCH) -> RotationReport:
    """Re-encrypt every private note and intake answer with the newest key.

    Batched, each batch in its own transaction, so a long run holds no lock for long and
    may be stopped and run again: a text already under the newest key is left as it is.
    Once every row has been read, only the newest key's fingerprint is kept, and the
    older keys may leave NOTES_KEY.
    """
    report = RotationReport()
    _remember_newest_key()
    _rotate_table(PrivateNote, "ciphertext", report, batch)
    _rotate_table(Intake, "answers_ciphertext", report, batch)
    if report.complete:
        newest = key_fingerprint(settings.NOTES_KEYS[0])
        NotesKeyFingerprint.objects.exclude(fingerprint=newest).delete()
    return report
