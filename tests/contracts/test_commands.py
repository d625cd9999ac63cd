import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_send_reminders_runs_once_and_says_what_it_sent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("send_reminders")
    assert "0 signing reminders queued and 0 coach reminders sent." in capsys.readouterr().out


def this_database_url() -> str:
    """The URL of the database these tests use, for a command started in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
    return f"postgres://{credentials}@{db['HOST'] or ''}:{db['PORT'] or 5432}/{db['NAME']}"


def lines_of(stream: IO[str]) -> queue.Queue[str | None]:
    """Every line the stream gives, as it comes, then None once it closes."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def next_line(lines: queue.Queue[str | None], *, timeout: float = 60.0) -> str | None:
    """The next line (None at the end); fails the test if none comes in time."""
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no output from the scheduler within {timeout:.0f} s") from None


@pytest.mark.django_db(transaction=True)  # the scheduler's process reads what is committed
def test_the_scheduler_loop_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": this_database_url(),
        "PYTHONUNBUFFERED": "1",  # as in the Dockerfile: each pass is logged as it ends
    }
    with (tmp_path / "stderr.txt").open("w+") as errors:
        scheduler = subprocess.Popen(
            [sys.executable, "manage.py", "send_reminders", "--loop", "--interval", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            assert scheduler.stdout is not None
            lines = lines_of(scheduler.stdout)
            first = next_line(lines)
            assert first is not None and "coach reminders sent" in first, first
            assert scheduler.poll() is None, "the loop waits for its next pass"

            scheduler.send_signal(signal.SIGTERM)
            returncode = scheduler.wait(timeout=60)
            rest = []
            while (line := next_line(lines)) is not None:
                rest.append(line)
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
                scheduler.wait()
        errors.seek(0)
        assert returncode == 0, errors.read()
    assert rest and rest[-1].rstrip() == "Stopped."
    assert all("coach reminders sent" in line for line in rest[:-1])
