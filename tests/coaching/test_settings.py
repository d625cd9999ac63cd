"""Settings are read at start-up, so each case starts a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pytest_django import Settings

from coaching.env import is_fernet_key

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-tests-only-" + "z" * 20,
    "ALLOWED_HOSTS": "agreements.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://agreements.example.com",
    "SITE_URL": "https://agreements.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "TASKS_BACKEND": "database",
    "NOTES_KEY": "0o2R4N7eI6XwzGq8mY3bQe1vZ5tK9jLhP2cA6sD8fUw=",
}


def manage(var_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which production must never have;
    # the test run configures single sign-on (pyproject.toml), which these starts do not.
    inherited = {*PRODUCTION, "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {
        k: v for k, v in os.environ.items() if k not in inherited and not k.startswith("SSO_")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_production_configuration_passes_the_deployment_checks_without_warnings(
    tmp_path: Path,
) -> None:
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "secret", ["", "too-short", "development-only-key-never-use-in-production-0123456789abcdef"]
)
def test_production_refuses_to_start_without_a_real_secret_key(
    tmp_path: Path, secret: str
) -> None:
    result = manage(tmp_path, "check", **{**PRODUCTION, "SECRET_KEY": secret})
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random value of at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_a_mail_server(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_HOST"}
    result = manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "EMAIL_HOST must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false, not 'maybe'."),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number"),
        ("SITE_URL", "agreements.example.com", "SITE_URL must be an absolute http(s) URL"),
        ("TASKS_BACKEND", "celery", "TASKS_BACKEND must be one of database, immediate"),
        ("STORAGE_BACKEND", "ftp", "STORAGE_BACKEND must be one of filesystem, s3"),
    ],
)
def test_a_value_that_cannot_be_understood_stops_the_start(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    result = manage(tmp_path, "check", **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr


OBJECT_STORE = {
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": "tripartite-files",
    "S3_REGION": "eu-west-2",
    "S3_ACCESS_KEY_ID": "access-key-for-tests",
    "S3_SECRET_ACCESS_KEY": "secret-key-for-tests",
}


def test_an_object_store_without_its_bucket_or_keys_stops_the_start(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", **PRODUCTION, STORAGE_BACKEND="s3", S3_REGION="eu-west-2")
    assert result.returncode != 0
    assert (
        "S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY must be set when STORAGE_BACKEND is s3."
    ) in result.stderr


def test_an_object_store_configuration_passes_the_deployment_checks(tmp_path: Path) -> None:
    env = {**PRODUCTION, **OBJECT_STORE, "S3_ENDPOINT_URL": "http://minio:9000"}
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr + result.stdout
    wrong = manage(tmp_path, "check", **{**env, "S3_ENDPOINT_URL": "minio:9000"})
    assert wrong.returncode != 0
    assert "S3_ENDPOINT_URL must be an absolute http(s) URL" in wrong.stderr


def test_development_starts_with_debug_turned_on_and_nothing_else(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_with_nothing_configured_debug_is_off_and_the_app_asks_for_a_secret(
    tmp_path: Path,
) -> None:
    result = manage(tmp_path, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "set DEBUG=true" in result.stderr


def test_hsts_preload_is_a_choice_the_operator_makes(tmp_path: Path) -> None:
    shown = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"
    default = manage(tmp_path, "shell", "-c", shown, **PRODUCTION)
    chosen = manage(tmp_path, "shell", "-c", shown, **PRODUCTION, SECURE_HSTS_PRELOAD="true")
    assert default.stdout.splitlines()[-1] == "False", default.stderr
    assert chosen.stdout.splitlines()[-1] == "True", chosen.stderr


def test_kept_database_connections_are_checked_before_use(settings: Settings) -> None:
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    "key",
    [
        PRODUCTION["NOTES_KEY"],
        "x" * 43 + "=",
        "x" * 43,
        "x" * 42 + "==",
        "x" * 44 + "=",
        "+" * 43 + "=",
        "x" * 43 + "=!",
        "not-a-key",
        "",
        "é" * 44,
    ],
)
def test_a_notes_key_is_accepted_exactly_when_fernet_would_accept_it(key: str) -> None:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        fernet_accepts = False
    else:
        fernet_accepts = True
    assert is_fernet_key(key) is fernet_accepts


def test_a_notes_key_that_is_not_a_fernet_key_stops_the_start(tmp_path: Path) -> None:
    keys = f"{PRODUCTION['NOTES_KEY']},not-a-key"
    result = manage(tmp_path, "check", **{**PRODUCTION, "NOTES_KEY": keys})
    assert result.returncode != 0
    assert "NOTES_KEY: key 2 is not a Fernet key (32 bytes, url-safe base64)" in result.stderr


def test_production_refuses_to_start_without_a_notes_key(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "NOTES_KEY"}
    result = manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "NOTES_KEY must be set" in result.stderr
