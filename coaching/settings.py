"""Settings for Tripartite.

Everything that differs between a laptop and production comes from the environment
(see `.env.example`). Development defaults are embedded so that `make run` needs
nothing; with DEBUG off the app refuses to start on development secrets.
"""

import base64
import hashlib
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from coaching.env import envbool, envchoice, envint, envlist, envstr, envurl, is_fernet_key

# Lets generic Django classes take type parameters at runtime (`admin.ModelAdmin[Agreement]`).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

# Off unless turned on: a server that forgets the setting shows no debugging pages. `make
# run` and the test suite turn it on for a developer's machine.
DEBUG = envbool("DEBUG", False)

DEVELOPMENT_SECRET_KEY = "development-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = envstr("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is "
        "off. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        ". On your own machine, for development only, set DEBUG=true instead."
    )

SITE_URL = envurl("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = "Tripartite"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "coaching",
    "contracts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    # The coach's account: verified addresses, two-factor sign-in, passkeys, single
    # sign-on and the list of signed-in sessions (docs/accounts.md).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    # The OpenID Connect provider joins them when single sign-on is configured (below).
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coaching.devices.track_sessions",
    "coaching.twofactor.require_two_factor",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "coaching.middleware.coach_time_zone",
    "contracts.engagement.middleware.NotesKeyMismatchPage",
    "contracts.records.middleware.DisposedAgreementPage",
]

ROOT_URLCONF = "coaching.urls"
WSGI_APPLICATION = "coaching.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "coaching.context_processors.site",
                "coaching.context_processors.party_brand",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tripartite.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        # A kept connection the server closed meanwhile is replaced, not used and failed.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server, so that a query run a few times on a connection is
    # planned once (planning was a third of a signing link's lookup). Turn off behind a
    # pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode before 1.21, or without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE transactions make SQLite take its write lock up front, so two
    # requests writing at once wait for each other instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, for tests: the browser tests' live server then gives each
    # of its threads a connection of its own.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "coaching.User"
AUTHENTICATION_BACKENDS = [
    "coaching.backends.CoachBackend",
    # Sessions begun before CoachBackend existed name this one; they stay signed in.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "coaching:login"
LOGIN_REDIRECT_URL = "coaching:home"
LOGOUT_REDIRECT_URL = "coaching:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Accounts (django-allauth). Sign-up, sign-in and password reset stay our own views (one
# throttle for every door, coaching.throttle); allauth adds verified address changes,
# the second factor, passkeys, single sign-on and the sessions list.
ACCOUNT_ADAPTER = "coaching.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# A new address replaces the old one once the link sent to it is followed, not before.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 1
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_PREVENT_ENUMERATION = True
# Changing the address or the second factors, and reading private notes or exporting a
# client's data, ask again for the second factor (the password without one) after this.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_FORMS = {
    "add_email": "coaching.forms.ChangeEmailForm",
    "reauthenticate": "coaching.forms.ThrottledReauthenticateForm",
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Each process's own memory, gone at restart: the signing page's parts for a frozen
    # version (contracts/signing/page.py), pages kept whole (coaching/pages.py: the
    # signing page, the agreement list), a few dozen kilobytes each, so at most about
    # 12 MB; and practices' brands (coaching/branding.py, a minute each).
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "local",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 250},
    },
}
# allauth's own limits count in the per-process cache, as a first line; the doors where a
# password or a code is tried also go through coaching.throttle, in the database.
ACCOUNT_RATE_LIMITS = {
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
    "login_failed": "10/m/ip,5/5m/key",
}
MFA_ADAPTER = "coaching.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
MFA_RECOVERY_CODE_COUNT = 10
# Recovery codes are shown once, when made; afterwards only how many are left.
MFA_RECOVERY_CODES_SHOW_ONCE = True
# The address can still be changed (with its emailed confirmation) once two-factor is on.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TRUST_ENABLED = False
MFA_FORMS = {
    "authenticate": "coaching.twofactor.ThrottledAuthenticateForm",
    "reauthenticate": "coaching.twofactor.ThrottledReauthenticateForm",
    "add_webauthn": "coaching.passkeys.AddPasskeyForm",
    "authenticate_webauthn": "coaching.passkeys.PasskeyAuthenticateForm",
    "login_webauthn": "coaching.passkeys.PasskeyLoginForm",
    "reauthenticate_webauthn": "coaching.passkeys.PasskeyReauthenticateForm",
}
# Plain HTTP is allowed for passkeys on a developer's machine only (browsers accept it on
# localhost alone).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# The operator can make a second factor compulsory for every account.
REQUIRE_TWO_FACTOR = envbool("REQUIRE_TWO_FACTOR", False)
# Sessions' last activity is kept by coaching.devices.track_sessions, every few minutes.
USERSESSIONS_TRACK_ACTIVITY = False

# Single sign-on through the practice's own identity provider (OpenID Connect: Keycloak,
# Google Workspace, Microsoft Entra ID, Okta...). Set SSO_OIDC_SERVER_URL (the issuer),
# SSO_OIDC_CLIENT_ID and SSO_OIDC_CLIENT_SECRET; see docs/accounts.md. A coach signs in
# with it when the provider vouches for the address of their existing account; with
# SSO_ALLOW_SIGNUP, a person the provider knows gets an account of their own too.
SSO_OIDC_SERVER_URL = envstr("SSO_OIDC_SERVER_URL", "").strip()
SSO_ALLOW_SIGNUP = envbool("SSO_ALLOW_SIGNUP", False)
SOCIALACCOUNT_ADAPTER = "coaching.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
if SSO_OIDC_SERVER_URL:
    _sso = {
        name: envstr(name, "").strip() for name in ("SSO_OIDC_CLIENT_ID", "SSO_OIDC_CLIENT_SECRET")
    }
    if _missing_sso := [name for name, value in _sso.items() if not value]:
        raise ImproperlyConfigured(
            f"{', '.join(_missing_sso)} must be set when SSO_OIDC_SERVER_URL is."
        )
    # Only then: the provider brings `requests` (4 MB) into every web process.
    INSTALLED_APPS.append("allauth.socialaccount.providers.openid_connect")
    SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": envstr("SSO_OIDC_ID", "practice-sso"),
                    "name": envstr("SSO_OIDC_NAME", "your organisation"),
                    "client_id": _sso["SSO_OIDC_CLIENT_ID"],
                    "secret": _sso["SSO_OIDC_CLIENT_SECRET"],
                    "settings": {
                        "server_url": envurl("SSO_OIDC_SERVER_URL", ""),
                        "token_auth_method": envchoice(
                            "SSO_OIDC_TOKEN_AUTH",
                            "client_secret_basic",
                            {"client_secret_basic", "client_secret_post"},
                        ),
                    },
                }
            ],
        }
    }

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# Stored files (agreement PDFs) go to this machine's disk, or to an S3-compatible object
# store that web, worker and scheduler on several hosts share. Either way they are served
# only by the app's own views, which check the coach or the link first: objects are
# private and no URL to one, signed or not, is ever handed out.
STORAGE_BACKEND = envchoice("STORAGE_BACKEND", "filesystem", {"filesystem", "s3"})
_default_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STORAGE_BACKEND == "s3":
    _s3 = {
        name: envstr(name, "").strip()
        for name in ("S3_BUCKET", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
    }
    if _missing := [name for name, value in _s3.items() if not value]:
        raise ImproperlyConfigured(
            f"{', '.join(_missing)} must be set when STORAGE_BACKEND is s3."
        )
    _acl = envchoice("S3_ACL", "private", {"private", "none"})
    _addressing = envchoice("S3_ADDRESSING_STYLE", "auto", {"auto", "path", "virtual"})
    _endpoint = envstr("S3_ENDPOINT_URL", "").strip()
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3["S3_BUCKET"],
            "region_name": _s3["S3_REGION"],
            "access_key": _s3["S3_ACCESS_KEY_ID"],
            "secret_key": _s3["S3_SECRET_ACCESS_KEY"],
            # Another S3-compatible store (MinIO, Ceph, a cloud provider's) instead of AWS.
            "endpoint_url": envurl("S3_ENDPOINT_URL", "") if _endpoint else None,
            "addressing_style": None if _addressing == "auto" else _addressing,
            "location": envstr("S3_PREFIX", "").strip("/"),
            # S3_ACL=none sends no ACL, for a bucket with ACLs turned off (S3's default
            # since 2023), which refuses them; its objects are private by its policy.
            "default_acl": None if _acl == "none" else _acl,
            "querystring_auth": False,
            # A name already taken gets a suffix, as on disk: the coach's copy and the
            # parties' share a file name, and two renders of one PDF (a worker thought
            # dead finishing after all) each keep their own object, so no row ever names
            # a file that another replaced.
            "file_overwrite": False,
            # A download is buffered in memory up to this size, on local disk beyond it.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "coaching.staticfiles.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email. Development prints messages to the console; production sends through SMTP
# and refuses to start without a host, so that no link is ever lost to a log.
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Tripartite <no-reply@tripartite.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_DELIVERY = envchoice("EMAIL_DELIVERY", "console" if DEBUG else "smtp", {"console", "smtp"})
if EMAIL_DELIVERY == "smtp":
    _email_host = envstr("EMAIL_HOST", "")
    if not _email_host:
        raise ImproperlyConfigured("EMAIL_HOST must be set when EMAIL_DELIVERY is smtp.")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": envint("EMAIL_PORT", 587, minimum=1),
                "username": envstr("EMAIL_HOST_USER", ""),
                "password": envstr("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
                "use_ssl": envbool("EMAIL_USE_SSL", False),
                "timeout": envint("EMAIL_TIMEOUT", 20, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Signing: how long emailed links and codes live, and when pending signers are reminded.
SIGNING_LINK_DAYS = envint("SIGNING_LINK_DAYS", 14, minimum=1)
COPY_LINK_DAYS = envint("COPY_LINK_DAYS", 90, minimum=1)
INTAKE_LINK_DAYS = envint("INTAKE_LINK_DAYS", 30, minimum=1)
SIGNING_CODE_MINUTES = 10
SIGNING_CODE_TRIES = 5
SIGNING_REMINDER_DAYS = envint("SIGNING_REMINDER_DAYS", 3, minimum=1)
SIGNING_REMINDERS_MAX = envint("SIGNING_REMINDERS_MAX", 3, minimum=0)
# The sponsor portal: how long an emailed sign-in link lives, and a visit after it.
PORTAL_LINK_MINUTES = envint("PORTAL_LINK_MINUTES", 30, minimum=1)
PORTAL_SESSION_HOURS = envint("PORTAL_SESSION_HOURS", 8, minimum=1)

# Agreement PDFs and their seal (`manage.py create_seal_certificate` makes a development
# pair). A timestamp authority URL upgrades the seal from PAdES baseline B to B-T.
SEAL_KEY_FILE = Path(envstr("SEAL_KEY_FILE", str(VAR_DIR / "seal" / "seal-key.pem")))
SEAL_CERT_FILE = Path(envstr("SEAL_CERT_FILE", str(VAR_DIR / "seal" / "seal-cert.pem")))
SEAL_KEY_PASSPHRASE = envstr("SEAL_KEY_PASSPHRASE", "")
SEAL_TIMESTAMP_URL = envstr("SEAL_TIMESTAMP_URL", "")
PDF_UPLOAD_MAX_BYTES = envint("PDF_UPLOAD_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
# /verify/ answers "could not be checked" once a check has run this many seconds (the
# first check in a web process also starts the checking process, about a second): keep
# the whole well below the web server's worker timeout (gunicorn's is 30 s).
PDF_VERIFY_SECONDS = envint("PDF_VERIFY_SECONDS", 3, minimum=1)
# A PDF still being prepared this long after it was asked for is queued again: its
# worker died. Far longer than any render takes (seconds), so a slow one is not doubled.
PDF_RENDER_STALE_SECONDS = envint("PDF_RENDER_STALE_SECONDS", 600, minimum=60)
# A background task still running this long after a worker took it lost its worker
# (killed, or the machine restarted): the scheduler queues it again (coaching.jobs).
TASK_ABANDONED_SECONDS = envint("TASK_ABANDONED_SECONDS", 600, minimum=1)

# Private notes and intake answers are encrypted at rest with these Fernet keys
# (comma-separated, newest first: the older ones still decrypt, so keys can be rotated;
# see contracts.engagement.crypto). A developer's machine derives one from SECRET_KEY.
NOTES_KEYS = envlist("NOTES_KEY", [])
if not NOTES_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "NOTES_KEY must be set: private notes and intake answers are encrypted with it. "
            "Generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        )
    NOTES_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"notes:{SECRET_KEY}".encode()).digest()).decode()
    ]
for _position, _key in enumerate(NOTES_KEYS, start=1):
    if not is_fernet_key(_key):
        raise ImproperlyConfigured(
            f"NOTES_KEY: key {_position} is not a Fernet key (32 bytes, url-safe base64). "
            "Generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        )

# Audit checkpoints (contracts.checkpoints): the scheduler signs every agreement's audit
# head this often, when any changed; each is also written as a file to the folder, if set
# (best on storage the database's administrators cannot rewrite).
AUDIT_CHECKPOINT_MINUTES = envint("AUDIT_CHECKPOINT_MINUTES", 60, minimum=1)
AUDIT_CHECKPOINT_DIR = envstr("AUDIT_CHECKPOINT_DIR", "")

# Background work goes through django.tasks: run at once in development and tests,
# by the django-tasks-db worker (`manage.py db_worker`) in production.
TASKS_BACKEND = envchoice("TASKS_BACKEND", "immediate", {"immediate", "database"})
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django.tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# Security headers. No inline script or style is ever needed by a page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read on each request with one plain statement.
SESSION_ENGINE = "coaching.sessions"
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_FOR = envbool("USE_X_FORWARDED_FOR", False)
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is a promise browsers keep for months, hard to take back: opt in.
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# Logs carry events, never people's data: no request bodies, no emails, no tokens.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "filters": {"redact": {"()": "coaching.logs.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # One handler for Django's messages (its default one would print them twice).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django.request logs the path of every 4xx, and signing paths carry tokens.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING" if not DEBUG else "INFO"},
        # Tasks run inside the request in development: their start and end are noise.
        "django.tasks": {"level": "INFO" if TASKS_BACKEND == "database" else "WARNING"},
        # WeasyPrint reports every layout step at INFO; warnings (a missing font) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
