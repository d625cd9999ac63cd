"""The coach dates the meeting plan, invites the three parties with a calendar request,
reschedules (the calendars update the same event), and records what was agreed."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
import time_machine
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, Settings

from coaching.models import User
from contracts.engagement.meetings import services
from contracts.engagement.meetings.forms import MeetingForm
from contracts.models import (
    AgreementStatus,
    AuditEvent,
    AuditEventKind,
    EmailKind,
    EmailState,
    MeetingKind,
    OutgoingEmail,
    SignerRole,
    ThreeWayMeeting,
)
from contracts.outbox import email_attempt, email_queue
from tests.conftest import make_agreement
from tests.contracts.conftest import Inbox
from tests.contracts.engagement.meetings.helpers import in_force, matrix, party, plan
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db

MIDPOINT_AT = datetime(2027, 4, 6, 9, 30, tzinfo=UTC)


def form(prefix: str, **values: str) -> dict[str, str]:
    return {f"{prefix}-{name}": value for name, value in values.items()}


def calendar_of(message: EmailMessage) -> dict[str, list[str]]:
    """The .ics attached to an email, unfolded, as property name -> values."""
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    raw = part.get_payload(decode=True)
    assert isinstance(raw, bytes)
    # Mail transports carry text parts with the reader's line endings: both are accepted.
    unfolded = re.sub(r"\r?\n[ \t]", "", raw.decode())
    properties: dict[str, list[str]] = {}
    for line in unfolded.splitlines():
        if line:
            name, _, value = line.partition(":")
            properties.setdefault(name.split(";")[0], []).append(value)
    return properties


def test_the_coach_plans_a_meeting_in_their_own_time_zone(
    coach: User, signed_in: HttpClient
) -> None:
    coach.profile.time_zone = "America/New_York"
    coach.profile.save()
    version = in_force(coach)
    agreement = version.agreement

    response = signed_in.post(
        reverse("contracts:meeting-plan", args=[agreement.pk]),
        {
            "slot": "midpoint",
            **form(
                "new-midpoint",
                kind="midpoint",
                day="2027-04-06",
                time="09:30",
                minutes="45",
                location="https://video.example/r/abc",
            ),
        },
    )

    assert response.status_code == 302
    meeting = agreement.meetings.get()
    assert meeting.kind == MeetingKind.MIDPOINT
    assert meeting.starts_at == datetime(2027, 4, 6, 13, 30, tzinfo=UTC), "09:30 in New York"
    assert meeting.minutes == 45
    assert meeting.version == version
    event = AuditEvent.objects.get(agreement=agreement, kind=AuditEventKind.MEETING_PLANNED)
    assert event.data["kind"] == "midpoint"
    page = signed_in.get(reverse("contracts:meetings", args=[agreement.pk])).content.decode()
    assert "Tuesday 6 April 2027, 09:30" in page
    assert "America/New_York" in page


def test_it_refuses_a_mid_point_before_the_coaching_starts_but_not_a_contracting_meeting(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach).agreement  # the coaching starts on 11 January 2027
    url = reverse("contracts:meeting-plan", args=[agreement.pk])
    fields = {"day": "2027-01-04", "time": "10:00", "minutes": "60", "location": "Room 4"}

    refused = signed_in.post(
        url, {"slot": "midpoint", **form("new-midpoint", kind="midpoint", **fields)}
    )
    accepted = signed_in.post(
        url, {"slot": "contracting", **form("new-contracting", kind="contracting", **fields)}
    )

    assert refused.status_code == 400
    assert "That is before the coaching starts (11 January 2027)" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(agreement.meetings.values_list("kind", flat=True)) == ["contracting"]


def test_it_refuses_a_meeting_after_the_coaching_ends(coach: User) -> None:
    version = in_force(coach)

    with pytest.raises(services.MeetingError, match="after the coaching ends"):
        plan(version, MeetingKind.CLOSE, datetime(2027, 7, 12, 9, tzinfo=UTC))


def test_it_plans_each_standard_meeting_once(coach: User) -> None:
    version = in_force(coach)
    plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)

    with pytest.raises(services.MeetingError, match="already planned"):
        plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)
    plan(version, MeetingKind.OTHER, MIDPOINT_AT)
    plan(version, MeetingKind.OTHER, MIDPOINT_AT)
    assert version.agreement.meetings.count() == 3


def test_it_warns_when_the_close_comes_before_the_mid_point(
    coach: User, signed_in: HttpClient
) -> None:
    version = in_force(coach)
    plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)

    response = signed_in.post(
        reverse("contracts:meeting-plan", args=[version.agreement.pk]),
        {
            "slot": "close",
            **form(
                "new-close",
                kind="close",
                day="2027-03-01",
                time="10:00",
                minutes="60",
                location="Room 4",
            ),
        },
        follow=True,
    )

    assert "The closing meeting is before the mid-point review." in response.content.decode()


def test_meetings_wait_for_the_agreement_to_be_sent_and_need_a_sponsor(coach: User) -> None:
    draft = make_agreement(coach=coach, complete=True)
    private = make_agreement(coach=coach, sponsored=False, complete=True)
    sent = send_agreement(coach)

    for agreement in (draft, private):
        with pytest.raises(services.MeetingError, match="sent for signature"):
            services.meeting_plan(
                agreement=agreement,
                coach=coach,
                kind=MeetingKind.CONTRACTING,
                starts_at=MIDPOINT_AT,
                minutes=60,
                location="Room 4",
            )
    assert sent.agreement.status == AgreementStatus.SENT
    assert plan(sent, MeetingKind.CONTRACTING, datetime(2027, 1, 5, 10, tzinfo=UTC)).pk


def test_invitations_reach_the_three_parties_with_a_calendar_request(
    coach: User, signed_in: HttpClient, smtp_inbox: Inbox
) -> None:
    version = in_force(
        coach,
        goals=[{"goal": "Delegate the weekly planning", "measure": "Team survey"}],
        sharing=matrix(progress=("consent", "meeting", "midpoint_and_end")),
    )
    agreement = version.agreement
    meeting = plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT, location="Room 4; floor 2")
    smtp_inbox.wait_for(2)  # the invitations to sign
    smtp_inbox.messages.clear()

    response = signed_in.post(
        reverse("contracts:meeting-invite", args=[agreement.pk, meeting.pk]), follow=True
    )

    assert "3 invitations are on their way" in response.content.decode()
    messages = smtp_inbox.wait_for(3)
    addresses = sorted(m["To"] for m in messages)
    assert addresses == sorted(
        party(version, role).email
        for role in (SignerRole.CLIENT, SignerRole.SPONSOR, SignerRole.COACH)
    )
    for message in messages:
        assert message["Subject"].strip().startswith("Mid-point review with Alex Morgan")
        ics = calendar_of(message)
        assert ics["METHOD"] == ["REQUEST"]
        assert ics["UID"] == [f"meeting-{meeting.pk}@{ics['UID'][0].split('@')[1]}"]
        assert ics["SEQUENCE"] == ["0"]
        assert ics["DTSTART"] == ["20270406T093000Z"]
        assert ics["DTEND"] == ["20270406T103000Z"]
        assert ics["LOCATION"] == ["Room 4\\; floor 2"]
        assert ics["SUMMARY"] == ["Alex Morgan Coaching: Mid-point review"]
        calendar_text = " ".join(ics["SUMMARY"] + ics["DESCRIPTION"])
        assert agreement.client.name not in calendar_text
        assert "Delegate" not in calendar_text, "no term of the agreement in the calendar"
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert "Delegate the weekly planning" in text, "the agenda is in the email"
        assert "Progress against the agreed goals, with the sponsor (HR) and the line" in text
        assert "The coach's notes: kept between the coach and the client, always" in text
    assert (
        OutgoingEmail.objects.filter(meeting=meeting, kind=EmailKind.MEETING_INVITATION).count()
        == 3
    )
    meeting.refresh_from_db()
    assert meeting.invited_at is not None


def test_a_reschedule_sends_the_same_event_one_sequence_higher(
    coach: User, signed_in: HttpClient
) -> None:
    version = in_force(coach)
    agreement = version.agreement
    meeting = plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)
    services.meeting_invite(meeting=meeting, coach=coach)
    first = {m.to[0]: m for m in mail.outbox}
    mail.outbox.clear()

    response = signed_in.post(
        reverse("contracts:meeting-change", args=[agreement.pk, meeting.pk]),
        form(
            f"m{meeting.pk}",
            kind="midpoint",
            day="2027-04-08",
            time="14:00",
            minutes="60",
            location="Room 4, Northwind House",
            revision="1",
        ),
        follow=True,
    )

    assert "everyone is sent the update" in response.content.decode()
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        before = calendar_of(first[message.to[0]].message())
        after = calendar_of(message.message())
        assert after["UID"] == before["UID"]
        assert (before["SEQUENCE"], after["SEQUENCE"]) == (["0"], ["1"])
        assert after["DTSTART"] == ["20270408T130000Z"], "14:00 in London, summer time"
        assert message.subject.startswith("Changed: Mid-point review")
    assert (
        AuditEvent.objects.filter(agreement=agreement, kind=AuditEventKind.MEETING_PLANNED).count()
        == 2
    )


def test_a_change_made_from_a_stale_page_is_refused(coach: User) -> None:
    version = in_force(coach)
    meeting = plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)
    services.meeting_change(
        meeting=meeting,
        coach=coach,
        revision=1,
        starts_at=datetime(2027, 4, 7, 9, tzinfo=UTC),
        minutes=60,
        location="Room 5",
    )

    with pytest.raises(services.MeetingChanged):
        services.meeting_change(
            meeting=meeting,
            coach=coach,
            revision=1,
            starts_at=datetime(2027, 4, 9, 9, tzinfo=UTC),
            minutes=60,
            location="Room 6",
        )
    meeting.refresh_from_db()
    assert (meeting.location, meeting.revision) == ("Room 5", 2)


def test_an_unsent_invitation_is_dropped_when_an_update_follows_it(
    coach: User, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    version = in_force(coach)
    meeting = plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)
    client = party(version, SignerRole.CLIENT)
    older = email_queue(kind=EmailKind.MEETING_INVITATION, signer=client, meeting=meeting)
    newer = email_queue(kind=EmailKind.MEETING_INVITATION, signer=client, meeting=meeting)

    assert email_attempt(older.pk) == EmailState.CANCELLED
    assert email_attempt(newer.pk) == EmailState.SENT
    assert [m.to for m in mail.outbox] == [[client.email]]


def test_the_agreed_note_waits_for_the_meeting_and_survives_a_concurrent_edit(
    coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    version = in_force(coach)
    agreement = version.agreement
    meeting = plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)
    base = services.note_base(meeting)

    with pytest.raises(services.MeetingError, match="not taken place yet"):
        services.meeting_record_agreed(meeting=meeting, coach=coach, note="Too early", base=base)

    with time_machine.travel("2027-04-06 11:00Z"):
        signed_in = sign_in(coach)
        url = reverse("contracts:meeting-agreed", args=[agreement.pk, meeting.pk])
        saved = signed_in.post(
            url,
            form(f"note{meeting.pk}", agreed_note="Check in again in May.", base=base),
            follow=True,
        )
        stale = signed_in.post(
            url,
            form(f"note{meeting.pk}", agreed_note="Another version", base=base),
            follow=True,
        )

    assert "The client and the sponsor can read it" in saved.content.decode()
    assert "The note was changed since you opened the page" in stale.content.decode()
    meeting.refresh_from_db()
    assert meeting.agreed_note == "Check in again in May."
    assert meeting.revision == 1, "the calendar sequence does not move for a note"
    event = AuditEvent.objects.get(agreement=agreement, kind=AuditEventKind.MEETING_NOTE)
    assert "Check in" not in str(event.data)
    assert ThreeWayMeeting.objects.get(pk=meeting.pk).agreed_recorded_at is not None


def test_the_hub_panel_lists_dated_meetings_and_those_still_to_date(coach: User) -> None:
    version = in_force(coach)
    plan(version, MeetingKind.MIDPOINT, MIDPOINT_AT)

    context = services.panel(agreement=version.agreement)
    html = render_to_string("contracts/engagement/meetings/_panel.html", context)

    assert "Mid-point review: 6 April 2027" in html
    assert "Not dated yet: contracting meeting, closing meeting." in html
    assert reverse("contracts:meetings", args=[version.agreement.pk]) in html


def test_the_meetings_page_reads_a_bounded_number_of_queries(
    coach: User,
    signed_in: HttpClient,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    version = in_force(coach)
    for kind, day in [(MeetingKind.MIDPOINT, 6), (MeetingKind.CLOSE, 8), (MeetingKind.OTHER, 9)]:
        meeting = plan(version, kind, datetime(2027, 4, day, 9, tzinfo=UTC))
        services.meeting_invite(meeting=meeting, coach=coach)
    url = reverse("contracts:meetings", args=[version.agreement.pk])

    with django_assert_max_num_queries(12):
        page = signed_in.get(url).content.decode()

    assert page.count("Send the invitations again") == 3


def test_a_meeting_time_the_clocks_skip_is_refused_next_to_the_time() -> None:
    form = MeetingForm(
        data={"kind": "other", "day": "2027-03-28", "time": "01:30", "minutes": "60"},
        time_zone="Europe/London",
        version=None,
    )
    assert not form.is_valid()
    assert "01:30 does not exist on 28 March 2027 in Europe/London" in form.errors["time"][0]
