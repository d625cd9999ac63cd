import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from coaching.models import User
from contracts import terms
from contracts.drafting.services import template_create
from contracts.models import Agreement, AgreementStatus, AgreementTemplate
from contracts.signing import services as signing
from tests.conftest import make_agreement, make_client, make_contact
from tests.contracts.drafting.list_helpers import listed_pks

pytestmark = pytest.mark.django_db


def preview(http: HttpClient, agreement: Agreement, party: str) -> str:
    url = reverse("contracts:agreement-preview", args=[agreement.pk, party])
    return http.get(url).content.decode()


def test_the_client_reads_the_matrix_addressed_to_them(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    page = preview(signed_in, agreement, "client")
    assert agreement.organisation is not None
    org = agreement.organisation.name
    assert f"Your sponsor: HR at {org}" in page
    assert (
        "Your sponsor will receive attendance and session dates, by email, "
        "monthly, prepared by the coach." in page
    )
    assert "Your sponsor will not receive what is said in coaching sessions." in page
    assert "Your line manager will not receive the coach&#x27;s notes." in page
    assert "only with your written consent each time" in page
    assert "Your own confidentiality duties" in page


def test_the_sponsor_reads_what_it_will_and_will_not_receive(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    page = preview(signed_in, agreement, "sponsor")
    name = agreement.client.name
    assert "You will receive attendance and session dates, by email, monthly" in page
    assert "You will not receive what is said in coaching sessions." in page
    assert f"only with {name}&#x27;s written consent each time" in page
    assert "Your responsibilities as sponsor" in page
    assert "4,800.00 GBP" in page, "the sponsor sees the fee it pays"


def test_every_party_reads_the_fee_it_signs_unless_it_is_in_a_separate_contract(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    assert "4,800.00 GBP" in preview(signed_in, agreement, "client")

    agreement.fee_basis, agreement.fee_amount = "separate", None
    agreement.save()
    for party in ["client", "sponsor", "coach"]:
        page = preview(signed_in, agreement, party)
        assert "set out in a separate contract between the coach and the sponsor" in page
        assert "Cancellations and missed sessions" in page


def test_the_coach_sees_the_whole_matrix(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    page = preview(signed_in, agreement, "coach")
    assert "What each recipient receives" in page
    for kind in terms.InformationKind:
        assert kind.label.replace("'", "&#x27;") in page
    assert "Limits of confidentiality" in page
    assert "Terrorism (United Kingdom)" in page


def test_a_private_clients_agreement_has_two_views_and_no_sharing_section(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach, sponsored=False, complete=True)
    page = preview(signed_in, agreement, "client")
    assert "What is shared, and what is not" not in page
    assert "sponsor&#x27;s responsibilities" not in page
    assert "guidelines and code of conduct" not in page
    assert "For the sponsor:" not in page
    assert "4,800.00 GBP" in page, "a private client pays, so sees the fee"
    url = reverse("contracts:agreement-preview", args=[agreement.pk, "sponsor"])
    assert signed_in.get(url).status_code == 404


def test_every_section_heading_is_in_every_view(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    for party in ["coach", "client", "sponsor"]:
        page = preview(signed_in, agreement, party)
        for number, heading in enumerate(
            [
                "Parties",
                "Coaching and roles",
                "Goals",
                "Sessions and dates",
                "Fees",
                "What is shared, and what is not",
                "Limits of confidentiality",
                "Conduct and duties",
                "Records",
                "Ethics, insurance and consents",
                "Ending and review",
                "Signatures",
            ],
            start=1,
        ):
            assert f"{number}. {heading}" in page, (party, heading)


def test_html_and_scripts_in_free_text_are_shown_as_text(
    signed_in: HttpClient, coach: User
) -> None:
    payload = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    agreement = make_agreement(
        coach=coach,
        complete=True,
        title=payload,
        goals=[{"goal": payload, "measure": payload}],
        nature_of_coaching=payload,
        additional_terms={"roles": payload},
        confidentiality_limits=[{"key": "custom-1", "title": payload, "wording": payload}],
    )
    for party in ["coach", "client", "sponsor"]:
        page = preview(signed_in, agreement, party)
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    detail = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert "<script>alert" not in detail


def test_the_list_shows_status_parties_and_dates_in_a_fixed_number_of_queries(
    signed_in: HttpClient, coach: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse("contracts:agreement-list")
    for _ in range(3):
        make_agreement(coach=coach, complete=True)
    with django_assert_num_queries(4) as few:
        signed_in.get(url)
    for _ in range(20):
        make_agreement(coach=coach, complete=True)
    with django_assert_num_queries(len(few.captured_queries)):
        response = signed_in.get(url)
    page = response.content.decode()
    assert "Draft" in page and "11 Jan 2027" in page and "Signs: Harper HR" in page


def test_the_list_filters_by_status_and_sponsor_and_searches(
    signed_in: HttpClient, coach: User
) -> None:
    sponsored = make_agreement(coach=coach)
    private = make_agreement(coach=coach, sponsored=False)
    sent = make_agreement(coach=coach, status=AgreementStatus.SENT)
    url = reverse("contracts:agreement-list")

    def listed(**query: str) -> set[int]:
        return set(listed_pks(signed_in.get(url, query)))

    assert listed() == {sponsored.pk, private.pk, sent.pk}
    assert listed(status="sent") == {sent.pk}
    assert listed(organisation="private") == {private.pk}
    assert listed(organisation=str(sponsored.organisation_id)) == {sponsored.pk}
    assert listed(q=private.client.name[:5], organisation="private") == {private.pk}
    assert sponsored.organisation is not None
    assert listed(q=sponsored.organisation.name) == {sponsored.pk}
    assert listed(status="bogus", organisation="x") == {sponsored.pk, private.pk, sent.pk}


def test_another_coachs_agreements_are_not_listed(
    signed_in: HttpClient, other_coach: User
) -> None:
    make_agreement(coach=other_coach)
    page = signed_in.get(reverse("contracts:agreement-list"))
    assert listed_pks(page) == []
    assert "No agreements yet" in page.content.decode()


def test_duplicating_keeps_the_sponsor_and_terms_for_another_client(
    signed_in: HttpClient, coach: User
) -> None:
    original = make_agreement(coach=coach, complete=True, nature_of_coaching="Our way.")
    manager = make_contact(coach=coach, organisation=original.organisation, name="Lee")
    original.stakeholders.add(manager)
    colleague = make_client(coach=coach, organisation=original.organisation, name="Sam Okafor")
    stranger = make_client(coach=coach, name="Not Sponsored")
    url = reverse("contracts:agreement-duplicate", args=[original.pk])

    choices = signed_in.get(url).context["form"].fields["client"].queryset
    assert list(choices) == [colleague], "only other clients of the same sponsor"
    response = signed_in.post(url, {"client": stranger.pk})
    assert response.context["form"].errors["client"] == ["Choose the client."]

    signed_in.post(url, {"client": colleague.pk})
    copy = Agreement.objects.exclude(pk=original.pk).get()
    assert copy.client == colleague
    assert copy.title == "Coaching agreement: Sam Okafor"
    assert copy.status == AgreementStatus.DRAFT
    assert copy.sponsor_signatory == original.sponsor_signatory
    assert list(copy.stakeholders.all()) == [manager]
    assert copy.nature_of_coaching == "Our way."
    assert copy.goals == []
    assert copy.start_date == original.start_date


def test_a_coach_makes_edits_and_deletes_a_template(signed_in: HttpClient, coach: User) -> None:
    response = signed_in.post(
        reverse("contracts:template-create"), {"name": "Career transition", "description": ""}
    )
    template = AgreementTemplate.objects.get()
    assert response["Location"] == reverse("contracts:template-step", args=[template.pk, "roles"])
    assert template.coach == coach and template.breach_procedure

    duplicate = signed_in.post(reverse("contracts:template-create"), {"name": "career TRANSITION"})
    assert duplicate.context["form"].errors["name"] == [
        "You already have a template with this name."
    ]

    step = reverse("contracts:template-step", args=[template.pk, "roles"])
    form = signed_in.get(step).context["form"]
    assert "title" not in form.fields and "start_date" not in form.fields
    data = {name: form[name].value() or "" for name in form.fields}
    data["nature_of_coaching"] = "Career coaching helps you decide what comes next."
    assert signed_in.post(step, data).status_code == 302
    template.refresh_from_db()
    assert template.nature_of_coaching.startswith("Career coaching")
    assert (
        signed_in.get(
            reverse("contracts:template-step", args=[template.pk, "parties"])
        ).status_code
        == 404
    )

    copy = signed_in.post(
        reverse("contracts:template-create") + f"?from={template.pk}", {"name": "Copy"}
    )
    assert copy.status_code == 302
    assert AgreementTemplate.objects.get(name="Copy").nature_of_coaching.startswith("Career")

    signed_in.post(reverse("contracts:template-delete", args=[template.pk]))
    assert not AgreementTemplate.objects.filter(pk=template.pk).exists()


def test_new_agreement_offers_the_coachs_own_templates(signed_in: HttpClient, coach: User) -> None:
    template_create(coach=coach, name="Mine")
    form = signed_in.get(reverse("contracts:agreement-create")).context["form"]
    labels = [label for _, label in form.fields["template"].choices]
    assert labels == ["Standard three-way coaching agreement (built in)", "Mine"]


def test_references_count_each_coachs_own_agreements(coach: User, other_coach: User) -> None:
    make_agreement(coach=other_coach)
    first, second = make_agreement(coach=coach), make_agreement(coach=coach)
    assert (first.reference, second.reference) == ("TRI-0001", "TRI-0002")


def test_a_sent_agreement_is_previewed_as_frozen(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    signing.agreement_send(agreement=agreement, coach=coach)
    original = agreement.client.name
    agreement.client.name = "Renamed After Sending"
    agreement.client.save()
    page = preview(signed_in, agreement, "coach")
    assert original in page
    assert "Renamed After Sending" not in page
    assert "version 1" in page


def test_the_list_reads_only_the_columns_it_shows(signed_in: HttpClient, coach: User) -> None:
    make_agreement(coach=coach, complete=True)
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse("contracts:agreement-list"))
    assert response.status_code == 200
    rows = [q["sql"] for q in queries if 'FROM "contracts_agreement"' in q["sql"]]
    assert rows, "the list reads the agreements"
    for sql in rows:
        for column in (
            "sharing",
            "confidentiality_limits",
            "records",
            "goals",
            "nature_of_coaching",
        ):
            assert f'"contracts_agreement"."{column}"' not in sql


def test_the_list_counts_its_agreements_with_its_rows_without_joining_their_parties(
    signed_in: HttpClient, coach: User
) -> None:
    make_agreement(coach=coach, complete=True)
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse("contracts:agreement-list"))
    assert response.status_code == 200
    reads = [q["sql"] for q in queries if 'FROM "contracts_agreement"' in q["sql"]]
    assert len(reads) == 1, "the rows and their count in one statement"
    count = re.search(r"\(SELECT COUNT\(\*\) AS .*?\) AS", reads[0])
    assert count is not None
    assert "JOIN" not in count.group(0)


def test_a_page_past_the_last_shows_the_last_and_an_empty_list_shows_none(
    signed_in: HttpClient, coach: User
) -> None:
    url = reverse("contracts:agreement-list")
    assert "No agreements yet" in signed_in.get(url, {"page": "3"}).content.decode()
    agreement = make_agreement(coach=coach)

    for asked in ["3", "0", "-1", "x", "99999999999999999999999"]:
        assert listed_pks(signed_in.get(url, {"page": asked})) == [agreement.pk], asked
