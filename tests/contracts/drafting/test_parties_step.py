"""The parties step offers the chosen sponsor's contacts only, and refuses any other."""

import re

import pytest
from django.test import Client as HttpClient

from coaching.models import ContactRole, Organisation, SponsorContact, User
from contracts.models import Agreement
from tests.conftest import make_agreement, make_contact, make_organisation
from tests.contracts.drafting.test_builder import step_data, step_url

pytestmark = pytest.mark.django_db


def offered(page: str, name: str) -> set[str]:
    """The labels of the choices a field offers, as the page shows them."""
    if name == "sponsor_signatory":
        select = re.search(r'<select name="sponsor_signatory".*?</select>', page, re.S)
        assert select is not None
        labels = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select.group(0))
    else:
        labels = re.findall(
            r'<input type="checkbox"[^>]*name="stakeholders"[^>]*>\s*<label[^>]*>\s*([^<]+?)\s*'
            r"</label>",
            page,
        )
    return {label.split(",")[0].strip() for label in labels}


def elsewhere(coach: User) -> tuple[Organisation, SponsorContact]:
    other = make_organisation(coach=coach, name="Othercorp")
    return other, make_contact(coach=coach, organisation=other, name="Avery Othercorp")


def with_manager(agreement: Agreement, coach: User) -> SponsorContact:
    assert agreement.organisation is not None
    manager = make_contact(coach=coach, organisation=agreement.organisation, name="Lee Manager")
    manager.role = ContactRole.LINE_MANAGER
    manager.save()
    return manager


def test_only_the_sponsors_contacts_are_offered(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach)
    with_manager(agreement, coach)
    elsewhere(coach)

    page = signed_in.get(step_url(agreement, "parties")).content.decode()

    assert offered(page, "sponsor_signatory") == {"Harper HR", "Lee Manager"}
    assert offered(page, "stakeholders") == {"Harper HR", "Lee Manager"}
    assert "Avery Othercorp" not in page


def test_a_private_clients_parties_step_offers_no_contacts(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, sponsored=False)
    make_contact(coach=coach, name="Harper HR")

    page = signed_in.get(step_url(agreement, "parties")).content.decode()

    assert offered(page, "sponsor_signatory") == set()
    assert offered(page, "stakeholders") == set()


def test_a_stakeholder_from_another_organisation_is_refused_at_the_field(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach)
    _other, outsider = elsewhere(coach)
    data = step_data(agreement, "parties", coach, stakeholders=[str(outsider.pk)])

    response = signed_in.post(step_url(agreement, "parties"), data)

    assert response.status_code == 200
    [error] = response.context["form"].errors["stakeholders"]
    assert error.startswith("Avery Othercorp does not work for")
    assert not agreement.stakeholders.exists()


def test_choosing_another_sponsor_with_the_old_signatory_is_refused_and_offers_the_new_contacts(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach)
    other, _contact = elsewhere(coach)
    data = step_data(agreement, "parties", coach, organisation=str(other.pk))

    response = signed_in.post(step_url(agreement, "parties"), data)

    page = response.content.decode()
    [error] = response.context["form"].errors["sponsor_signatory"]
    assert error == "Harper HR does not work for Othercorp: choose a signatory from the sponsor."
    assert offered(page, "sponsor_signatory") == {"Avery Othercorp"}


def test_choosing_another_sponsor_shows_the_step_again_with_its_contacts(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach)
    other, _contact = elsewhere(coach)
    data = step_data(
        agreement, "parties", coach, organisation=str(other.pk), sponsor_signatory=None
    )

    response = signed_in.post(step_url(agreement, "parties"), data, follow=True)

    assert response.redirect_chain[-1][0] == step_url(agreement, "parties")
    page = response.content.decode()
    assert "Now choose who signs for it" in page
    assert offered(page, "sponsor_signatory") == {"Avery Othercorp"}
    agreement.refresh_from_db()
    assert agreement.organisation == other


def test_the_parties_step_loads_the_script_that_sets_old_contacts_aside(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach)
    page = signed_in.get(step_url(agreement, "parties")).content.decode()
    assert "data-contacts-hint hidden" in page
    assert 'src="/static/js/builder.js"' in page
