import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.models import User
from contracts.engagement.sessions import services
from contracts.models import AuditEvent, AuditEventKind, CoachingSession, FeeBasis, SessionStatus
from tests.contracts.engagement.sessions.helpers import at, data, in_force, log
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def form(**values: object) -> dict[str, object]:
    return {
        "day": "2027-02-01",
        "time": "09:00",
        "minutes": "60",
        "format": "video",
        "status": "held",
        **values,
    }


def test_it_counts_held_and_no_shows_but_not_planned_or_rescheduled(coach: User) -> None:
    agreement = in_force(coach)
    log(agreement, at(2027, 2, 1))
    log(agreement, at(2027, 2, 15), status=SessionStatus.NO_SHOW)
    log(agreement, at(2027, 3, 1), status=SessionStatus.RESCHEDULED)
    log(agreement, at(2027, 3, 15), status=SessionStatus.PLANNED)
    terms = services.terms_in_force(agreement)
    usage = services.usage(agreement, terms)
    assert usage.summary == "2 of 6 used, 4 left; 1 planned"
    assert list(agreement.sessions.values_list("counted", flat=True)) == [
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(("counts", "counted"), [(True, True), (False, False)])
def test_a_late_cancellation_counts_as_the_agreement_says(
    coach: User, counts: bool, counted: bool
) -> None:
    agreement = in_force(coach, late_cancellation_counts=counts)
    session = log(agreement, status=SessionStatus.LATE_CANCELLED)
    assert session.counted is counted


def test_an_old_version_without_the_late_cancellation_terms_counts_them(coach: User) -> None:
    agreement = in_force(coach)
    version = agreement.version_in_force()
    assert version is not None
    snapshot = version.snapshot
    del snapshot["terms"]["late_cancellation_counts"]
    del snapshot["terms"]["late_cancellation_hours"]
    type(version).objects.filter(pk=version.pk).update(snapshot=snapshot)
    assert log(agreement, status=SessionStatus.LATE_CANCELLED).counted


def test_it_refuses_a_session_beyond_the_number_agreed_unless_overridden(coach: User) -> None:
    agreement = in_force(coach, session_count=2)
    log(agreement, at(2027, 2, 1))
    log(agreement, at(2027, 2, 15), status=SessionStatus.PLANNED)
    with pytest.raises(services.SessionRefused) as refused:
        log(agreement, at(2027, 3, 1))
    assert refused.value.field == "status"
    assert "provides for 2 sessions, and 2 are already used or planned" in str(refused.value)
    # A rescheduled session takes no place, so it is allowed.
    log(agreement, at(2027, 3, 1), status=SessionStatus.RESCHEDULED)
    extra = log(agreement, at(2027, 3, 8), override_reason="Sponsor agreed an extra session")
    assert extra.override_reason == "Sponsor agreed an extra session"
    event = AuditEvent.objects.filter(kind=AuditEventKind.SESSION_LOGGED).last()
    assert event is not None
    assert event.data["override_reason"] == "Sponsor agreed an extra session"


@pytest.mark.parametrize("day", [date(2027, 1, 10), date(2027, 7, 10)])
def test_it_refuses_a_session_outside_the_engagement_dates(coach: User, day: date) -> None:
    agreement = in_force(coach)
    with pytest.raises(services.SessionRefused) as refused:
        log(agreement, at(day.year, day.month, day.day, 12))
    assert refused.value.field == "day"
    assert AuditEvent.objects.filter(kind=AuditEventKind.SESSION_LOGGED).count() == 0


def test_the_engagement_dates_are_read_in_the_coachs_time_zone(coach: User) -> None:
    coach.profile.time_zone = "America/New_York"
    coach.profile.save()
    agreement = in_force(coach)
    # 9 July, 23:30 in New York is already 10 July in UTC: still within the engagement.
    session = log(agreement, at(2027, 7, 10, 3) + timedelta(minutes=30))
    assert session.pk


def test_only_an_agreement_in_force_takes_sessions(coach: User) -> None:
    sent = send_agreement(coach).agreement
    with pytest.raises(services.NotInForce):
        log(sent)


def test_the_form_takes_the_time_in_the_coachs_zone_and_defaults_from_the_terms(
    coach: User, signed_in: HttpClient
) -> None:
    coach.profile.time_zone = "America/New_York"
    coach.profile.save()
    agreement = in_force(coach, fee_basis=FeeBasis.PRO_BONO, fee_amount=None)
    url = reverse("contracts:sessions", args=[agreement.pk])
    page = signed_in.get(url).content.decode()
    assert 'name="minutes" value="60"' in page
    assert re.search(r'<input type="checkbox" name="pro_bono"[^>]* checked', page)
    assert "In your time zone, America/New_York." in page

    response = signed_in.post(url, form(time="09:00", pro_bono="on"))
    assert response.status_code == 302
    session = CoachingSession.objects.get()
    assert session.starts_at == at(2027, 2, 1, 14)  # 9:00 in New York is 14:00 UTC
    page = signed_in.get(url).content.decode()
    assert "Mon 1 Feb 2027, 09:00" in page
    assert "1 of 6 used, 5 left" in page


def test_a_time_the_clocks_skip_is_refused_next_to_the_field(
    coach: User, signed_in: HttpClient
) -> None:
    coach.profile.time_zone = "America/New_York"
    coach.profile.save()
    agreement = in_force(coach)
    url = reverse("contracts:sessions", args=[agreement.pk])
    response = signed_in.post(url, form(day="2027-03-14", time="02:30"))
    assert response.status_code == 400
    assert "02:30 does not exist on 14 March 2027" in response.content.decode()
    assert not CoachingSession.objects.exists()


def test_the_page_refuses_beyond_the_number_and_accepts_an_override_with_a_reason(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach, session_count=1)
    log(agreement, at(2027, 2, 1))
    url = reverse("contracts:sessions", args=[agreement.pk])
    response = signed_in.post(url, form(day="2027-02-08"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "provides for 1 session, and 1 is already used or planned" in page
    assert 'value="2027-02-08"' in page, "nothing typed is lost"

    response = signed_in.post(url, form(day="2027-02-08", override="on"))
    assert response.status_code == 400
    assert "Say why the session is logged outside the agreement." in response.content.decode()

    response = signed_in.post(
        url, form(day="2027-02-08", override="on", override_reason="Agreed with HR")
    )
    assert response.status_code == 302
    assert agreement.sessions.count() == 2
    assert "Logged outside the agreement: Agreed with HR" in signed_in.get(url).content.decode()


def test_a_stale_edit_is_refused_and_shown_back_unsaved(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)
    session = log(agreement, at(2027, 2, 1), status=SessionStatus.PLANNED)
    url = reverse("contracts:session-edit", args=[agreement.pk, session.pk])
    assert 'name="revision" value="1"' in signed_in.get(url).content.decode()
    # Another tab marks it held meanwhile.
    services.session_change(session=session, coach=coach, data=data(), revision=1)

    response = signed_in.post(url, form(minutes="90", status="planned", revision="1"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed in another tab or by another person" in page
    assert "(status)" in page.replace("(length, status)", "(status)")
    assert 'name="minutes" value="90"' in page, "nothing typed is lost"
    assert 'name="revision" value="2"' in page
    session.refresh_from_db()
    assert (session.status, session.minutes) == (SessionStatus.HELD, 60)

    response = signed_in.post(url, form(minutes="90", status="held", revision="2"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.minutes, session.revision) == (90, 3)
    kinds = list(AuditEvent.objects.filter(agreement=agreement).values_list("kind", flat=True))
    assert kinds[-3:] == [
        AuditEventKind.SESSION_LOGGED,
        AuditEventKind.SESSION_CHANGED,
        AuditEventKind.SESSION_CHANGED,
    ]


def test_marking_a_planned_session_held_does_not_count_it_twice(coach: User) -> None:
    agreement = in_force(coach, session_count=1)
    session = log(agreement, status=SessionStatus.PLANNED)
    changed = services.session_change(session=session, coach=coach, data=data(), revision=1)
    assert changed.counted


def test_a_session_is_removed_and_the_trail_keeps_it(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach)
    session = log(agreement)
    url = reverse("contracts:session-delete", args=[agreement.pk, session.pk])
    assert signed_in.post(url, {"revision": "0"}).status_code == 302
    assert agreement.sessions.count() == 1, "a stale removal is refused"
    assert signed_in.post(url, {"revision": "1"}).status_code == 302
    assert agreement.sessions.count() == 0
    event = AuditEvent.objects.filter(kind=AuditEventKind.SESSION_CHANGED).get()
    assert event.data["deleted"] is True


def test_the_audit_trail_holds_no_free_text_but_the_override_reason(coach: User) -> None:
    agreement = in_force(coach)
    log(agreement)
    event = AuditEvent.objects.get(kind=AuditEventKind.SESSION_LOGGED)
    assert set(event.data) == {
        "session",
        "starts_at",
        "minutes",
        "format",
        "status",
        "pro_bono",
        "counted",
    }


def test_the_panel_says_sessions_used_left_and_planned(coach: User) -> None:
    agreement = in_force(coach)
    for day in (1, 8, 15, 22):
        log(agreement, at(2027, 2, day))
    log(agreement, at(2027, 3, 1), status=SessionStatus.PLANNED)
    context = services.panel(agreement=agreement)
    assert context["usage"].summary == "4 of 6 used, 2 left; 1 planned"
    from django.template.loader import render_to_string

    html = render_to_string("contracts/engagement/sessions/_panel.html", context)
    assert "4 of 6 used, 2 left; 1 planned" in html
    assert f"/agreements/{agreement.pk}/sessions/" in html


def test_the_sessions_page_takes_as_many_queries_with_many_sessions(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach, session_count=40)
    url = reverse("contracts:sessions", args=[agreement.pk])
    log(agreement, at(2027, 2, 1))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(url).status_code == 200
        return len(captured)

    few = queries()
    for day in range(2, 20):
        log(agreement, at(2027, 3, day), status=SessionStatus.PLANNED)
    assert queries() == few
    assert few <= 9


def test_another_coach_cannot_reach_a_session(
    coach: User, other_coach: User, sign_in: object
) -> None:
    agreement = in_force(coach)
    session = log(agreement)
    other = in_force(other_coach)
    http = HttpClient()
    http.force_login(other_coach)
    # Their own agreement, with this coach's session: not found either.
    url = reverse("contracts:session-edit", args=[other.pk, session.pk])
    assert http.get(url).status_code == 404
