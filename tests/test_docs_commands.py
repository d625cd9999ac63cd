"""The documentation runs Django's commands as a reader can paste them: with the
project's own Python, `.venv/bin/python manage.py ...` (`./manage.py` inside the image)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# `python manage.py` or `python3 manage.py` run with whatever Python is on the PATH.
SYSTEM_PYTHON = re.compile(r"(?<!\.venv/bin/)(?<![\w/.-])python3? manage\.py")
# `manage.py migrate` in inline code, or a line of a code block that starts with it.
BARE = re.compile(r"`manage\.py [a-z]|^\s*manage\.py [a-z]")


def documents() -> list[Path]:
    found = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / ".env.example"]
    found += sorted((ROOT / "docs").rglob("*.md"))
    return [path for path in found if path.exists()]


@pytest.mark.parametrize("path", documents(), ids=lambda path: str(path.relative_to(ROOT)))
def test_the_documentation_runs_manage_py_with_the_projects_python(path: Path) -> None:
    wrong = [
        f"line {number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SYSTEM_PYTHON.search(line) or BARE.search(line)
    ]
    assert wrong == [], "write .venv/bin/python manage.py ..."


def test_the_check_knows_right_from_wrong() -> None:
    right = [
        "DEBUG=true .venv/bin/python manage.py check",
        "docker compose run --rm backup ./manage.py restore /backups/x",
        "(manage.py is executable in the image):",
    ]
    wrong = ["run `python manage.py rotate_notes_key`", "run `manage.py migrate`", "manage.py x"]
    assert not any(SYSTEM_PYTHON.search(t) or BARE.search(t) for t in right)
    assert all(SYSTEM_PYTHON.search(t) or BARE.search(t) for t in wrong)
