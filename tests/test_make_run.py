"""`make run` ends with the demo login, just above the server's own lines."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from contracts.management.commands.load_demo import DEMO_EMAIL, DEMO_PASSWORD


def run_recipe() -> list[str]:
    """The commands of the Makefile's `run` target, in order (comments left out)."""
    lines = (Path(settings.BASE_DIR) / "Makefile").read_text().splitlines()
    start = lines.index("run: install") + 1
    recipe = []
    for line in lines[start:]:
        if not line.startswith("\t"):
            break
        command = line.strip().lstrip("@")
        if command and not command.startswith("#"):
            recipe.append(command)
    return recipe


def test_make_run_prints_the_login_last_before_the_server_starts() -> None:
    recipe = run_recipe()

    server = next(i for i, line in enumerate(recipe) if "manage.py runserver" in line)
    assert server == len(recipe) - 1
    assert "manage.py demo_login" in recipe[server - 1]
    assert any("manage.py load_demo" in line for line in recipe[: server - 1])
    assert not any("echo" in line for line in recipe[server - 1 :])


@pytest.mark.django_db
def test_the_demo_then_its_login_end_the_output_with_the_login() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("demo_login", "--url", "http://127.0.0.1:8000", stdout=out)

    last = out.getvalue().strip().splitlines()[-4:]

    assert last[0] == "Tripartite is running at http://127.0.0.1:8000/ (Ctrl+C to stop)"
    assert last[1].split() == ["Sign", "in", "as:", DEMO_EMAIL]
    assert last[2].split() == ["Password:", DEMO_PASSWORD]
