"""A web process loads its URLs without importing the libraries only some requests need:
the PDF and image libraries (about a second and tens of megabytes, for the processes and
requests that make a PDF or read an image), WebAuthn's fido2 and cryptography (passkeys,
encrypted notes and second-factor secrets), and `requests`, which single sign-on alone
uses."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# What gunicorn does: load the WSGI application, then its URLs with the first request.
PROBE = """
import json, sys
from coaching.wsgi import application
from django.urls import get_resolver, resolve
get_resolver().url_patterns
for path in ("/healthz/", "/accounts/login/", "/accounts/2fa/", "/accounts/2fa/webauthn/add/"):
    resolve(path)
print(json.dumps(sorted(name for name in sys.argv[1:] if name in sys.modules)))
"""


def imported_by_a_web_process(*modules: str, **env: str) -> list[str]:
    """Those of the modules that loading the application and its URLs imported, in a
    fresh process (this one has imported them all), with the development settings and
    single sign-on not configured unless `env` does."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SSO_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        cwd=Path(settings.BASE_DIR),
        env={**inherited, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "coaching.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_loading_every_url_imports_neither_weasyprint_nor_pyhanko_nor_pillow() -> None:
    assert imported_by_a_web_process("weasyprint", "pyhanko", "PIL") == []


def test_loading_every_url_imports_neither_the_passkey_library_nor_cryptography() -> None:
    assert imported_by_a_web_process("fido2", "cryptography") == []


def test_requests_is_imported_only_when_single_sign_on_is_configured() -> None:
    assert imported_by_a_web_process("requests") == []
    sso = {
        "SSO_OIDC_SERVER_URL": "https://id.practice.example/realms/coaches",
        "SSO_OIDC_CLIENT_ID": "tripartite",
        "SSO_OIDC_CLIENT_SECRET": "client-secret",
    }
    assert imported_by_a_web_process("requests", **sso) == ["requests"]
