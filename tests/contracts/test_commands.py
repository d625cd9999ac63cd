import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_send_reminders_runs_once_and_says_what_it_sent(capsys) -> None:
    call_command("send_reminders")
    assert "0 signing reminders and 0 coach reminders sent." in capsys.readouterr().out


def test_the_scheduler_loop_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "VAR_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    scheduler = subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders", "--loop", "--interval", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert scheduler.stdout is not None
    passes = [scheduler.stdout.readline() for _ in range(2)]  # waits for two passes
    assert all("coach reminders sent" in line for line in passes)
    scheduler.send_signal(signal.SIGTERM)
    rest, _ = scheduler.communicate(timeout=120)
    assert scheduler.returncode == 0
    assert rest.rstrip().endswith("Stopped.")
