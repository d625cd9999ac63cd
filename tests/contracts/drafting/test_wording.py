"""Each reader is addressed as who they are: the line manager is not HR, the client is
"you" throughout their own view of what is shared, and a condition is not a tick."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts import terms
from contracts.models import Agreement
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import link_for
from tests.contracts.sponsor.portal.helpers import in_force_with_manager, portal_browser

pytestmark = pytest.mark.django_db


def portal_page(pk: int) -> str:
    return reverse("contracts:portal-agreement", args=[pk])


def sharing_section(page: str) -> str:
    found = re.search(r'<section aria-labelledby="s-sharing">(.*?)</section>', page, re.S)
    assert found is not None, "the page shows what is shared"
    return found.group(1)


def preview(http: HttpClient, agreement: Agreement, party: str) -> str:
    url = reverse("contracts:agreement-preview", args=[agreement.pk, party])
    return http.get(url).content.decode()


def test_the_line_manager_is_not_addressed_as_hr_in_the_portal(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    organisation = sponsored.agreement.organisation
    assert organisation is not None

    page = portal_browser(sponsored.manager).get(portal_page(sponsored.agreement.pk))

    text = sharing_section(page.content.decode())
    assert "You: HR at" not in text
    assert f"The sponsor: HR at {organisation.name}" in text
    assert f"You: the line manager at {organisation.name}" in text
    assert "The sponsor will receive attendance and session dates" in text
    assert "You will receive attendance and session dates" in text, "the manager's own row"


def test_hr_is_still_addressed_as_hr_in_the_portal(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    organisation = sponsored.agreement.organisation
    assert organisation is not None

    page = portal_browser(sponsored.hr).get(portal_page(sponsored.agreement.pk))

    text = sharing_section(page.content.decode())
    assert f"You: HR at {organisation.name}" in text
    assert f"The line manager at {organisation.name}" in text


def test_the_line_managers_emailed_copy_does_not_call_them_hr(coach: User) -> None:
    sponsored = in_force_with_manager(coach)

    page = HttpClient().get(link_for(sponsored.manager.email, "copy")).content.decode()

    text = sharing_section(page)
    assert "You: HR at" not in text
    assert "You: the line manager at" in text


def test_the_clients_view_of_sharing_calls_the_client_you_throughout(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    matrix = agreement.sharing_matrix
    matrix[terms.InformationKind.PROGRESS][terms.Recipient.SPONSOR] = terms.sharing_cell(
        terms.SharingLevel.APPROVED_SUMMARY,
        terms.SharingMethod.REPORT,
        terms.SharingTiming.END,
        terms.PreparedBy.TOGETHER,
    )
    agreement.sharing = matrix
    agreement.save()

    page = preview(signed_in, agreement, "client")

    text = sharing_section(page)
    assert "the client" not in text.lower().replace("the client&#x27;s", "")
    assert "prepared by you." in text
    assert "prepared by you and the coach together" in text
    assert "stakeholder feedback gathered for you" in text
    assert "These goals are agreed by you, the coach and the sponsor together" in page
    assert "Jamie Client, the client (you)" in page


def test_consent_each_time_is_not_marked_like_routine_sharing(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)

    text = sharing_section(preview(signed_in, agreement, "client"))

    routine = re.search(
        r'<li class="(\w[\w-]*)">[^<]*<span[^>]*>([^<]*)</span>Your sponsor '
        r"will receive attendance",
        text,
    )
    consent = re.search(
        r'<li class="(\w[\w-]*)">[^<]*<span[^>]*>([^<]*)</span>Your sponsor '
        r"will receive progress against the agreed goals only with your",
        text,
    )
    assert routine is not None and consent is not None
    assert routine.groups() == ("shared", "Routinely: ")
    assert consent.groups() == ("conditional", "Only with your consent each time: ")
    assert "◐ only with your consent each time" in text, "the legend says what the mark means"


def test_the_sponsor_reads_whose_consent_each_time(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach, complete=True)

    text = sharing_section(preview(signed_in, agreement, "sponsor"))

    assert f"Only with {agreement.client.name}&#x27;s consent each time: " in text


def test_a_private_clients_goals_step_speaks_of_two_parties(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, sponsored=False)

    url = reverse("contracts:agreement-step", args=[agreement.pk, "goals"])
    page = signed_in.get(url).content.decode()

    assert "all three" not in page
    assert "Goals are visible to you and the client." in page
