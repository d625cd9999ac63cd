"""The one reading of the sharing matrix: what a recipient may receive of each kind."""

import pytest

from coaching.models import User
from contracts.drafting.services import template_create
from contracts.sharing import sharing_rule, sharing_rules
from contracts.terms import (
    InformationKind,
    PreparedBy,
    Recipient,
    SharingLevel,
    SharingMethod,
    SharingTiming,
    sharing_cell,
)
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def test_the_signed_version_answers_not_the_draft_edited_since(coach: User) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    agreement.sharing[InformationKind.PROGRESS][Recipient.SPONSOR] = sharing_cell(
        SharingLevel.ROUTINE, SharingMethod.REPORT, SharingTiming.MONTHLY, PreparedBy.COACH
    )
    agreement.save()

    signed = sharing_rule(version, InformationKind.PROGRESS, Recipient.SPONSOR)
    draft = sharing_rule(agreement, InformationKind.PROGRESS, Recipient.SPONSOR)

    assert signed.level == SharingLevel.CONSENT
    assert signed.method == SharingMethod.MEETING
    assert signed.prepared_by == PreparedBy.CLIENT
    assert draft.level == SharingLevel.ROUTINE
    assert draft.timing == SharingTiming.MONTHLY


def test_each_kind_and_recipient_has_exactly_one_rule(coach: User) -> None:
    rules = sharing_rules(make_agreement(coach=coach))
    pairs = [(rule.kind, rule.recipient) for rule in rules]
    assert len(pairs) == len(set(pairs)) == len(InformationKind) * len(Recipient)


def test_what_coaching_keeps_private_is_never_shared_by_default(coach: User) -> None:
    agreement = make_agreement(coach=coach)
    for kind in (InformationKind.CONTENT, InformationKind.NOTES):
        for recipient in Recipient:
            rule = sharing_rule(agreement, kind, recipient)
            assert rule.protected
            assert rule.decided and not rule.shared
    attendance = sharing_rule(agreement, InformationKind.ATTENDANCE, Recipient.LINE_MANAGER)
    assert attendance.shared and attendance.has_details


def test_a_private_clients_agreement_shares_nothing_with_anyone(coach: User) -> None:
    version = send_agreement(coach, sponsored=False)
    assert all(rule.level == SharingLevel.NEVER for rule in sharing_rules(version))
    assert not any(rule.shared for rule in sharing_rules(version.agreement))


def test_an_undecided_cell_reads_as_undecided_in_a_template(coach: User) -> None:
    template = template_create(coach=coach, name="Mine")
    template.sharing[InformationKind.THEMES][Recipient.SPONSOR] = sharing_cell("")
    rule = sharing_rule(template, InformationKind.THEMES, Recipient.SPONSOR)
    assert rule.level is None
    assert not rule.decided and not rule.shared
    assert rule.key == "themes.sponsor"
