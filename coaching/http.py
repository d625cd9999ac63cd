from django.conf import settings
from django.http import HttpRequest

from coaching.models import User


class CoachRequest(HttpRequest):
    """A request behind @login_required: its user is a signed-in coach."""

    user: User


def client_ip(request: HttpRequest) -> str:
    """The caller's IP address; behind a trusted proxy, the address it saw."""
    if settings.USE_X_FORWARDED_FOR:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR", ""))
