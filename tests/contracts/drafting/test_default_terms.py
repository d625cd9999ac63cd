import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import models

from coaching.models import CoachProfile, Membership, ProfessionalBody
from contracts.drafting import services
from contracts.drafting.default_terms import (
    BUILTIN_TEMPLATE_DESCRIPTION,
    BUILTIN_TEMPLATE_NAME,
    GENERIC_CODE,
    builtin_terms,
    long_date,
)
from contracts.models import AgreementTemplate, Terms
from contracts.terms import default_limits, default_records, default_sharing
from tests.conftest import make_client, make_coach, make_organisation

# Text fields left blank on purpose: the coach fills them in for each agreement.
INTENTIONALLY_BLANK = {"session_location", "fee_basis", "jurisdiction_other"}
PLACEHOLDERS = ("[", "tbd", "todo", "insert", "lorem", "xxx")

# Sections a two-party agreement (a private client, no sponsor) does not show.
NOT_SHOWN_IN_TWO_PARTY = {
    "sponsor_responsibilities",
    "organisational_guidelines",
    "sharing",
    "feedback_anonymity",
}
SHOWN_TEXTS_IN_TWO_PARTY = (
    "coach_responsibilities",
    "client_responsibilities",
    "nature_of_coaching",
    "referral_policy",
    "invoicing_terms",
    "cancellation_terms",
    "breach_procedure",
    "data_controller",
    "client_confidentiality",
    "ethics_and_complaints",
    "health_information",
    "termination_terms",
    "amendment_process",
)
# Words that only make sense when there is a sponsor.
SPONSOR_WORDS = re.compile(r"sponsor|organi[sz]ation|line manager|employer|\bHR\b", re.IGNORECASE)


def _text_fields() -> list[str]:
    return [
        name
        for name in Terms.TERMS_FIELDS
        if isinstance(Terms._meta.get_field(name), models.CharField | models.TextField)
    ]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in _strings(key) + _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def _insured_icf_profile(**changes: Any) -> CoachProfile:
    coach = make_coach(full_name="Robin Ashworth")
    Membership.objects.create(coach=coach, body=ProfessionalBody.ICF, member_number="001234")
    profile = coach.profile
    profile.insurer = "Hartwell Mutual Insurance"
    profile.insurance_policy_number = "PI-778812"
    profile.insurance_expires_on = date(2027, 3, 31)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def test_keys_are_exactly_the_terms_fields() -> None:
    assert set(builtin_terms()) == set(Terms.TERMS_FIELDS)
    assert len(builtin_terms()) == len(Terms.TERMS_FIELDS)


def test_every_value_is_valid_for_its_field() -> None:
    for name, value in builtin_terms().items():
        field = Terms._meta.get_field(name)
        assert isinstance(field, models.Field)
        field.clean(value, None)


def test_text_fields_are_filled_in_except_the_intentionally_blank_ones() -> None:
    terms = builtin_terms()
    text_fields = _text_fields()
    assert set(text_fields) >= INTENTIONALLY_BLANK
    blank = {name for name in text_fields if not terms[name].strip()}
    assert blank == INTENTIONALLY_BLANK
    assert {terms[name] for name in INTENTIONALLY_BLANK} == {""}


def test_no_placeholders_anywhere() -> None:
    strings = [*_strings(builtin_terms()), BUILTIN_TEMPLATE_NAME, BUILTIN_TEMPLATE_DESCRIPTION]
    for text in strings:
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text.lower(), (placeholder, text)


def test_template_name_and_description_fit_the_template_model() -> None:
    name_field = AgreementTemplate._meta.get_field("name")
    description_field = AgreementTemplate._meta.get_field("description")
    assert isinstance(name_field, models.CharField)
    assert isinstance(description_field, models.CharField)
    assert len(BUILTIN_TEMPLATE_NAME) <= (name_field.max_length or 0)
    assert len(BUILTIN_TEMPLATE_DESCRIPTION) <= (description_field.max_length or 0)
    assert BUILTIN_TEMPLATE_DESCRIPTION.count(". ") == 0
    assert BUILTIN_TEMPLATE_DESCRIPTION.endswith(".")


def test_structured_defaults() -> None:
    terms = builtin_terms()
    assert terms["goals"] == []
    assert terms["additional_terms"] == {}
    assert (terms["session_count"], terms["session_length_minutes"]) == (6, 60)
    assert terms["session_frequency"] == "every three to four weeks"
    assert terms["session_format"] == "mixed"
    assert terms["fee_amount"] is None
    assert terms["fee_currency"] == "GBP"
    assert terms["payer"] == "sponsor"
    assert terms["feedback_anonymity"] == "by_category"
    assert terms["jurisdiction"] == "england_wales"
    assert terms["recording"] == "never"
    assert terms["testimonials"] == "anonymous"
    assert terms["notice_days"] == 14
    assert terms["sharing"] == default_sharing()
    assert terms["confidentiality_limits"] == default_limits(jurisdiction="england_wales")
    assert terms["records"] == default_records(None)


def test_each_call_returns_fresh_values() -> None:
    first = builtin_terms()
    first["sharing"]["attendance"]["sponsor"]["level"] = "never"
    first["confidentiality_limits"].clear()
    first["goals"].append({"goal": "changed", "measure": ""})
    second = builtin_terms()
    assert second["sharing"] == default_sharing()
    assert second["confidentiality_limits"] == default_limits(jurisdiction="england_wales")
    assert second["goals"] == []


def test_key_professional_points_are_covered() -> None:
    terms = builtin_terms()
    assert "not the sponsor's investigator" in terms["sponsor_responsibilities"]
    assert "not the sponsor's investigator" in terms["organisational_guidelines"]
    assert "no right to the content of sessions" in terms["sponsor_responsibilities"]
    for not_coaching in (
        "therapy or counselling",
        "mentoring or advice",
        "performance management",
    ):
        assert f"- {not_coaching}" in terms["nature_of_coaching"]
    for support in ("GP", "counsellor", "employee assistance programme", "occupational health"):
        assert support in terms["referral_policy"]
    assert "CDI Code of Ethics, principle of duty of care" in terms["referral_policy"]
    assert "pause the coaching" in terms["referral_policy"]
    assert "48 hours' notice" in terms["cancellation_terms"]
    assert "counts as a session used" in terms["cancellation_terms"]
    assert "article 9" in terms["health_information"]
    assert "explicit written consent" in terms["health_information"]
    assert "as the ICF Code of Ethics asks of every record" in terms["data_controller"]
    assert "never kept on the sponsor's systems" in terms["data_controller"]
    assert "at least once a year" in terms["amendment_process"]
    assert "sign again" in terms["amendment_process"]
    assert "end the coaching" in terms["client_confidentiality"]


def test_breach_procedure_lists_the_nine_steps_in_order() -> None:
    steps = [
        line for line in builtin_terms()["breach_procedure"].splitlines() if line.startswith("- ")
    ]
    assert len(steps) == 9
    openings = ["Pause", "Clarify", "Consult", "Where possible", "Disclose only the minimum"]
    openings += ["Disclose it only to the proper", "Agree the method", "Record", "Review"]
    for step, opening in zip(steps, openings, strict=True):
        assert step.startswith(f"- {opening}"), step
    assert "without naming the client" in steps[2]


def test_without_a_profile_the_wording_is_generic() -> None:
    text = builtin_terms()["ethics_and_complaints"]
    assert GENERIC_CODE in text
    assert "insurance details are given in the coach's profile" in text
    assert "raise it first with the coach" in text
    assert "complaints procedure of that professional body" in text


def test_long_date() -> None:
    assert long_date(date(2027, 3, 31)) == "31 March 2027"
    assert long_date(date(2026, 12, 1)) == "1 December 2026"


@pytest.mark.django_db
def test_profile_with_icf_membership_and_insurance_is_named() -> None:
    profile = _insured_icf_profile()
    text = builtin_terms(profile=profile)["ethics_and_complaints"]
    assert "International Coaching Federation" in text
    assert "the ICF Code of Ethics" in text
    assert "complaints procedure of the International Coaching Federation" in text
    assert "Hartwell Mutual Insurance" in text
    assert "31 March 2027" in text
    assert GENERIC_CODE not in text
    assert "given in the coach's profile" not in text


@pytest.mark.django_db
def test_insurance_cover_is_stated_when_known() -> None:
    profile = _insured_icf_profile(insurance_cover_amount=Decimal("2000000.00"))
    text = builtin_terms(profile=profile)["ethics_and_complaints"]
    assert "with cover of £2,000,000" in text


@pytest.mark.django_db
def test_several_bodies_sharing_one_code_name_it_once() -> None:
    coach = make_coach()
    Membership.objects.create(coach=coach, body=ProfessionalBody.EMCC)
    Membership.objects.create(coach=coach, body=ProfessionalBody.AC)
    Membership.objects.create(coach=coach, body=ProfessionalBody.OTHER, other_body_name="")
    text = builtin_terms(profile=coach.profile)["ethics_and_complaints"]
    assert "European Mentoring and Coaching Council" in text
    assert "Association for Coaching" in text
    assert text.count("Global Code of Ethics") == 1
    assert "complaints procedure of the professional body concerned" in text


@pytest.mark.django_db
def test_profile_without_memberships_or_insurance_falls_back() -> None:
    coach = make_coach()
    text = builtin_terms(profile=coach.profile)["ethics_and_complaints"]
    assert GENERIC_CODE in text
    assert "insurance details are given in the coach's profile" in text


@pytest.mark.django_db
def test_records_use_the_profiles_retention_years() -> None:
    coach = make_coach()
    profile = coach.profile
    profile.retention_agreement_years = 10
    profile.retention_notes_years = 5
    profile.save()
    records = builtin_terms(profile=profile)["records"]
    assert records == default_records(profile.retention_years())
    assert records["agreement"]["retention_years"] == 10
    assert records["notes"]["retention_years"] == 5


def _sponsor_words_in_two_party_terms(terms: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, text) for every shown text of a two-party agreement that names a sponsor."""
    return [
        (name, text)
        for name, value in terms.items()
        if name not in NOT_SHOWN_IN_TWO_PARTY
        for text in _strings(value)
        if SPONSOR_WORDS.search(text)
    ]


def test_sponsor_words_pattern() -> None:
    for text in ("The Sponsor", "an organisation's", "Ask HR.", "your line manager", "Employer"):
        assert SPONSOR_WORDS.search(text), text
    for text in ("their", "three", "Christopher", "share"):
        assert not SPONSOR_WORDS.search(text), text


def test_two_party_keys_are_exactly_the_terms_fields() -> None:
    terms = builtin_terms(two_party=True)
    assert set(terms) == set(Terms.TERMS_FIELDS)
    assert len(terms) == len(Terms.TERMS_FIELDS)


def test_two_party_values_are_valid_for_their_fields() -> None:
    for name, value in builtin_terms(two_party=True).items():
        field = Terms._meta.get_field(name)
        assert isinstance(field, models.Field)
        field.clean(value, None)


def test_two_party_shown_texts_are_filled_in_and_never_mention_a_sponsor() -> None:
    terms = builtin_terms(two_party=True)
    long_texts = {
        name
        for name in Terms.TERMS_FIELDS
        if isinstance(Terms._meta.get_field(name), models.TextField)
    }
    assert set(SHOWN_TEXTS_IN_TWO_PARTY) == long_texts - NOT_SHOWN_IN_TWO_PARTY
    for name in SHOWN_TEXTS_IN_TWO_PARTY:
        assert terms[name].strip(), f"{name} is empty"
    assert _sponsor_words_in_two_party_terms(terms) == []
    for placeholder in PLACEHOLDERS:
        assert all(placeholder not in text.lower() for text in _strings(terms)), placeholder


def test_no_standard_limit_of_confidentiality_mentions_a_sponsor() -> None:
    limits = builtin_terms(two_party=True)["confidentiality_limits"]
    assert limits == default_limits(jurisdiction="england_wales")
    for limit in limits:
        assert not SPONSOR_WORDS.search(limit["title"]), limit
        assert not SPONSOR_WORDS.search(limit["wording"]), limit


def test_two_party_structured_defaults() -> None:
    terms = builtin_terms(two_party=True)
    assert terms["payer"] == "client"
    assert terms["feedback_anonymity"] == ""
    assert terms["sharing"] == default_sharing()
    records = terms["records"]
    assert {name: rule["retention_years"] for name, rule in records.items()} == {
        name: rule["retention_years"] for name, rule in default_records(None).items()
    }
    three_way = builtin_terms()
    for name in ("goals", "session_count", "session_length_minutes", "notice_days"):
        assert terms[name] == three_way[name], name
    # The sponsor's own sections are not shown, and keep the three-way text.
    assert terms["sponsor_responsibilities"] == three_way["sponsor_responsibilities"]
    assert terms["organisational_guidelines"] == three_way["organisational_guidelines"]


def test_two_party_wording_keeps_the_key_professional_points() -> None:
    terms = builtin_terms(two_party=True)
    for not_coaching in (
        "therapy or counselling",
        "mentoring or advice",
        "performance management",
    ):
        assert f"- {not_coaching}" in terms["nature_of_coaching"]
    for support in ("GP", "counsellor", "specialist adviser"):
        assert support in terms["referral_policy"]
    assert "CDI Code of Ethics, principle of duty of care" in terms["referral_policy"]
    assert "48 hours' notice" in terms["cancellation_terms"]
    assert "the coach and the client agree" in terms["cancellation_terms"]
    assert "explicit written consent" in terms["health_information"]
    assert "as the ICF Code of Ethics asks of every record" in terms["data_controller"]
    assert "confidential information about other people" in terms["client_confidentiality"]
    assert "end the coaching" in terms["client_confidentiality"]
    assert terms["termination_terms"].startswith("Either party may end this agreement")
    amendment = terms["amendment_process"]
    assert amendment.startswith("The coach and the client review this agreement")
    assert "at least once a year" in amendment
    assert "both parties sign again" in amendment
    steps = [line for line in terms["breach_procedure"].splitlines() if line.startswith("- ")]
    assert len(steps) == 9


@pytest.mark.django_db
def test_two_party_wording_with_a_profile_never_mentions_a_sponsor() -> None:
    profile = _insured_icf_profile(insurance_cover_amount=Decimal("1000000.00"))
    terms = builtin_terms(profile=profile, two_party=True)
    assert "Hartwell Mutual Insurance" in terms["ethics_and_complaints"]
    assert "will tell the client if this cover lapses" in terms["ethics_and_complaints"]
    assert terms["records"]["agreement"]["retention_years"] == 7
    assert _sponsor_words_in_two_party_terms(terms) == []


@pytest.mark.django_db
def test_a_private_clients_agreement_gets_the_two_party_wording() -> None:
    coach = make_coach()
    organisation = make_organisation(coach=coach)
    sponsored = services.agreement_create(
        coach=coach, client=make_client(coach=coach, organisation=organisation), template=None
    )
    private = services.agreement_create(
        coach=coach, client=make_client(coach=coach), template=None
    )
    organisation.archive()
    former = services.agreement_create(
        coach=coach, client=make_client(coach=coach, organisation=organisation), template=None
    )
    assert not sponsored.is_two_party
    assert sponsored.terms_data() == builtin_terms(profile=coach.profile)
    for agreement in (private, former):
        assert agreement.is_two_party
        assert agreement.terms_data() == builtin_terms(profile=coach.profile, two_party=True)


OLD_NUMBERS = re.compile(r"\b(?:standard|principle) \d+\b|Code of Ethics,? \d+(?!\.\d)")


@pytest.mark.parametrize("two_party", [False, True])
def test_the_built_in_terms_cite_no_renumbered_standard(two_party: bool) -> None:
    """The ICF code in force since April 2025 numbers its duties 1.1 and 2.1 to 2.3 (the
    2015 and 2020 numbers changed), and the CDI code is cited by principle names."""
    for name, value in builtin_terms(two_party=two_party).items():
        if isinstance(value, str):
            assert OLD_NUMBERS.search(value) is None, (name, OLD_NUMBERS.search(value))


def test_no_page_or_text_of_the_product_cites_a_renumbered_standard() -> None:
    root = Path(settings.BASE_DIR)
    cited = [
        f"{path.relative_to(root)}: {found.group(0)}"
        for folder in ("contracts", "coaching", "templates")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts
        for found in [OLD_NUMBERS.search(path.read_text(encoding="utf-8"))]
        if found
    ]
    assert cited == []
