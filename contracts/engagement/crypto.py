"""Encryption at rest for what the coach alone may read: private notes and intake answers.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`, already a dependency through
pyHanko) with the keys in NOTES_KEY, newest first. MultiFernet encrypts with the newest
and decrypts with any, so a key is rotated by putting the new one in front, running
`manage.py rotate_notes_key`, then removing the old one. An encrypted-field library
would add a dependency for a dozen lines, and hide when decryption happens: here every
read goes through `decrypt_text()`, where it is audited by the caller.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class NotesKeyMismatch(Exception):
    """The stored text was encrypted with a key that NOTES_KEY no longer holds."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.NOTES_KEYS))


def encrypt_text(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise NotesKeyMismatch(
            "This text was encrypted with a key that NOTES_KEY does not hold: put the "
            "key it was written with back in NOTES_KEY (after the current one)."
        ) from None


def reencrypt(token: str) -> str:
    """The same text, encrypted with the newest key (for key rotation)."""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken:
        raise NotesKeyMismatch(
            "This text cannot be decrypted with any key in NOTES_KEY."
        ) from None
