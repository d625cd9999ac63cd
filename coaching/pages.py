"""Pages kept whole, with holes for what differs on every request.

A page people open again and again (a signing link forwarded to a team, a coach's list
of agreements) is mostly the same HTML each time. `render_kept` renders it once for a
key that names everything it shows, keeps it in each process's memory (the `local`
cache), and fills its holes on each request: the request's CSRF token always, and
whatever else the caller names (a link's token). A page with a message waiting is
rendered afresh, since the message is shown once.

The key is the caller's to make complete: whose page it is and every value it shows.
The holes are random for each process, so no text of an agreement can stand in for one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string

KEPT_PAGES = "local"  # each process's memory (settings.CACHES)
_SALT = secrets.token_hex(16)
# What may fill a hole: it goes into the HTML as it is (a link's token, a CSRF token).
PLAIN = re.compile(r"[A-Za-z0-9_-]*")


def hole(name: str) -> str:
    """A placeholder for `name` that no page's own text contains."""
    return f"{name}{_SALT}"


def page_key(*inputs: object) -> str:
    """A short key for everything a page shows; the values themselves are never kept."""
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


def render_kept(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    key: str,
    holes: Mapping[str, str] | None = None,
) -> HttpResponse:
    """`render(request, template_name, context)`, from the page kept under `key` when
    there is one. `holes` maps each context variable that differs per request to its
    value: the page is rendered with a placeholder there, and filled in each time."""
    holes = dict(holes or {})
    if not all(PLAIN.fullmatch(value) for value in holes.values()):
        raise ValueError("A hole in a kept page takes letters, digits, - and _ only.")
    if len(get_messages(request)):
        return render(request, template_name, context | holes)
    cache = caches[KEPT_PAGES]
    cache_key = f"page:{template_name}:{key}"
    kept: str | None = cache.get(cache_key)
    if kept is None:
        placeholders = {name: hole(name) for name in holes}
        kept = render_to_string(
            template_name, context | placeholders | {"csrf_token": hole("csrf")}, request
        )
        cache.set(cache_key, kept)
    page = kept.replace(hole("csrf"), str(get_token(request)))
    for name, value in holes.items():
        page = page.replace(hole(name), value)
    return HttpResponse(page)
