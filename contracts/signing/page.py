"""What a client or sponsor signatory sees on the signing page, rendered once.

A sent version is frozen: its heading, brief, tables, limits and full text read the same
for every visit by the same reader. So that part of the page, with its boxes unticked,
is rendered once per version, reader and earlier signature and kept in the `local`
cache (each process's memory, emptied at restart). Only a form sent back with errors is
rendered afresh, around what was typed. Nothing in the cached parts names the link's
token, the signer or the request: those stay in `sign.html`.

The whole page around the parts is kept too, for visitors who are not signed in, with
holes where the link's token and the request's CSRF token go (`coaching.pages`, under
`kept_page_key`): a forwarded link or a mail scanner opens it again and again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from coaching.branding import party_brand
from coaching.pages import page_key
from contracts.drafting.perspectives import document_context, reader_for
from contracts.models import Signer, SignerRole
from contracts.signing.disclosure import DISCLOSURE_TEXT, DISCLOSURE_TITLE, DISCLOSURE_VERSION
from contracts.signing.forms import SIGN_BUTTON, DeclineForm, SignForm, sign_statement
from contracts.signing.summary import SigningSummary, earlier_signature, summary_with

PAGES_CACHE = "local"  # each process's memory (settings.CACHES)
# A revision of the templates below: a new one never meets parts cached by an older one.
PARTS_REVISION = 2


@dataclass(frozen=True)
class SigningParts:
    """The parts of a signing page that depend only on the version and its reader."""

    title: str
    coach_name: str
    heading: SafeString
    confirmations: SafeString  # what changed, the brief, the tables and the limits
    document: SafeString  # the full text
    signature: SafeString  # the name, the drawing, the statement and the button
    decline_reason: SafeString  # the box for a reason to decline, empty
    key: str = ""  # where unticked parts are kept ("" for parts around a form sent back)


def organisation(signer: Signer) -> str:
    """The organisation a sponsor's signatory signs for ("" for anyone else)."""
    sponsor = signer.version.snapshot["sponsor"]
    return sponsor["name"] if sponsor and signer.role == SignerRole.SPONSOR else ""


def sign_form(summary: SigningSummary, data: Any = None) -> SignForm:
    return SignForm(data, limits=summary.limits_to_confirm, recipients=summary.tables_to_confirm)


def render_parts(signer: Signer, summary: SigningSummary, form: SignForm) -> SigningParts:
    """The page's parts for this signer, with the form as it stands."""
    version = signer.version
    context = document_context(version.snapshot, reader_for(signer.role))
    context.update(
        signer_role=signer.role,
        version=version,
        summary=summary,
        form=form,
        # Each table and limit, with its box to tick (None: confirmed on an earlier version).
        sharing_items=[(table, form.recipient_field(table)) for table in summary.tables],
        limit_items=[(item, form.limit_field(item["key"])) for item in summary.limits],
        collapsible=True,
        disclosure_title=DISCLOSURE_TITLE,
        disclosure_text=DISCLOSURE_TEXT,
        disclosure_version=DISCLOSURE_VERSION,
        sign_statement=sign_statement(organisation=organisation(signer)),
        sign_button=SIGN_BUTTON,
    )
    snapshot = version.snapshot
    return SigningParts(
        title=snapshot["title"],
        coach_name=snapshot["coach"]["name"],
        heading=render_to_string("contracts/signing/_sign_heading.html", context),
        confirmations=render_to_string("contracts/signing/_sign_confirmations.html", context),
        document=render_to_string("contracts/document.html", context),
        signature=render_to_string("contracts/signing/_sign_signature.html", context),
        decline_reason=render_to_string(
            "contracts/signing/_decline_reason.html", {"decline_form": DeclineForm()}
        ),
    )


def _parts_key(signer: Signer, earlier: Signer | None) -> str:
    version = signer.version
    return ":".join(
        str(part)
        for part in (
            "signing-page",
            PARTS_REVISION,
            version.pk,
            version.sha256,
            signer.role,
            earlier.version_id if earlier else "-",
        )
    )


def unticked_parts(signer: Signer) -> SigningParts:
    """The parts as every visitor first sees them, from the cache when they were made."""
    earlier = earlier_signature(signer)
    key = _parts_key(signer, earlier)
    cache = caches[PAGES_CACHE]
    parts: SigningParts | None = cache.get(key)
    if parts is None:
        summary = summary_with(signer, earlier)
        parts = dataclasses.replace(render_parts(signer, summary, sign_form(summary)), key=key)
        cache.set(key, parts)
    return parts


def kept_page_key(request: HttpRequest, signer: Signer, parts: SigningParts) -> str:
    """The key of the whole signing page as a visitor first sees it (see
    `coaching.pages`): besides the two tokens, which are holes, it shows only the
    unticked parts and the practice's brand."""
    return page_key(parts.key, signer.pk, repr(party_brand(request)))
