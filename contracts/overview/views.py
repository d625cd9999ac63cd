"""The engagement page: what the agreement governs once sent, one card per part."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from coaching.http import CoachRequest
from contracts.access import owned_agreement
from contracts.engagement.intake import services as intake
from contracts.engagement.meetings import services as meetings
from contracts.engagement.notes import services as notes
from contracts.engagement.sessions import services as sessions
from contracts.sponsor.log import services as disclosures
from contracts.sponsor.requests import services as requests


@login_required
def engagement(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    panels = [
        ("contracts/engagement/sessions/_panel.html", sessions.panel(agreement=agreement)),
        ("contracts/engagement/meetings/_panel.html", meetings.panel(agreement=agreement)),
        ("contracts/engagement/intake/_panel.html", intake.panel(agreement=agreement)),
        ("contracts/engagement/notes/_panel.html", notes.panel(agreement=agreement)),
        ("contracts/sponsor/requests/_panel.html", requests.panel(agreement=agreement)),
        (
            "contracts/sponsor/log/_panel.html",
            {"panel": disclosures.panel(agreement=agreement)},
        ),
    ]
    cards = [
        mark_safe(render_to_string(template, context, request=request))  # noqa: S308
        for template, context in panels
    ]
    return render(
        request,
        "contracts/engagement/engagement.html",
        {"agreement": agreement, "in_force": agreement.version_in_force(), "cards": cards},
    )
