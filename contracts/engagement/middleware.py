"""A request that meets text NOTES_KEY cannot decrypt gets a kind page, not a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contracts.engagement.crypto import NotesKeyMismatch

logger = logging.getLogger(__name__)


class NotesKeyMismatchPage:
    """503 with a page that says the notes cannot be read now, and one log line that
    names the view only (paths can carry link tokens; the text is never at hand)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, NotesKeyMismatch):
            return None
        match = request.resolver_match
        logger.error(
            "NOTES_KEY cannot decrypt stored text (view %s): put the key it was written "
            "with back in NOTES_KEY; see the README on private notes",
            match.view_name if match else "unknown",
        )
        return render(request, "contracts/engagement/key_mismatch.html", status=503)
