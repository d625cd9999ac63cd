"""The coach reads the disclosure log per agreement and per client, and exports it as
CSV and PDF: hashes and titles, never what was released."""

import csv
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from coaching.models import User
from contracts.models import DisclosureEntry
from contracts.sponsor.log.services import panel
from tests.contracts.engagement.sessions.helpers import in_force
from tests.contracts.sponsor.log.helpers import SUMMARY, released_summary

pytestmark = pytest.mark.django_db

PAGES = [
    "contracts:agreement-disclosures",
    "contracts:agreement-disclosures-csv",
    "contracts:agreement-disclosures-pdf",
    "contracts:agreement-breach-new",
]
CLIENT_PAGES = [
    "contracts:client-disclosures",
    "contracts:client-disclosures-csv",
    "contracts:client-disclosures-pdf",
]


def test_it_lists_each_release_with_its_basis_in_words(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach)
    entry = released_summary(agreement)

    page = signed_in.get(reverse("contracts:agreement-disclosures", args=[agreement.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Progress summary, March" in text
    assert (
        "Progress against the agreed goals, routinely, to the sponsor (HR), "
        "under the signed agreement (version 1)"
    ) in text
    assert entry.to_email in text and "Casey Coach (the coach)" in text
    assert "The log's chain is intact" in text
    assert SUMMARY not in text


def test_the_client_page_gathers_every_agreement_of_the_client(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)
    released_summary(agreement)

    page = signed_in.get(reverse("contracts:client-disclosures", args=[agreement.client_id]))

    assert page.status_code == 200
    assert agreement.reference in page.content.decode()
    assert "Progress summary, March" in page.content.decode()


@pytest.mark.parametrize("name", PAGES + CLIENT_PAGES)
def test_another_coach_gets_404(
    name: str, coach: User, other_coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    agreement = in_force(coach)
    released_summary(agreement)
    pk = agreement.client_id if name in CLIENT_PAGES else agreement.pk

    assert sign_in(other_coach).get(reverse(name, args=[pk])).status_code == 404


def test_the_csv_holds_hashes_and_titles_and_no_formula(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)
    entry = released_summary(agreement)
    DisclosureEntry.objects.filter(pk=entry.pk).update(to_name="=HYPERLINK(1)")

    response = signed_in.get(reverse("contracts:agreement-disclosures-csv", args=[agreement.pk]))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["What"] == "Progress summary, March"
    assert rows[0]["Content SHA-256"] == entry.content_sha256
    assert rows[0]["To"] == "'=HYPERLINK(1)"
    assert rows[0]["Chain"] == "BROKEN", "the edited entry is shown broken"
    assert SUMMARY not in response.content.decode()


def test_the_pdf_is_printable_and_holds_no_released_text(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)
    entry = released_summary(agreement)

    url = reverse("contracts:client-disclosures-pdf", args=[agreement.client_id])
    response = signed_in.get(url)

    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "Progress summary, March" in flat
    assert entry.content_sha256[:16] in flat.replace(" ", "")
    assert "The chain is intact" in flat
    assert "grown in confidence" not in flat


def test_the_panel_counts_the_disclosures(coach: User) -> None:
    agreement = in_force(coach)
    released_summary(agreement)

    card = panel(agreement=agreement)

    assert card["count"] == 1 and card["in_force"]
    assert card["latest"].what == "Progress summary, March"


def test_verify_audit_reports_a_tampered_disclosure_log(
    coach: User, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = in_force(coach)
    released_summary(agreement)
    released_summary(agreement)
    call_command("verify_audit")
    assert "1 disclosure log checked: all intact." in capsys.readouterr().out

    DisclosureEntry.objects.filter(seq=1).update(to_email="someone.else@example.com")

    with pytest.raises(CommandError, match="1 disclosure log has been altered"):
        call_command("verify_audit")
    errors = capsys.readouterr().err
    assert f"Coach {coach.pk}: disclosure log altered" in errors
    assert "Entry 1 was changed." in errors
