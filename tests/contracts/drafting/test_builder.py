from datetime import date

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import ContactRole, User
from contracts import terms
from contracts.drafting.builder import find_step, step_form
from contracts.drafting.sections import SECTIONS as STEPS
from contracts.drafting.services import template_create
from contracts.models import Agreement, AgreementStatus, Payer
from tests.conftest import make_agreement, make_client, make_contact, make_organisation

pytestmark = pytest.mark.django_db


def step_url(agreement: Agreement, step: str) -> str:
    return reverse("contracts:agreement-step", args=[agreement.pk, step])


def step_data(
    agreement: Agreement, step: str, coach: User, **changes: object
) -> dict[str, object]:
    """The step's form as the page shows it, with some answers changed."""
    current = find_step(agreement, step)
    assert current is not None
    form = step_form(current, agreement, coach=coach)
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = str(value) if not isinstance(value, bool) else "on"
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_a_new_agreement_starts_from_the_built_in_template_with_the_sponsor_filled_in(
    signed_in: HttpClient, coach: User
) -> None:
    organisation = make_organisation(coach=coach, name="Northwind")
    manager = make_contact(coach=coach, organisation=organisation, name="Lee Manager")
    manager.role = ContactRole.LINE_MANAGER
    manager.save()
    hr = make_contact(coach=coach, organisation=organisation, name="Priya Shah")
    client = make_client(coach=coach, organisation=organisation, name="Jordan Ellis")

    response = signed_in.post(
        reverse("contracts:agreement-create"),
        {"client": client.pk, "template": "builtin", "title": ""},
    )

    agreement = Agreement.objects.get()
    assert response["Location"] == step_url(agreement, "parties")
    assert agreement.title == "Coaching agreement: Jordan Ellis"
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.organisation == organisation
    assert agreement.sponsor_signatory == hr, "the HR contact signs by default"
    assert agreement.template_name == "Standard three-way coaching agreement"
    assert agreement.nature_of_coaching
    assert agreement.sharing_matrix["attendance"]["sponsor"]["level"] == "routine"
    assert agreement.sharing_matrix["content"]["sponsor"]["level"] == "never"
    assert agreement.sharing_matrix["notes"]["line_manager"]["level"] == "never"


def test_a_template_is_copied_and_later_edits_do_not_change_the_agreement(
    signed_in: HttpClient, coach: User
) -> None:
    template = template_create(coach=coach, name="Executive coaching")
    template.nature_of_coaching = "Executive coaching, our way."
    template.save()
    client = make_client(coach=coach)
    signed_in.post(
        reverse("contracts:agreement-create"),
        {"client": client.pk, "template": str(template.pk), "title": "Exec"},
    )
    agreement = Agreement.objects.get()
    assert agreement.nature_of_coaching == "Executive coaching, our way."
    assert agreement.template_name == "Executive coaching"

    template.nature_of_coaching = "Changed later."
    template.sharing["attendance"]["sponsor"]["level"] = "never"
    template.save()
    agreement.refresh_from_db()
    assert agreement.nature_of_coaching == "Executive coaching, our way."
    assert agreement.sharing_matrix["attendance"]["sponsor"]["level"] == "routine"


def test_another_coachs_template_or_client_cannot_be_used(
    signed_in: HttpClient, other_coach: User
) -> None:
    theirs = template_create(coach=other_coach, name="Theirs")
    their_client = make_client(coach=other_coach)
    response = signed_in.post(
        reverse("contracts:agreement-create"),
        {"client": their_client.pk, "template": str(theirs.pk)},
    )
    form = response.context["form"]
    assert form.errors["client"] == ["Choose the client."]
    assert "template" in form.errors
    assert not Agreement.objects.exists()


def test_each_step_saves_and_leads_to_the_next(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    following = [step_url(agreement, step.key) for step in STEPS[1:]]
    for step, next_url in zip(STEPS, [*following, agreement.get_absolute_url()], strict=True):
        response = signed_in.post(
            step_url(agreement, step.key), step_data(agreement, step.key, coach)
        )
        assert response.status_code == 302, (
            step.key,
            response.context and response.context["form"].errors,
        )
        assert response["Location"] == next_url
    agreement.refresh_from_db()
    assert agreement.last_step == "ending"
    assert "Complete." in signed_in.get(agreement.get_absolute_url()).content.decode()


def test_save_and_check_returns_to_the_checklist(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(agreement, "roles", coach, save_and_check="1")
    response = signed_in.post(step_url(agreement, "roles"), data)
    assert response["Location"] == agreement.get_absolute_url()


def test_the_detail_page_resumes_at_the_first_unfinished_step(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    page = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert "Continue: Goals" in page
    assert step_url(agreement, "goals") in page


def test_a_signatory_from_another_organisation_is_refused(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    outsider = make_contact(coach=coach, name="Out Sider")
    data = step_data(agreement, "parties", coach, sponsor_signatory=str(outsider.pk))
    response = signed_in.post(step_url(agreement, "parties"), data)
    assert response.status_code == 200
    assert "Out Sider does not work for" in response.context["form"].errors["sponsor_signatory"][0]


def test_making_the_agreement_private_clears_the_sponsor_side(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(agreement, "parties", coach, organisation=None, sponsor_signatory=None)
    response = signed_in.post(step_url(agreement, "parties"), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.is_two_party
    assert agreement.sponsor_signatory is None
    assert agreement.payer == Payer.CLIENT
    assert signed_in.get(step_url(agreement, "sharing")).status_code == 404


def test_goals_are_saved_as_rows_and_a_measure_needs_its_goal(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    response = signed_in.post(
        step_url(agreement, "goals"),
        {
            "goal_0": "Delegate more",
            "measure_0": "Two projects handed over",
            "measure_1": "Orphan",
        },
    )
    assert response.context["form"].errors["goal_1"] == ["Write the goal this measure belongs to."]

    signed_in.post(
        step_url(agreement, "goals"),
        step_data(
            agreement,
            "goals",
            coach,
            goal_0="Delegate more",
            measure_0="Two projects handed over",
            goal_1=" ",
        ),
    )
    agreement.refresh_from_db()
    assert agreement.goals == [{"goal": "Delegate more", "measure": "Two projects handed over"}]
    form = signed_in.get(step_url(agreement, "goals")).context["form"]
    assert "goal_2" in form.fields, "empty rows are offered for more goals"


def test_dates_out_of_order_are_refused_and_the_review_date_defaults_from_the_profile(
    signed_in: HttpClient, coach: User
) -> None:
    coach.profile.review_interval_months = 6
    coach.profile.save()
    agreement = make_agreement(coach=coach)
    data = step_data(agreement, "logistics", coach, start_date="2027-03-01", end_date="2027-02-01")
    response = signed_in.post(step_url(agreement, "logistics"), data)
    assert response.context["form"].errors["end_date"] == ["Coaching must end after it starts."]

    data = step_data(agreement, "logistics", coach, start_date="2027-08-31", end_date="2028-06-30")
    signed_in.post(step_url(agreement, "logistics"), data)
    agreement.refresh_from_db()
    assert agreement.review_date == date(2028, 2, 29)


def test_session_numbers_are_bounded(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(
        agreement, "logistics", coach, session_count="0", session_length_minutes="9000"
    )
    errors = signed_in.post(step_url(agreement, "logistics"), data).context["form"].errors
    assert "session_count" in errors and "session_length_minutes" in errors


def test_fee_amounts_make_sense(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(agreement, "fees", coach, fee_basis="per_session", fee_amount="-5")
    errors = signed_in.post(step_url(agreement, "fees"), data).context["form"].errors
    assert errors["fee_amount"] == ["Enter an amount above zero, or choose pro bono."]
    data = step_data(agreement, "fees", coach, fee_basis="pro_bono", fee_amount="100")
    errors = signed_in.post(step_url(agreement, "fees"), data).context["form"].errors
    assert errors["fee_amount"] == ["Pro bono coaching has no fee: leave the amount empty."]


def test_the_sharing_matrix_refuses_routine_sharing_of_session_content(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(agreement, "sharing", coach, content__sponsor__level="routine")
    response = signed_in.post(step_url(agreement, "sharing"), data)
    errors = response.context["form"].errors["content__sponsor__level"]
    assert errors == [
        "What is said in coaching sessions cannot be shared with the sponsor (HR) “routinely”: "
        "it contradicts the confidentiality promised to the client. Choose never, or only with "
        "the client's consent each time."
    ]
    assert "it contradicts the confidentiality promised" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.sharing_matrix["content"]["sponsor"]["level"] == "never"


def test_the_sharing_matrix_saves_each_cell_and_clears_details_of_never(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(
        agreement,
        "sharing",
        coach,
        progress__line_manager__level="approved_summary",
        progress__line_manager__method="report",
        progress__line_manager__timing="end",
        progress__line_manager__prepared_by="together",
        attendance__line_manager__level="never",
    )
    assert signed_in.post(step_url(agreement, "sharing"), data).status_code == 302
    agreement.refresh_from_db()
    matrix = agreement.sharing_matrix
    assert matrix["progress"]["line_manager"] == {
        "level": "approved_summary",
        "method": "report",
        "timing": "end",
        "prepared_by": "together",
    }
    assert matrix["attendance"]["line_manager"] == terms.sharing_cell("never")


def test_limits_follow_the_jurisdiction_and_take_negotiated_items(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(agreement, "limits", coach, jurisdiction="usa")
    errors = signed_in.post(step_url(agreement, "limits"), data).context["form"].errors
    assert "limit_terrorism" in errors

    data = step_data(
        agreement,
        "limits",
        coach,
        limit_illegal=None,
        custom_title_0="Code of conduct",
        custom_wording_0="Serious breaches of Northwind's code of conduct involving fraud.",
    )
    assert signed_in.post(step_url(agreement, "limits"), data).status_code == 302
    agreement.refresh_from_db()
    keys = [item["key"] for item in agreement.limit_items]
    assert "illegal" not in keys
    assert agreement.limit_items[-1]["title"] == "Code of conduct"

    data = step_data(agreement, "limits", coach, custom_title_1="Half a limit")
    errors = signed_in.post(step_url(agreement, "limits"), data).context["form"].errors
    assert errors["custom_wording_1"] == ["Write what this limit means."]


def test_records_are_saved_per_record_class(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(
        agreement, "records", coach, notes_retention_years="2", notes_storage="Locked cabinet"
    )
    assert signed_in.post(step_url(agreement, "records"), data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.record_rules["notes"]["retention_years"] == 2
    assert agreement.record_rules["notes"]["storage"] == "Locked cabinet"


def test_additional_terms_are_kept_per_section(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach)
    data = step_data(agreement, "ending", coach, additional="Sessions may move to video.")
    signed_in.post(step_url(agreement, "ending"), data)
    agreement.refresh_from_db()
    assert agreement.additional_terms == {"ending": "Sessions may move to video."}
    preview = reverse("contracts:agreement-preview", args=[agreement.pk, "client"])
    assert "Sessions may move to video." in signed_in.get(preview).content.decode()


def test_a_sent_agreement_cannot_be_edited(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach, status=AgreementStatus.SENT)
    response = signed_in.post(step_url(agreement, "roles"), {"nature_of_coaching": "Changed"})
    assert response["Location"] == agreement.get_absolute_url()
    agreement.refresh_from_db()
    assert agreement.nature_of_coaching != "Changed"


def test_an_unknown_step_is_a_404(signed_in: HttpClient, coach: User) -> None:
    agreement = make_agreement(coach=coach)
    assert signed_in.get(step_url(agreement, "nonsense")).status_code == 404
