"""Background tasks whose worker died are handed back to the workers.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it
again: a worker killed mid-task (or a machine restarted) leaves it RUNNING for ever.
The scheduler's pass puts such tasks back in the queue once they have run far longer
than any task takes. Every task of this project is idempotent (a PDF already stored,
an email already accepted, is left alone), so a worker that was merely slow costs a
second attempt at most, never a second result.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


def reclaim_abandoned_tasks(*, now: datetime | None = None) -> int:
    """Queue again every task still running past TASK_ABANDONED_SECONDS; how many."""
    if settings.TASKS_BACKEND != "database":
        return 0  # the immediate backend runs each task in the process that queued it
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TASK_ABANDONED_SECONDS)
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)
