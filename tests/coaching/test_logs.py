import io
import logging
import logging.config

from django.conf import settings

from coaching.logs import RedactSecrets


def test_tokens_in_logged_paths_are_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning('"GET %s HTTP/1.1" 404', "/sign/Zr8Q-long_secret_token_123/")
        logger.warning("Not Found: /copy/AbCdEf123456/")
        logger.warning("GET /accounts/password/reset/MQ/cbk5j2-5f0e3a1c9b/ 200")
        logger.warning("POST /review/Qw3rty_Token-987/ 200")
        logger.warning("Service Unavailable: /intake/In7ake_Token-42x/")
        logger.warning("POST /portal/enter/P0rtal_Token-9z/ 302")
        logger.warning("GET /decide/D3cide_Token-77/ 200")
        logger.warning("GET /agreements/4/ 200")
        logger.warning("GET /accounts/confirm-email/MQ:1uX2:Ab_cD-ef123/ 200")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines == [
        '"GET /sign/[redacted]/ HTTP/1.1" 404',
        "Not Found: /copy/[redacted]/",
        "GET /accounts/password/reset/MQ/[redacted]/ 200",
        "POST /review/[redacted]/ 200",
        "Service Unavailable: /intake/[redacted]/",
        "POST /portal/enter/[redacted]/ 302",
        "GET /decide/[redacted]/ 200",
        "GET /agreements/4/ 200",
        "GET /accounts/confirm-email/[redacted]/ 200",
    ]


def test_the_console_handler_uses_the_redaction() -> None:
    logging.config.dictConfig(settings.LOGGING)
    console = next(h for h in logging.getLogger("django").handlers if h.name == "console")
    assert any(isinstance(f, RedactSecrets) for f in console.filters)
