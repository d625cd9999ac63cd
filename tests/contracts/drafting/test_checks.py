from datetime import date
from decimal import Decimal

import pytest

from coaching.models import User
from contracts import terms
from contracts.drafting.checks import Severity, agreement_problems, is_ready_to_send
from contracts.models import Agreement, FeeBasis, FeedbackAnonymity, Payer
from tests.conftest import make_agreement, make_contact

pytestmark = pytest.mark.django_db


def messages(agreement: Agreement, step: str | None = None) -> list[str]:
    return [p.message for p in agreement_problems(agreement) if step is None or p.step == step]


def blocking(agreement: Agreement) -> list[str]:
    return [p.message for p in agreement_problems(agreement) if p.blocks_sending]


def test_the_default_template_passes_every_check_once_parties_and_dates_are_filled_in(
    coach: User,
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    assert blocking(agreement) == []
    assert is_ready_to_send(agreement)


def test_a_two_party_agreement_from_the_default_template_passes_too(coach: User) -> None:
    agreement = make_agreement(coach=coach, sponsored=False, complete=True)
    assert agreement.is_two_party
    assert agreement.payer == Payer.CLIENT
    assert blocking(agreement) == []


def test_a_fresh_draft_lists_what_is_missing_step_by_step(coach: User) -> None:
    agreement = make_agreement(coach=coach)
    problems = agreement_problems(agreement)
    assert {p.step for p in problems if p.blocks_sending} == {"goals", "logistics", "fees"}
    assert not is_ready_to_send(agreement)


def test_the_sponsor_needs_a_signatory_from_the_sponsor(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True, sponsor_signatory=None)
    assert "Choose who signs for" in " ".join(messages(agreement, "parties"))

    outsider = make_contact(coach=coach)
    agreement.sponsor_signatory = outsider
    agreement.save()
    problems = [p for p in agreement_problems(agreement) if p.step == "parties"]
    assert problems[0].severity == Severity.CONTRADICTION
    assert f"{outsider.name} does not work for" in problems[0].message


def test_copied_stakeholders_come_from_the_sponsor_and_do_not_also_sign(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    assert agreement.sponsor_signatory is not None
    agreement.stakeholders.add(agreement.sponsor_signatory, make_contact(coach=coach))
    found = messages(agreement, "parties")
    assert any("signs the agreement, so is not also copied" in m for m in found)
    assert any("does not work for" in m for m in found)


def test_archived_parties_are_flagged(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    agreement.client.archive()
    assert any("is archived" in m for m in messages(agreement, "parties"))


def test_each_party_needs_an_email(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    type(agreement.client).objects.filter(pk=agreement.client_id).update(email="")
    agreement.refresh_from_db()
    assert any("Add an email address" in m for m in messages(agreement, "parties"))


@pytest.mark.parametrize(
    ("field", "step", "text"),
    [
        ("nature_of_coaching", "roles", "Say what coaching is and is not."),
        ("referral_policy", "roles", "refers the client"),
        ("sponsor_responsibilities", "roles", "sponsor's responsibilities"),
        ("cancellation_terms", "fees", "cancelled or missed"),
        ("breach_procedure", "limits", "procedure for breaking confidentiality"),
        ("organisational_guidelines", "conduct", "code of conduct"),
        ("client_confidentiality", "conduct", "client's own confidentiality"),
        ("data_controller", "records", "who controls"),
        ("ethics_and_complaints", "ethics", "complaints route"),
        ("recording", "ethics", "recorded"),
        ("testimonials", "ethics", "testimonials"),
        ("health_information", "ethics", "health information"),
        ("termination_terms", "ending", "end the agreement"),
        ("amendment_process", "ending", "reviewed and amended"),
    ],
)
def test_every_mandatory_section_must_be_decided(
    coach: User, field: str, step: str, text: str
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    setattr(agreement, field, "")
    assert any(text in m for m in messages(agreement, step)), messages(agreement)


def test_sponsor_sections_are_not_required_of_a_private_client(coach: User) -> None:
    agreement = make_agreement(
        coach=coach,
        sponsored=False,
        complete=True,
        sponsor_responsibilities="",
        organisational_guidelines="",
        sharing={},
        feedback_anonymity="",
    )
    assert blocking(agreement) == []


def test_goals_need_a_measure(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True, goals=[{"goal": "Delegate more"}])
    assert messages(agreement, "goals") == [
        "Say how progress on “Delegate more” will be recognised."
    ]


def test_dates_must_be_in_order(coach: User) -> None:
    agreement = make_agreement(
        coach=coach,
        complete=True,
        start_date=date(2027, 5, 1),
        end_date=date(2027, 4, 1),
        review_date=date(2027, 4, 1),
    )
    found = [p for p in agreement_problems(agreement) if p.step == "logistics"]
    assert [p.message for p in found] == [
        "Coaching must end after it starts.",
        "The review must come after coaching starts.",
    ]
    assert all(p.severity == Severity.CONTRADICTION for p in found)


def test_a_fee_is_set_or_explicitly_pro_bono(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True, fee_basis="", fee_amount=None)
    assert "Set the fee, or mark the coaching as pro bono." in messages(agreement, "fees")

    agreement.fee_basis = FeeBasis.PER_SESSION
    agreement.save()
    assert "Enter the fee amount." in messages(agreement, "fees")

    agreement.fee_basis = FeeBasis.PRO_BONO
    agreement.save()
    assert messages(agreement, "fees") == []


def test_a_separate_fee_contract_needs_a_sponsor(coach: User) -> None:
    sponsored = make_agreement(coach=coach, complete=True, fee_basis="separate", fee_amount=None)
    assert messages(sponsored, "fees") == []
    private = make_agreement(
        coach=coach, sponsored=False, complete=True, fee_basis="separate", fee_amount=None
    )
    assert "no sponsor to hold a separate contract" in messages(private, "fees")[0]


def test_a_private_client_cannot_have_the_sponsor_pay(coach: User) -> None:
    agreement = make_agreement(coach=coach, sponsored=False, complete=True, payer=Payer.SPONSOR)
    assert "A private client's agreement has no sponsor to pay: the client pays." in messages(
        agreement, "fees"
    )


def test_every_information_kind_is_decided_for_every_recipient(coach: User) -> None:
    matrix = terms.default_sharing()
    matrix["intake"]["line_manager"]["level"] = ""
    agreement = make_agreement(coach=coach, complete=True, sharing=matrix)
    assert messages(agreement, "sharing") == [
        "Decide whether to share answers to the intake questionnaire with the line manager."
    ]


def test_session_content_shared_routinely_is_a_contradiction(coach: User) -> None:
    matrix = terms.default_sharing()
    matrix["content"]["sponsor"] = terms.sharing_cell("routine", "report", "monthly", "coach")
    agreement = make_agreement(coach=coach, complete=True, sharing=matrix)
    found = [p for p in agreement_problems(agreement) if p.step == "sharing"]
    assert len(found) == 1
    assert found[0].severity == Severity.CONTRADICTION
    assert "contradicts the confidentiality promised to the client" in found[0].message


def test_shared_information_needs_how_when_and_by_whom(coach: User) -> None:
    matrix = terms.default_sharing()
    matrix["progress"]["sponsor"] = terms.sharing_cell("approved_summary")
    agreement = make_agreement(coach=coach, complete=True, sharing=matrix)
    assert messages(agreement, "sharing") == [
        "Say how, when and by whom progress against the agreed goals with the sponsor (HR) "
        "is shared."
    ]


def test_feedback_rules_need_an_anonymity_level(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True, feedback_anonymity="")
    assert messages(agreement, "sharing") == [
        "Decide whether and how stakeholder feedback is anonymised."
    ]
    agreement.feedback_anonymity = FeedbackAnonymity.NOT_COLLECTED
    agreement.save()
    found = messages(agreement, "sharing")
    assert len(found) == 1 and "none is collected" in found[0]


def test_limits_need_a_jurisdiction_and_at_least_one_limit(coach: User) -> None:
    agreement = make_agreement(
        coach=coach, complete=True, jurisdiction="", confidentiality_limits=[]
    )
    assert messages(agreement, "limits") == [
        "List the limits of confidentiality.",
        "Choose the jurisdiction whose law applies.",
    ]
    agreement.jurisdiction = terms.Jurisdiction.OTHER
    agreement.confidentiality_limits = terms.default_limits(jurisdiction="other")
    agreement.save()
    assert messages(agreement, "limits") == ["Name the jurisdiction."]


def test_a_uk_only_duty_under_another_law_is_a_contradiction(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True, jurisdiction=terms.Jurisdiction.USA)
    found = [p for p in agreement_problems(agreement) if p.step == "limits"]
    assert [p.severity for p in found] == [Severity.CONTRADICTION]
    assert "Terrorism (United Kingdom)" in found[0].message


def test_retention_is_set_for_every_record_class(coach: User) -> None:
    records = terms.default_records()
    records["notes"]["retention_years"] = None
    records["intake"]["disposal"] = ""
    agreement = make_agreement(coach=coach, complete=True, records=records)
    assert messages(agreement, "records") == [
        "Set how long to keep coach's session notes.",
        "Say how intake answers are disposed of.",
    ]


def test_missing_or_expiring_insurance_is_a_warning_that_does_not_block(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    warnings = [p for p in agreement_problems(agreement) if not p.blocks_sending]
    assert [p.message for p in warnings] == [
        "Your professional indemnity insurance is not in your profile."
    ]
    profile = coach.profile
    profile.insurer, profile.insurance_policy_number = "Hiscox", "PI-1"
    profile.insurance_expires_on = date(2027, 3, 1)
    profile.insurance_cover_amount = Decimal("1000000")
    profile.save()
    agreement = Agreement.objects.get(pk=agreement.pk)
    warnings = [p for p in agreement_problems(agreement) if not p.blocks_sending]
    assert "expires before coaching ends" in warnings[0].message
    assert is_ready_to_send(agreement)
