"""How a signed-in coach is loaded on each request."""

from __future__ import annotations

import functools
from typing import Any, cast

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models.expressions import Col

from coaching.lean import Selection, all_fields, columns_of, read_one, select_list
from coaching.models import CoachProfile, User

COACH: Selection = ((User, all_fields(User)), (CoachProfile, all_fields(CoachProfile)))


@functools.cache
def _coach_statement() -> tuple[str, tuple[Col, ...]]:
    quote = connection.ops.quote_name
    columns = columns_of(COACH)
    user, profile = quote(User._meta.db_table), quote(CoachProfile._meta.db_table)
    # Only the models' own table and column names go into the text; the key is bound.
    sql = (
        f"SELECT {select_list(columns)} FROM {user}"  # noqa: S608
        f" LEFT JOIN {profile} ON {profile}.coach_id = {user}.id WHERE {user}.id = %s"
    )
    return sql, columns


def load_coach(user_id: int) -> User | None:
    """The coach with their profile, as `select_related("profile")` would load them, in one
    statement written out once (see `coaching.lean`): every signed-in request reads it,
    and the ORM took longer composing this query than the database took answering it."""
    sql, columns = _coach_statement()
    found = read_one(sql, [user_id], COACH, columns)
    if found is None:
        return None
    user, profile = cast(User, found[0]), cast(CoachProfile | None, found[1])
    User.profile.related.set_cached_value(user, profile)
    if profile is not None:
        CoachProfile.coach.field.set_cached_value(profile, user)
    return user


class CoachBackend(ModelBackend):
    """Email and password, like Django's own backend; the coach is loaded together with
    their profile, which nearly every page reads (the time zone, first of all)."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            key = int(user_id)
        except (TypeError, ValueError):
            return None
        user = load_coach(key)
        return user if user is not None and self.user_can_authenticate(user) else None
