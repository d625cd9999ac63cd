"""What changed between two versions: every term a party signs, down to how, when and by
whom each cell of the sharing matrix is shared."""

import copy

import pytest

from coaching.models import User
from contracts.reviews.compare import compare
from contracts.snapshot import Snapshot, agreement_snapshot
from tests.conftest import make_agreement

pytestmark = pytest.mark.django_db

ATTENDANCE_TO_MANAGER = "Shared: Attendance and session dates with the line manager"


def snapshot_of(coach: User) -> Snapshot:
    return agreement_snapshot(make_agreement(coach=coach, complete=True))


def changed(before: Snapshot, after: Snapshot) -> dict[str, tuple[str, str]]:
    return {change.label: (change.before, change.after) for change in compare(before, after)}


def test_the_same_snapshot_has_no_changes(coach: User) -> None:
    before = snapshot_of(coach)
    assert compare(before, copy.deepcopy(before)) == []


@pytest.mark.parametrize(
    ("field", "value", "before_part", "after_part"),
    [
        ("method", "report", "by email", "by a written report"),
        ("timing", "end", "monthly", "at the end of the engagement"),
        ("prepared_by", "together", "prepared by the coach", "prepared by the coach and the"),
    ],
)
def test_how_when_and_by_whom_a_rule_is_shared_are_each_a_change(
    coach: User, field: str, value: str, before_part: str, after_part: str
) -> None:
    before = snapshot_of(coach)
    after = copy.deepcopy(before)
    after["terms"]["sharing"]["attendance"]["line_manager"][field] = value  # type: ignore[literal-required]

    rows = changed(before, after)

    assert list(rows) == [ATTENDANCE_TO_MANAGER]
    old, new = rows[ATTENDANCE_TO_MANAGER]
    assert old.startswith("Routinely") and before_part in old
    assert new.startswith("Routinely") and after_part in new


def test_leftover_details_of_a_rule_that_shares_nothing_are_not_a_change(coach: User) -> None:
    before = snapshot_of(coach)
    after = copy.deepcopy(before)
    # The builder hides how and when while a cell says "never": what it kept does not apply.
    after["terms"]["sharing"]["content"]["sponsor"]["method"] = "email"
    assert compare(before, after) == []


def test_each_limit_added_reworded_or_removed_is_a_change(coach: User) -> None:
    before = snapshot_of(coach)
    after = copy.deepcopy(before)
    limits = after["terms"]["confidentiality_limits"]
    harm = next(item for item in limits if item["key"] == "harm")
    harm["wording"] = "When there is a risk of serious harm to anyone."
    limits[:] = [item for item in limits if item["key"] != "terrorism"]
    limits.append({"key": "custom-1", "title": "Code of conduct", "wording": "Serious breaches."})

    changes = [(c.before, c.after) for c in compare(before, after)]

    assert all(c.label == "Limit of confidentiality" for c in compare(before, after))
    assert len(changes) == 3
    assert (
        "Risk of serious harm: When there is an imminent or likely risk of serious harm to the "
        "client or to others.",
        "Risk of serious harm: When there is a risk of serious harm to anyone.",
    ) in changes
    assert ("", "Code of conduct: Serious breaches.") in changes
    assert any(old.startswith("Terrorism (United Kingdom)") and new == "" for old, new in changes)


def test_the_parties_details_are_compared(coach: User) -> None:
    before = snapshot_of(coach)
    after = copy.deepcopy(before)
    after["coach"]["phone"] = "+44 20 7946 0000"
    after["coach"]["memberships"] = [{"body": "ICF", "credential": "PCC", "member_number": "123"}]
    after["client"]["email"] = "jamie.new@example.com"
    assert after["sponsor"] is not None and after["signatory"] is not None
    after["sponsor"]["address"] = "1 New Street"
    after["signatory"]["job_title"] = "HR Director"
    after["stakeholders"] = [
        {"name": "Lee", "email": "lee@example.com", "role": "Line manager", "job_title": ""}
    ]

    rows = changed(before, after)

    assert "+44 20 7946 0000" in rows["Coach's contact details"][1]
    assert rows["Coach's professional memberships"] == ("", "ICF, PCC, member 123")
    assert "jamie.new@example.com" in rows["Client's job title and email"][1]
    assert rows["Sponsor's address"] == ("", "1 New Street")
    assert "HR Director" in rows["Signatory's job title and email"][1]
    assert rows["Kept informed"] == ("", "Lee, Line manager (lee@example.com)")
    assert len(rows) == 6, "nothing else changed"
