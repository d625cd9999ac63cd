"""How a signed-in coach is loaded on each request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from coaching.models import User


class CoachBackend(ModelBackend):
    """Email and password, like Django's own backend; the coach is loaded together with
    their profile, which nearly every page reads (the time zone, first of all)."""

    def get_user(self, user_id: Any) -> User | None:
        # No .first(): its ordering and limit cost more than this row, read by its key.
        user = next(iter(User.objects.select_related("profile").filter(pk=user_id)), None)
        return user if user is not None and self.user_can_authenticate(user) else None
