"""The start-up check of NOTES_KEY against the text stored in the database.

Not tagged `database`, so that it runs wherever Django runs its checks: `runserver`,
`migrate` (the web container's start), `check`, and the worker and scheduler commands.
Where there is no database to ask yet (a new one, or its tables not made), there is
nothing encrypted to lose, and it says nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError

from contracts.engagement.crypto import key_problems


@checks.register()
def notes_key_check(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    try:
        problems = key_problems()
    except DatabaseError:
        return []
    return [
        checks.Error(
            problem,
            hint="Private notes and intake answers cannot be read with this NOTES_KEY.",
            id="contracts.E001",
        )
        for problem in problems
    ]
