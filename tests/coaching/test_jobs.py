"""Background tasks whose worker died are handed back to the workers by the scheduler."""

from datetime import timedelta
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from coaching.jobs import reclaim_abandoned_tasks
from contracts.documents.tasks import render_agreement_pdf

pytestmark = pytest.mark.django_db


def running_since(minutes: int) -> "DBTaskResult[Any, Any]":
    result = render_agreement_pdf.using(backend="default").enqueue(0)
    task = DBTaskResult.objects.get(pk=result.id)
    task.status = TaskResultStatus.RUNNING
    task.started_at = timezone.now() - timedelta(minutes=minutes)
    task.save()
    return task


def test_a_task_running_far_longer_than_any_task_takes_is_queued_again(
    settings: Settings,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
    settings.TASK_ABANDONED_SECONDS = 600
    abandoned, busy = running_since(11), running_since(2)

    assert reclaim_abandoned_tasks() == 1

    abandoned.refresh_from_db()
    busy.refresh_from_db()
    assert abandoned.status == TaskResultStatus.READY
    assert busy.status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.ready().get() == abandoned


def test_nothing_is_reclaimed_when_tasks_run_in_the_process_that_queued_them(
    settings: Settings,
) -> None:
    assert settings.TASKS_BACKEND == "immediate"
    assert reclaim_abandoned_tasks() == 0
