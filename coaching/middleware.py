import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def coach_time_zone(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Show dates and times in the signed-in coach's own time zone."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        profile = getattr(user, "profile", None) if user and user.is_authenticated else None
        if profile is None:
            return get_response(request)
        with timezone.override(zoneinfo.ZoneInfo(profile.time_zone)):
            return get_response(request)

    return middleware
