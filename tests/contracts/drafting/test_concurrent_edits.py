"""Two tabs, or two people, editing one draft: nothing typed is lost, nothing is
overwritten unseen, and a sent agreement never turns back into a draft."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.drafting import services
from contracts.drafting.builder import find_step, step_form
from contracts.drafting.concurrency import NotADraft
from contracts.models import Agreement, AgreementStatus
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db

STALE = "changed in another tab or by another person"


class Tab:
    """One browser tab showing one step of the builder, as it was when opened."""

    def __init__(self, http: HttpClient, agreement: Agreement, step: str) -> None:
        self.http = http
        self.url = reverse("contracts:agreement-step", args=[agreement.pk, step])
        self.data = form_data(http.get(self.url).content.decode())

    def save(self, **answers: str) -> tuple[int, str]:
        response = self.http.post(self.url, {**self.data, **answers})
        return response.status_code, response.content.decode()


def save_step_from(loaded: Agreement, step: str, coach: User, **answers: str) -> None:
    """Save a step through the service as a request does that loaded `loaded` earlier."""
    current = find_step(loaded, step)
    assert current is not None
    data = {**form_data_of(loaded, step, coach), **answers}
    form = step_form(current, loaded, coach=coach, data=data)
    assert form.is_valid(), form.errors
    services.terms_save_step(
        terms=form.save(commit=False),
        step_key=step,
        fields=form.step_fields(),
        seen=form.cleaned_data["seen"],
    )


def test_two_tabs_on_two_steps_both_keep_their_work(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    goals, roles = Tab(signed_in, agreement, "goals"), Tab(signed_in, agreement, "roles")

    assert roles.save(coach_responsibilities="Keep every session on time.")[0] == 302
    assert goals.save(goal_0="Lead the merged team", measure_0="Team survey")[0] == 302

    agreement.refresh_from_db()
    assert agreement.coach_responsibilities == "Keep every session on time."
    assert agreement.goals[0] == {"goal": "Lead the merged team", "measure": "Team survey"}


def test_a_step_saved_while_another_was_saved_writes_only_its_own_answers(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    # The goals request has loaded the agreement when the roles request saves.
    loaded = Agreement.objects.get(pk=agreement.pk)
    assert Tab(signed_in, agreement, "roles").save(coach_responsibilities="On time.")[0] == 302
    save_step_from(loaded, "goals", coach, goal_0="Lead the merged team")

    agreement.refresh_from_db()
    assert agreement.coach_responsibilities == "On time."
    assert agreement.goals[0]["goal"] == "Lead the merged team"


def test_a_stale_save_of_the_same_step_is_refused_and_shows_the_input_back(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    first, second = Tab(signed_in, agreement, "goals"), Tab(signed_in, agreement, "goals")
    assert second.save(goal_0="Delegate more", measure_0="Two projects handed over")[0] == 302

    status, page = first.save(goal_0="Speak up in board meetings", measure_0="Board feedback")

    assert status == 409
    assert f"{STALE} since you opened it (Goals)" in page, "says so, and names what changed"
    assert "Speak up in board meetings" in page, "what was typed is shown back"
    agreement.refresh_from_db()
    assert agreement.goals[0]["goal"] == "Delegate more", "the other tab's save stands"

    again = form_data(page)  # the page shown back answers the saved version now
    assert signed_in.post(first.url, again).status_code == 302
    agreement.refresh_from_db()
    assert agreement.goals[0]["goal"] == "Speak up in board meetings"


def test_a_stale_tab_cannot_turn_a_sent_agreement_back_into_a_draft(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    stale = Agreement.objects.get(pk=agreement.pk)  # loaded by a tab before sending
    signing.agreement_send(agreement=agreement, coach=coach)

    with pytest.raises(NotADraft):
        save_step_from(stale, "roles", coach, coach_responsibilities="Changed")

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SENT
    assert agreement.coach_responsibilities != "Changed"


def form_data_of(agreement: Agreement, step: str, coach: User) -> dict[str, str]:
    current = find_step(agreement, step)
    assert current is not None
    form = step_form(current, agreement, coach=coach)
    return {
        name: str(form[name].value())
        for name in form.fields
        if form[name].value() not in (None, False, [])
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_people_saving_the_same_step_at_once_one_wins_the_other_is_told(
    coach: User,
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    browsers = [HttpClient(), HttpClient()]
    for browser in browsers:
        browser.force_login(coach)
    tabs = [Tab(browser, agreement, "goals") for browser in browsers]
    start = threading.Barrier(2, timeout=30)

    def save(number: int) -> int:
        try:
            start.wait()
            return tabs[number].save(goal_0=f"Goal from tab {number}")[0]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(save, range(2)))

    assert statuses == [302, 409]
    agreement.refresh_from_db()
    assert agreement.goals[0]["goal"] in {"Goal from tab 0", "Goal from tab 1"}
