"""Each meeting's agenda is drawn from the signed matrix: what is shared at it, and what not."""

import pytest

from coaching.models import User
from contracts.agenda import meeting_agenda
from contracts.models import MeetingKind
from tests.contracts.engagement.meetings.helpers import in_force, matrix

pytestmark = pytest.mark.django_db


def test_it_shares_at_each_meeting_what_the_matrix_times_for_it(coach: User) -> None:
    version = in_force(
        coach,
        sharing=matrix(
            progress=("consent", "meeting", "midpoint_and_end"),
            themes__sponsor=("approved_summary", "meeting", "midpoint"),
            themes__line_manager="never",
            feedback=("routine", "meeting", "end"),
            assessments=("routine", "report", "midpoint"),
        ),
    )

    midpoint = meeting_agenda(version, MeetingKind.MIDPOINT)
    close = meeting_agenda(version, MeetingKind.CLOSE)
    contracting = meeting_agenda(version, MeetingKind.CONTRACTING)

    assert [(i.label, i.recipients, i.condition) for i in midpoint.shared] == [
        (
            "Progress against the agreed goals",
            "the sponsor (HR) and the line manager",
            "only if the client gives written consent at the time",
        ),
        (
            "The general themes of the coaching",
            "the sponsor (HR)",
            "as a summary the client approves first",
        ),
    ]
    assert [i.label for i in close.shared] == [
        "Progress against the agreed goals",
        "Stakeholder feedback gathered for the client",
    ], "themes are timed for the midpoint only; feedback for the end"
    assert contracting.shared == [], "nothing is reported before the coaching starts"
    assert all("Assessment" not in i.label for i in midpoint.shared), "shared by report"


def test_it_names_what_is_never_shared_and_the_protected_kinds(coach: User) -> None:
    version = in_force(coach, sharing=matrix(themes__line_manager="never", intake="never"))

    agenda = meeting_agenda(version, MeetingKind.MIDPOINT)

    not_shared = {item.label: item.reason for item in agenda.not_shared}
    assert not_shared["What is said in coaching sessions"] == (
        "kept between the coach and the client, always"
    )
    assert not_shared["The coach's notes"] == "kept between the coach and the client, always"
    assert not_shared["The general themes of the coaching"] == "never shared with the line manager"
    assert not_shared["Answers to the intake questionnaire"] == (
        "never shared with the sponsor (HR) and the line manager"
    )
    assert "Attendance and session dates" not in not_shared


def test_it_lists_the_agreed_goals(coach: User) -> None:
    version = in_force(
        coach, goals=[{"goal": "Delegate the weekly planning", "measure": "Team survey"}]
    )

    agenda = meeting_agenda(version, MeetingKind.CLOSE)

    assert agenda.goals == [{"goal": "Delegate the weekly planning", "measure": "Team survey"}]
