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


def query_text(request: HttpRequest, name: str, *, limit: int = 100) -> str:
    """A search term from the query string: trimmed, at most `limit` characters, and
    without NUL characters, which no database column can hold."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]


def query_id(request: HttpRequest, name: str) -> int | None:
    """The primary key named in the query string, or None unless it is one: plain ASCII
    digits (not "²" or Arabic-Indic digits, which `str.isdigit` accepts), in the range a
    key can have."""
    return parse_id(request.GET.get(name, ""))


def parse_id(value: str) -> int | None:
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None
