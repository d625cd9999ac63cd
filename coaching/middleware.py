import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from coaching.models import User


def coach_time_zone(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Show dates and times in the signed-in coach's own time zone."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not isinstance(user, User):  # a visitor: the server's time zone
            return get_response(request)
        with timezone.override(zoneinfo.ZoneInfo(user.profile.time_zone)):
            return get_response(request)

    return middleware
