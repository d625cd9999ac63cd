"""Django's database sessions, read with one statement written out once.

Every signed-in request reads its session; see `coaching.lean` for why the read is plain
SQL. Everything else (saving, ending, listing a coach's sessions) is Django's own.
"""

from __future__ import annotations

import functools
from typing import cast

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models.expressions import Col
from django.utils import timezone

from coaching.lean import Selection, columns_of, read_one, select_list

SESSION: Selection = ((Session, ("session_key", "session_data", "expire_date")),)


@functools.cache
def _session_statement() -> tuple[str, tuple[Col, ...]]:
    quote = connection.ops.quote_name
    columns = columns_of(SESSION)
    table = quote(Session._meta.db_table)
    # Only the model's own table and column names go into the text; the values are bound.
    sql = (
        f"SELECT {select_list(columns)} FROM {table}"  # noqa: S608
        f" WHERE {table}.session_key = %s AND {table}.expire_date > %s"
    )
    return sql, columns


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        sql, columns = _session_statement()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        found = read_one(sql, [self.session_key, now], SESSION, columns)
        if found is None:
            # As Django's own store does: an unknown or expired key is forgotten, and a
            # new one is made if the session is written to.
            self._session_key = None
            return None
        return cast(Session, found[0])
