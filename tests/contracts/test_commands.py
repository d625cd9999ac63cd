import os
import signal
import subprocess
import sys
import time
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
    time.sleep(3)
    scheduler.send_signal(signal.SIGTERM)
    output, _ = scheduler.communicate(timeout=30)
    assert scheduler.returncode == 0
    assert output.count("coach reminders sent") >= 2, "it passed at least twice"
    assert output.rstrip().endswith("Stopped.")
