import pytest
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.drafting.perspectives import Party, document_context
from contracts.snapshot import agreement_snapshot, snapshot_hash
from tests.conftest import make_agreement

pytestmark = pytest.mark.django_db

SENTENCE = "A session cancelled with less than 48 hours' notice counts as a session used."


def document(snapshot: object) -> str:
    return render_to_string("contracts/document.html", document_context(snapshot, Party.COACH))  # type: ignore[arg-type]


def test_the_agreement_states_the_late_cancellation_terms(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    assert SENTENCE in document(agreement_snapshot(agreement))
    agreement.late_cancellation_counts = False
    agreement.late_cancellation_hours = 24
    assert (
        "A session cancelled with less than 24 hours' notice does not count as a session used."
        in document(agreement_snapshot(agreement))
    )


def test_a_version_frozen_without_the_terms_still_renders_and_keeps_its_hash(
    coach: User,
) -> None:
    snapshot = agreement_snapshot(make_agreement(coach=coach, complete=True))
    del snapshot["terms"]["late_cancellation_hours"]
    del snapshot["terms"]["late_cancellation_counts"]
    digest = snapshot_hash(snapshot)
    html = document(snapshot)
    assert "Cancellations and missed sessions" in html and "hours' notice" not in html
    assert snapshot_hash(snapshot) == digest


def test_the_money_step_asks_for_the_late_cancellation_terms(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach)
    page = signed_in.get(reverse("contracts:agreement-step", args=[agreement.pk, "fees"]))
    text = page.content.decode()
    assert 'name="late_cancellation_hours"' in text and 'value="48"' in text
    assert "Yes: it counts as a session used" in text
