"""What a sponsor contact sees in the portal, and what they may ask for."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import (
    AuditEvent,
    AuditEventKind,
    InformationRequest,
    ReleaseStatus,
    RequestChannel,
    RequestStatus,
)
from contracts.terms import SharingLevel
from tests.conftest import make_agreement, make_contact
from tests.contracts.sponsor.portal.helpers import (
    in_force_with_manager,
    make_release,
    portal_browser,
)
from tests.contracts.sponsor.programmes.helpers import make_programme

pytestmark = pytest.mark.django_db
HOME = reverse("contracts:portal-home")


def page(pk: int) -> str:
    return reverse("contracts:portal-agreement", args=[pk])


def ask_url(pk: int) -> str:
    return reverse("contracts:portal-ask", args=[pk])


def test_the_home_lists_only_the_agreements_that_name_the_contact(coach: User) -> None:
    named = in_force_with_manager(coach)
    organisation = named.agreement.organisation
    assert organisation is not None
    # The same organisation's agreement for another employee, which names someone else.
    other_employee = in_force_with_manager(
        coach, organisation=organisation, manager_name="Robin Elsewhere"
    )
    draft = make_agreement(coach=coach)

    home = portal_browser(named.manager).get(HOME).content.decode()

    assert page(named.agreement.pk) in home
    assert page(other_employee.agreement.pk) not in home
    assert page(draft.pk) not in home
    assert "Signed (in force)" in home


def test_another_sponsors_contact_and_an_unnamed_colleague_get_404_logged_without_names(
    coach: User, caplog: pytest.LogCaptureFixture
) -> None:
    sponsored = in_force_with_manager(coach)
    other_sponsor = in_force_with_manager(coach, manager_name="Avery Othercorp")
    assert sponsored.agreement.organisation is not None
    colleague = make_contact(
        coach=coach, organisation=sponsored.agreement.organisation, name="Quinn Unnamed"
    )
    make_release(sponsored.agreement, sponsored.hr)

    for contact in (other_sponsor.manager, colleague):
        browser = portal_browser(contact)
        with caplog.at_level(logging.WARNING):
            shown = browser.get(page(sponsored.agreement.pk))
            asked = browser.post(
                ask_url(sponsored.agreement.pk), {"kind": "attendance", "asked": "Dates"}
            )
        assert shown.status_code == asked.status_code == 404
        assert "Attendance to March" not in shown.content.decode()
        assert shown["Cache-Control"] == "no-store"

    assert InformationRequest.objects.count() == 0
    warnings = [r.getMessage() for r in caplog.records if "Sponsor portal" in r.getMessage()]
    assert len(warnings) == 4
    for text in warnings:
        for secret in (colleague.name, colleague.email, other_sponsor.manager.email):
            assert secret not in text


def test_the_agreement_page_shows_the_sponsors_view(coach: User) -> None:
    sponsored = in_force_with_manager(coach)

    response = portal_browser(sponsored.hr).get(page(sponsored.agreement.pk))

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "You will receive attendance" in text, "the matrix addressed to the sponsor"
    assert "You will not receive what is said in coaching sessions" in text
    assert "Ask for information" in text


def test_released_items_show_only_to_the_contact_they_were_released_to(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    make_release(sponsored.agreement, sponsored.hr, title="Attendance for HR")
    make_release(sponsored.agreement, sponsored.manager, title="Attendance for the manager")
    make_release(
        sponsored.agreement, sponsored.hr, title="Draft report", status=ReleaseStatus.WITH_CLIENT
    )

    hr_page = portal_browser(sponsored.hr).get(page(sponsored.agreement.pk)).content.decode()
    manager_page = (
        portal_browser(sponsored.manager).get(page(sponsored.agreement.pk)).content.decode()
    )

    assert "Attendance for HR" in hr_page
    assert "Attendance for the manager" not in hr_page
    assert "Draft report" not in hr_page
    assert "Attendance for the manager" in manager_page
    assert "Attendance for HR" not in manager_page


def test_a_release_pdf_is_only_for_its_contact(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    release = make_release(sponsored.agreement, sponsored.hr)
    url = reverse("contracts:portal-release-pdf", args=[release.pk])

    assert portal_browser(sponsored.manager).get(url).status_code == 404
    assert portal_browser(sponsored.hr).get(url).status_code == 404, "no PDF attached"


def test_a_line_manager_asking_for_session_content_is_recorded_as_never(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    browser = portal_browser(sponsored.manager)

    response = browser.post(
        ask_url(sponsored.agreement.pk),
        {"kind": "content", "asked": "A full report of what is discussed"},
        follow=True,
    )

    request = InformationRequest.objects.get()
    assert request.level == SharingLevel.NEVER
    assert request.recipient == "line_manager"
    assert request.channel == RequestChannel.PORTAL
    assert request.contact == sponsored.manager
    assert request.status == RequestStatus.RECEIVED
    text = response.content.decode()
    assert "Your coach will answer from the signed agreement" in text
    assert "A full report of what is discussed" in text
    assert "With your coach" in text
    event = AuditEvent.objects.get(kind=AuditEventKind.REQUEST_RECEIVED)
    assert event.actor == f"Kept informed: Morgan Manager <{sponsored.manager.email}>"


def test_asking_for_something_else_or_attendance_records_the_signed_level(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    browser = portal_browser(sponsored.hr)

    browser.post(ask_url(sponsored.agreement.pk), {"kind": "attendance", "asked": "Dates"})
    browser.post(ask_url(sponsored.agreement.pk), {"kind": "other", "asked": "Their salary"})
    refused = browser.post(ask_url(sponsored.agreement.pk), {"kind": "gossip", "asked": "x"})

    levels = dict(InformationRequest.objects.values_list("kind", "level"))
    assert levels == {"attendance": SharingLevel.ROUTINE, "": SharingLevel.NEVER}
    assert refused.status_code == 400
    assert "Choose one of the kinds of information listed." in refused.content.decode()


def test_the_requester_is_not_told_the_clients_part(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    browser = portal_browser(sponsored.hr)
    browser.post(ask_url(sponsored.agreement.pk), {"kind": "progress", "asked": "How is it"})
    InformationRequest.objects.update(
        status=RequestStatus.REFUSED_BY_CLIENT, answer="This cannot be shared."
    )

    text = browser.get(page(sponsored.agreement.pk)).content.decode()

    assert "Not released" in text
    assert "This cannot be shared." in text
    assert "Refused by the client" not in text


def test_asking_is_limited_per_contact(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    browser = portal_browser(sponsored.hr)

    statuses = [
        browser.post(
            ask_url(sponsored.agreement.pk), {"kind": "attendance", "asked": f"Ask {n}"}
        ).status_code
        for n in range(11)
    ]

    assert statuses == [302] * 10 + [429]
    assert InformationRequest.objects.count() == 10


def test_an_agreement_out_for_signature_is_shown_without_asking(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    sponsored.agreement.versions.update(completed_at=None)

    browser = portal_browser(sponsored.hr)
    text = browser.get(page(sponsored.agreement.pk)).content.decode()
    asked = browser.post(ask_url(sponsored.agreement.pk), {"kind": "attendance", "asked": "x"})

    assert "Waiting for signatures" in text
    assert "Once everyone has signed, you can ask" in text
    assert asked.status_code == 409
    assert InformationRequest.objects.count() == 0


def test_a_coach_signed_in_is_not_a_portal_visitor(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    browser = HttpClient()
    browser.force_login(coach)

    response = browser.post(ask_url(sponsored.agreement.pk), {"kind": "content", "asked": "x"})

    assert response.status_code == 302
    assert InformationRequest.objects.count() == 0


@pytest.mark.django_db
def test_the_portal_home_shows_the_sponsors_programmes(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    organisation = sponsored.agreement.organisation
    programme = make_programme(coach, organisation=organisation, name="Northwind leaders 2027")
    sponsored.agreement.programme = programme
    sponsored.agreement.save()

    page = portal_browser(sponsored.hr).get(reverse("contracts:portal-home"))

    assert "Northwind leaders 2027" in page.content.decode()
