"""Requests answered from the signed matrix: declined quoting the clause, released
routinely, or released only as the client approved or consented."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from coaching.models import User
from contracts.models import (
    AuditEvent,
    AuditEventKind,
    ClientDecision,
    DisclosureBasis,
    DisclosureEntry,
    InformationRequest,
    Release,
    ReleaseStatus,
    RequestStatus,
    SigningLink,
)
from contracts.sponsor.disclosure import verify_disclosures
from contracts.sponsor.requests import services
from contracts.terms import SharingLevel
from tests.contracts.engagement.sessions.helpers import at, log
from tests.contracts.sponsor.requests.helpers import (
    DECIDE_LINK,
    RELEASE_LINK,
    SUMMARY,
    ask,
    client_email,
    decide,
    decide_page,
    drafted,
    engagement,
    hr,
    line_manager,
    newest_link,
    release_url,
)

SUMMARY_CELL = ("approved_summary", "report", "midpoint")
FULL_REPORT = "A full report of what is discussed, or we stop paying for this."


def request_url(item: InformationRequest, action: str = "") -> str:
    name = f"contracts:agreement-request-{action}" if action else "contracts:agreement-request"
    return reverse(name, args=[item.agreement_id, item.pk])


@pytest.mark.django_db
def test_seed_001_a_full_report_for_the_line_manager_is_declined_quoting_the_clause(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach)
    manager = line_manager(version)
    item = ask(version, manager, "content", FULL_REPORT)
    assert item.level == SharingLevel.NEVER

    page = signed_in.get(request_url(item)).content.decode()
    clause = "The line manager will not receive what is said in coaching sessions."
    assert clause in page, "the coach sees the signed clause before anything leaves"
    assert "Send this answer and decline" in page
    assert "Prepare the answer" not in page

    answer = services.decline_draft(item)
    mail.outbox.clear()
    response = signed_in.post(request_url(item, "decline"), {"answer": answer})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.DECLINED and clause in item.answer
    assert AuditEvent.objects.filter(kind=AuditEventKind.REQUEST_DECLINED).count() == 1
    [email] = mail.outbox
    assert email.to == [manager.email]
    assert clause in str(email.body)
    assert "full report" not in str(email.subject).lower()
    assert not DisclosureEntry.objects.exists(), "a decline discloses nothing"


@pytest.mark.django_db
def test_a_request_the_agreement_does_not_cover_is_entered_by_the_coach_and_answered_never(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach)
    manager = line_manager(version)
    response = signed_in.post(
        reverse("contracts:agreement-requests", args=[version.agreement_id]),
        {"contact": manager.pk, "kind": "other", "asked": "Is Jamie ready for promotion?"},
    )

    item = InformationRequest.objects.get()
    assert response.status_code == 302
    assert item.kind == "" and item.level == SharingLevel.NEVER and item.channel == "coach"
    page = signed_in.get(request_url(item)).content.decode()
    assert "does not provide for sharing this information" in page
    assert "amended" in page


@pytest.mark.django_db
def test_the_coach_can_only_enter_a_request_from_a_contact_the_agreement_names(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach)
    other = engagement(coach)
    response = signed_in.post(
        reverse("contracts:agreement-requests", args=[version.agreement_id]),
        {"contact": hr(other).pk, "kind": "attendance", "asked": "Attendance please"},
    )
    assert response.status_code == 400
    assert not InformationRequest.objects.exists()


@pytest.mark.django_db
def test_attendance_routinely_is_prefilled_from_the_sessions_log_and_released(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach)
    log(version.agreement, at(2027, 1, 18))
    log(version.agreement, at(2027, 2, 15), status="no_show")
    manager = line_manager(version)
    item = ask(version, manager, "attendance")
    assert item.level == SharingLevel.ROUTINE

    page = signed_in.get(request_url(item)).content.decode()
    assert "Sessions held: 1. Missed: 1. Agreed in total: 6." in page
    assert "18 January 2027: Held" in page and "15 February 2027: Missed" in page

    title, body = services.release_draft(item)
    response = signed_in.post(
        request_url(item, "prepare"), {"title": title, "body": body, "revision": 1}
    )
    release = Release.objects.get()
    assert response.status_code == 302 and release.status == ReleaseStatus.DRAFT
    mail.outbox.clear()
    signed_in.post(release_url(release, "send"))

    release.refresh_from_db()
    item.refresh_from_db()
    assert release.status == ReleaseStatus.RELEASED and item.status == RequestStatus.RELEASED
    entry = DisclosureEntry.objects.get()
    assert (entry.basis, entry.basis_reference) == (
        DisclosureBasis.MATRIX,
        "attendance.line_manager",
    )
    assert entry.to_email == manager.email
    [email] = mail.outbox
    assert email.to == [manager.email] and not email.attachments
    assert "Sessions held" not in str(email.body), "the email carries a link, not the text"
    reading = HttpClient().get(newest_link(RELEASE_LINK, manager.email))
    assert reading.status_code == 200
    assert "Sessions held: 1. Missed: 1." in reading.content.decode()
    assert reading["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_an_approved_summary_is_released_exactly_as_the_client_approved_it(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach, progress__sponsor=SUMMARY_CELL)
    item = ask(version, hr(version), "progress")
    assert item.level == SharingLevel.APPROVED_SUMMARY
    release = drafted(version, item, SUMMARY)

    page = signed_in.get(release_url(release)).content.decode()
    assert "Release to" not in page, "nothing can be released before the client approves"
    mail.outbox.clear()
    signed_in.post(release_url(release, "to-client"))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.WITH_CLIENT
    [asked] = mail.outbox
    assert asked.to == [client_email(version)] and SUMMARY not in str(asked.body)

    _http, _path, shown = decide_page(version)
    assert SUMMARY in shown and hr(version).name in shown
    assert decide(version, "approved").status_code == 200

    decision = ClientDecision.objects.get()
    assert decision.decision == "approved"
    assert decision.ip_address == "127.0.0.1" and decision.user_agent == "PhoneBrowser/1.0"
    assert SUMMARY in decision.text_seen
    assert decision.text_sha256 == services.text_hash(release.title, release.body)
    assert AuditEvent.objects.filter(kind=AuditEventKind.CLIENT_DECIDED).count() == 1

    mail.outbox.clear()
    signed_in.post(release_url(release, "send"))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.RELEASED
    entry = DisclosureEntry.objects.get()
    assert entry.basis == DisclosureBasis.APPROVAL
    assert entry.basis_reference == f"decision {decision.pk}"
    [notice] = mail.outbox
    assert notice.to == [hr(version).email] and SUMMARY not in str(notice.body)


@pytest.mark.django_db
def test_a_text_changed_after_approval_is_not_released(coach: User) -> None:
    version = engagement(coach, progress__sponsor=SUMMARY_CELL)
    release = drafted(version, ask(version, hr(version), "progress"), SUMMARY)
    services.release_to_client(release=release, coach=coach)
    decide(version, "approved")
    Release.objects.filter(pk=release.pk).update(body=SUMMARY + " And one more thing.")

    with pytest.raises(services.ReleaseError, match="exact text"):
        services.release_send(release=release, coach=coach)
    assert not DisclosureEntry.objects.exists()


@pytest.mark.django_db
def test_the_client_asks_for_a_change_then_approves_the_new_text(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach, progress__sponsor=SUMMARY_CELL)
    item = ask(version, hr(version), "progress")
    release = drafted(version, item, SUMMARY)
    services.release_to_client(release=release, coach=coach)

    refused_without_comment = decide(version, "change_asked")
    assert refused_without_comment.status_code == 400
    assert "Say what you would like changed." in refused_without_comment.content.decode()
    decide(version, "change_asked", comment="Leave out the team's goals, please.")

    release.refresh_from_db()
    item.refresh_from_db()
    assert release.status == ReleaseStatus.CHANGE_ASKED
    assert item.status == RequestStatus.CHANGE_ASKED
    assert list(services.needs_attention(coach)) == [item]
    page = signed_in.get(release_url(release)).content.decode()
    assert "Leave out the team&#x27;s goals, please." in page

    new_text = "Jamie has grown steadily in delegating."
    signed_in.post(release_url(release), {"title": release.title, "body": new_text, "revision": 1})
    stale = signed_in.post(
        release_url(release), {"title": release.title, "body": "older tab", "revision": 1}
    )
    assert stale.status_code == 409
    signed_in.post(release_url(release, "to-client"))
    decide(version, "approved")
    signed_in.post(release_url(release, "send"))

    release.refresh_from_db()
    assert release.status == ReleaseStatus.RELEASED and release.body == new_text
    assert [d.decision for d in release.decisions.all()] == ["change_asked", "approved"]
    reading = HttpClient().get(newest_link(RELEASE_LINK, hr(version).email))
    assert new_text in reading.content.decode() and "team meets" not in reading.content.decode()


@pytest.mark.django_db
def test_a_client_who_refuses_consent_is_final_and_the_requester_told_without_content(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach)  # progress: consent, by default
    manager = line_manager(version)
    item = ask(version, manager, "progress")
    assert item.level == SharingLevel.CONSENT
    release = drafted(version, item, SUMMARY)
    services.release_to_client(release=release, coach=coach)
    _http, path, shown = decide_page(version)
    assert "I consent to sharing this text" in shown and "Ask for a change" not in shown

    mail.outbox.clear()
    decide(version, "refused", path=path)

    item.refresh_from_db()
    release.refresh_from_db()
    assert item.status == RequestStatus.REFUSED_BY_CLIENT
    assert release.status == ReleaseStatus.REFUSED
    [told] = mail.outbox
    assert told.to == [manager.email] and SUMMARY not in str(told.body)
    with pytest.raises(services.ReleaseError):
        services.release_send(release=release, coach=coach)
    with pytest.raises(services.ReleaseError):
        services.release_to_client(release=release, coach=coach)
    with pytest.raises(services.ReleaseError):
        drafted(version, item, "Another try")
    assert not DisclosureEntry.objects.exists()
    again = HttpClient().get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()


@pytest.mark.django_db
def test_consent_is_recorded_and_the_release_cites_it(coach: User) -> None:
    version = engagement(coach)
    release = drafted(version, ask(version, hr(version), "themes"), SUMMARY)
    services.release_to_client(release=release, coach=coach)
    decide(version, "consented")
    services.release_send(release=release, coach=coach)

    decision = ClientDecision.objects.get()
    entry = DisclosureEntry.objects.get()
    assert decision.decision == "consented"
    assert (entry.basis, entry.basis_reference) == (
        DisclosureBasis.CONSENT,
        f"decision {decision.pk}",
    )


@pytest.mark.django_db
def test_a_double_click_releases_once(coach: User, signed_in: HttpClient) -> None:
    version = engagement(coach)
    release = drafted(version, ask(version, hr(version), "attendance"), "Sessions held: 2.")
    mail.outbox.clear()
    signed_in.post(release_url(release, "send"))
    signed_in.post(release_url(release, "send"))

    assert DisclosureEntry.objects.count() == 1
    assert AuditEvent.objects.filter(kind=AuditEventKind.RELEASED).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_releases_at_once_make_one_disclosure(coach: User) -> None:
    version = engagement(coach)
    release = drafted(version, ask(version, hr(version), "attendance"), "Sessions held: 2.")
    start = threading.Barrier(2, timeout=30)

    def release_it(_: int) -> None:
        try:
            start.wait()
            services.release_send(release=Release.objects.get(pk=release.pk), coach=coach)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(release_it, range(2)))
    assert DisclosureEntry.objects.count() == 1
    assert verify_disclosures(coach).intact


@pytest.mark.django_db
def test_an_expired_decision_link_says_so(coach: User) -> None:
    version = engagement(coach, progress__sponsor=SUMMARY_CELL)
    release = drafted(version, ask(version, hr(version), "progress"), SUMMARY)
    services.release_to_client(release=release, coach=coach)
    path = newest_link(DECIDE_LINK, client_email(version))
    SigningLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = HttpClient().get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert SUMMARY not in response.content.decode()


@pytest.mark.django_db
def test_a_text_withdrawn_while_the_client_reads_it_cannot_be_approved(coach: User) -> None:
    version = engagement(coach, progress__sponsor=SUMMARY_CELL)
    release = drafted(version, ask(version, hr(version), "progress"), SUMMARY)
    services.release_to_client(release=release, coach=coach)
    http, path, _page = decide_page(version)
    services.release_withdraw(release=release, coach=coach)

    response = http.post(
        path,
        {
            "release": str(release.pk),
            "text_sha256": services.text_hash(release.title, release.body),
            "decision": "approved",
        },
        follow=True,
    )
    assert "no longer waiting for you" in response.content.decode()
    assert not ClientDecision.objects.exists()


@pytest.mark.django_db
def test_the_coach_of_another_practice_gets_404(
    coach: User, other_coach: User, sign_in: object
) -> None:
    version = engagement(coach)
    item = ask(version, hr(version), "attendance")
    release = drafted(version, item, "Sessions held: 2.")
    other = sign_in(other_coach)  # type: ignore[operator]
    for url in [
        reverse("contracts:agreement-requests", args=[version.agreement_id]),
        request_url(item),
        release_url(release),
        reverse("contracts:agreement-report-new", args=[version.agreement_id]),
    ]:
        assert other.get(url).status_code == 404, url
    for url in [request_url(item, "decline"), release_url(release, "send")]:
        assert other.post(url, {"answer": "No"}).status_code == 404, url
    assert not DisclosureEntry.objects.exists()
    assert other.get(reverse("contracts:request-inbox")).content.decode().count("Harper") == 0


@pytest.mark.django_db
def test_the_inbox_lists_what_waits_for_the_coach(coach: User, signed_in: HttpClient) -> None:
    version = engagement(coach)
    ask(version, line_manager(version), "content", FULL_REPORT)
    page = signed_in.get(reverse("contracts:request-inbox")).content.decode()
    assert "Lee LM" in page and "What is said in coaching sessions" in page
    panel = services.panel(agreement=version.agreement)
    assert len(panel["open_requests"]) == 1  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_request_waiting_for_the_coach_is_on_the_home_page_until_answered(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach)
    item = ask(version, line_manager(version), "content", "A full report of what is discussed")
    home = signed_in.get(reverse("coaching:home")).content.decode()
    assert "Requests for information" in home
    assert reverse("contracts:agreement-request", args=[version.agreement_id, item.pk]) in home

    InformationRequest.objects.filter(pk=item.pk).update(status=RequestStatus.DECLINED)
    assert (
        "Requests for information" not in signed_in.get(reverse("coaching:home")).content.decode()
    )
