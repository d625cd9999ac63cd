"""The agreement's page checks only the audit events added since its trail was last
checked; whole trails are checked by `verify_audit` and a few at a time by the scheduler."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from coaching.models import User
from contracts.audit import check_new_events, record_event
from contracts.models import Agreement, AuditEvent, AuditEventKind, TrailCheck
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db
ALTERED = "The audit trail of this agreement has been altered."


def _tamper(sql: str, *params: str | int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _add_events(agreement: Agreement, count: int) -> None:
    for step in range(count):
        record_event(agreement, AuditEventKind.VIEWED, actor="Tester", data={"step": step})


def _events_read(signed_in: HttpClient, agreement: Agreement) -> int:
    """How many audit events a view of the agreement's page reads."""
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(agreement.get_absolute_url()).status_code == 200
    return sum(
        1
        for query in queries
        # A SELECT, or on PostgreSQL the server-side cursor declared for it.
        if 'FROM "contracts_auditevent"' in query["sql"]
        and '"contracts_auditevent"."hash"' in query["sql"]
    )


def test_the_page_checks_each_event_once_and_then_only_those_added_since(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = send_agreement(coach).agreement
    _add_events(agreement, 40)
    assert _events_read(signed_in, agreement) == 1
    agreement.refresh_from_db()
    mark = TrailCheck.objects.get(agreement=agreement)
    assert (mark.seq, mark.hash) == (agreement.audit_count, agreement.audit_head)

    with CaptureQueriesContext(connection) as queries:
        report = check_new_events(agreement)
    assert report.intact
    checked = [q for q in queries if '"contracts_auditevent"."hash"' in q["sql"]]
    assert len(checked) == 1  # it asked for events after the mark, and found none

    _add_events(agreement, 3)
    assert check_new_events(agreement).intact
    agreement.refresh_from_db()
    assert TrailCheck.objects.get(agreement=agreement).seq == agreement.audit_count


def test_an_event_changed_after_the_last_check_shows_on_the_page(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = send_agreement(coach).agreement
    assert ALTERED not in signed_in.get(agreement.get_absolute_url()).content.decode()
    _add_events(agreement, 2)
    newest = AuditEvent.objects.filter(agreement=agreement).order_by("-seq").first()
    assert newest is not None
    _tamper("UPDATE contracts_auditevent SET actor = %s WHERE id = %s", "Someone", newest.pk)
    assert ALTERED in signed_in.get(agreement.get_absolute_url()).content.decode()


def test_a_cut_tail_shows_on_the_page_even_when_everything_left_was_checked(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = send_agreement(coach).agreement
    _add_events(agreement, 3)
    signed_in.get(agreement.get_absolute_url())
    agreement.refresh_from_db()
    _tamper(
        "DELETE FROM contracts_auditevent WHERE agreement_id = %s AND seq = %s",
        agreement.pk,
        agreement.audit_count,
    )
    page = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert ALTERED in page


def test_an_old_event_changed_is_found_by_the_whole_check_and_then_shown_on_the_page(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = send_agreement(coach).agreement
    signed_in.get(agreement.get_absolute_url())  # checked up to here
    first = AuditEvent.objects.get(agreement=agreement, seq=1)
    _tamper("UPDATE contracts_auditevent SET actor = %s WHERE id = %s", "Someone", first.pk)
    # The page alone checks only what was added since: the old event is for the whole check.
    assert ALTERED not in signed_in.get(agreement.get_absolute_url()).content.decode()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert ALTERED in signed_in.get(agreement.get_absolute_url()).content.decode()


def test_the_scheduler_checks_whole_trails_and_the_page_then_shows_what_it_found(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = send_agreement(coach).agreement
    signed_in.get(agreement.get_absolute_url())
    first = AuditEvent.objects.get(agreement=agreement, seq=1)
    _tamper("UPDATE contracts_auditevent SET actor = %s WHERE id = %s", "Someone", first.pk)
    call_command("send_reminders")
    mark = TrailCheck.objects.get(agreement=agreement)
    assert mark.full_check_at is not None
    assert mark.problems == ["Event 1 (Version frozen) was changed."]
    assert ALTERED in signed_in.get(agreement.get_absolute_url()).content.decode()


def test_an_intact_whole_check_moves_the_mark_to_the_end_of_the_trail(coach: User) -> None:
    agreement = send_agreement(coach).agreement
    _add_events(agreement, 5)
    call_command("send_reminders")
    agreement.refresh_from_db()
    mark = TrailCheck.objects.get(agreement=agreement)
    assert (mark.seq, mark.hash, mark.problems) == (
        agreement.audit_count,
        agreement.audit_head,
        [],
    )


@pytest.mark.parametrize("extra", [0, 150])
def test_the_agreement_page_asks_the_same_queries_however_long_the_trail(
    coach: User, signed_in: HttpClient, extra: int, django_assert_num_queries: object
) -> None:
    agreement = send_agreement(coach).agreement
    _add_events(agreement, extra)
    signed_in.get(agreement.get_absolute_url())  # the first view checks every event once
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(agreement.get_absolute_url()).status_code == 200
    assert len(queries) == DETAIL_PAGE_QUERIES


# Pinned: a new query on the agreement's page is a decision, not an accident.
DETAIL_PAGE_QUERIES = 16


def test_the_scheduler_checks_the_trails_checked_longest_ago_first(
    coach: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contracts.management.commands.send_reminders.TRAILS_CHECKED_PER_PASS", 1)
    first = send_agreement(coach).agreement
    second = send_agreement(coach).agreement
    call_command("send_reminders")
    assert list(TrailCheck.objects.values_list("agreement_id", flat=True)) == [first.pk]
    call_command("send_reminders")
    call_command("send_reminders")
    checked = TrailCheck.objects.order_by("full_check_at").values_list("agreement_id", flat=True)
    assert list(checked) == [second.pk, first.pk]
