"""Logging that never writes a secret: link tokens are cut out of every record."""

import logging
import re

SECRET_PATHS = re.compile(
    r"(/(?:sign|copy|review|intake|decide|portal/enter|accounts/confirm-email)/"
    r"|/accounts/password/reset/[^/\s]+/)"
    r"[A-Za-z0-9_\-:]{6,}"
)


class RedactSecrets(logging.Filter):
    """Replace the token in link paths (signing, copy, review, intake, a client's decision,
    the sponsor portal's sign-in), password-reset and address-confirmation paths with
    [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_PATHS.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
