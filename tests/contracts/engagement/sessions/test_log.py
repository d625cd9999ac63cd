import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from coaching.models import Client, User
from contracts.engagement.sessions import log as coaching_log
from contracts.links import issue_link
from contracts.models import AuditEvent, AuditEventKind, LinkPurpose, SessionStatus, SignerRole
from tests.conftest import make_client
from tests.contracts.engagement.sessions.helpers import at, in_force, log

pytestmark = pytest.mark.django_db


def practice(coach: User) -> dict[str, object]:
    """Two clients over two years: one named, one not; paid and pro bono hours."""
    named = in_force(coach, start_date=date(2026, 11, 1))
    Client.objects.filter(pk=named.client_id).update(
        name="Noor Named", named_in_log_since=datetime(2026, 1, 1, tzinfo=UTC)
    )
    log(named, at(2026, 12, 1))
    log(named, at(2027, 1, 20), minutes=90)
    log(named, at(2027, 2, 3), status=SessionStatus.LATE_CANCELLED)  # counts, not hours
    log(named, at(2027, 2, 17), status=SessionStatus.PLANNED)
    hidden_client = make_client(coach=coach, name="Sam Secret", email="sam@secret.example")
    hidden = in_force(coach, client=hidden_client, sponsored=False)
    log(hidden, at(2027, 3, 1), pro_bono=True)
    log(hidden, at(2027, 3, 15), minutes=30)
    return {"named": named, "hidden": hidden}


def test_the_log_names_only_consenting_clients_and_totals_hours(coach: User) -> None:
    world = practice(coach)
    log_ = coaching_log.coaching_log(coach=coach)
    named, hidden = log_.rows
    assert (named.label, named.email, named.sessions) == ("Noor Named", named.email, 2)
    assert named.email.endswith("@example.com")
    assert named.sponsor and named.kind == "Individual"
    assert (str(named.paid_hours), str(named.pro_bono_hours)) == ("2.50", "0.00")
    assert (named.first.isoformat(), named.last.isoformat()) == ("2026-12-01", "2027-01-20")
    assert hidden.label == "Client 2 (not named: no consent)" and hidden.email == ""
    assert (str(hidden.paid_hours), str(hidden.pro_bono_hours)) == ("0.50", "1.00")
    assert [(t.label, str(t.total_hours)) for t in log_.by_year] == [
        ("2026", "1.00"),
        ("2027", "3.00"),
    ]
    assert [t.label for t in log_.by_client] == ["Client 2 (not named: no consent)", "Noor Named"]
    assert str(log_.total.total_hours) == "4.00" and log_.anonymised == 1
    assert world["hidden"]


def test_the_year_filter_keeps_the_anonymous_number(coach: User) -> None:
    practice(coach)
    only = coaching_log.coaching_log(coach=coach, year=2026)
    assert [row.label for row in only.rows] == ["Noor Named"]
    later = coaching_log.coaching_log(coach=coach, year=2027)
    assert [row.label for row in later.rows][-1] == "Client 2 (not named: no consent)"
    assert [t.label for t in later.by_year] == ["2027"]


def test_the_csv_and_pdf_exports_hold_the_rows_and_totals_and_no_hidden_names(
    coach: User, signed_in: HttpClient
) -> None:
    practice(coach)
    response = signed_in.get(reverse("contracts:coaching-log-csv"))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Client", "Contact email", "Sponsor organisation"]
    assert rows[1][0] == "Noor Named" and rows[1][8:] == ["2.50", "0.00"]
    assert rows[2][0] == "Client 2 (not named: no consent)" and rows[2][1] == ""
    assert ["Totals by year"] in rows and ["2027", "3", "2.00", "1.00", "3.00"] in rows
    assert ["Totals by client"] in rows
    assert "Sam Secret" not in text and "sam@secret.example" not in text

    year = signed_in.get(reverse("contracts:coaching-log-csv"), {"year": "2026"})
    assert "coaching-log-2026.csv" in year["Content-Disposition"]
    assert "Client 2" not in year.content.decode()

    pdf = signed_in.get(reverse("contracts:coaching-log-pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    words = " ".join(page.extract_text() for page in pages)
    assert "Noor Named" in words and "Client 2 (not named: no consent)" in words
    assert "Totals by year" in words and "Totals by client" in words
    assert "Sam Secret" not in words


def test_the_log_page_lists_and_filters_in_a_fixed_number_of_queries(
    coach: User, signed_in: HttpClient
) -> None:
    practice(coach)
    url = reverse("contracts:coaching-log")

    def queries(**params: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = signed_in.get(url, params)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    few, page = queries()
    assert "Noor Named" in page and "Client 2 (not named: no consent)" in page
    agreement = in_force(coach, sponsored=False, session_count=40)
    for day in range(1, 20):
        log(agreement, at(2027, 4, day))
    assert queries()[0] == few
    assert few <= 6
    filtered, page = queries(year="2026")
    assert filtered == few + 1  # the whole log for the years, then the year's
    assert "Noor Named" in page and "Client 2" not in page


def test_the_client_gives_and_withdraws_consent_through_their_link(coach: User) -> None:
    agreement = in_force(coach)
    version = agreement.version_in_force()
    assert version is not None
    client_signer = version.signers.get(role=SignerRole.CLIENT)
    token, _ = issue_link(client_signer, LinkPurpose.VIEW)
    url = reverse("contracts:copy-log-consent", args=[token])
    http = HttpClient()

    assert http.get(url).status_code == 405, "GET never changes state"
    response = http.post(url, {"consent": "give"}, HTTP_USER_AGENT="Phone browser")
    assert response.status_code == 302 and response["Location"].endswith(f"/copy/{token}/")
    client = Client.objects.get(pk=agreement.client_id)
    assert client.named_in_log_since is not None
    given = AuditEvent.objects.get(kind=AuditEventKind.LOG_CONSENT_GIVEN)
    assert given.signer_id == client_signer.pk and given.user_agent == "Phone browser"
    assert given.ip_address == "127.0.0.1"
    log(agreement)
    assert coaching_log.coaching_log(coach=coach).rows[0].label == client.name

    http.post(url, {"consent": "withdraw"})
    client.refresh_from_db()
    assert client.named_in_log_since is None
    assert AuditEvent.objects.filter(kind=AuditEventKind.LOG_CONSENT_WITHDRAWN).count() == 1
    assert coaching_log.coaching_log(coach=coach).rows[0].label.startswith("Client 1 (not named")


def test_only_the_client_may_consent(coach: User) -> None:
    agreement = in_force(coach)
    version = agreement.version_in_force()
    assert version is not None
    sponsor = version.signers.get(role=SignerRole.SPONSOR)
    token, _ = issue_link(sponsor, LinkPurpose.VIEW)
    response = HttpClient().post(
        reverse("contracts:copy-log-consent", args=[token]), {"consent": "give"}
    )
    assert response.status_code == 404
    assert Client.objects.get(pk=agreement.client_id).named_in_log_since is None
    unknown = HttpClient().post(
        reverse("contracts:copy-log-consent", args=["not-a-token"]), {"consent": "give"}
    )
    assert unknown.status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEventKind.LOG_CONSENT_GIVEN).exists()


def test_the_consent_card_offers_the_choice_that_applies(coach: User) -> None:
    from django.template.loader import render_to_string

    agreement = in_force(coach)
    version = agreement.version_in_force()
    assert version is not None
    signer = version.signers.get(role=SignerRole.CLIENT)
    html = render_to_string(
        "contracts/engagement/sessions/_log_consent.html", {"signer": signer, "token": "t"}
    )
    assert 'value="give"' in html and 'value="withdraw"' not in html
