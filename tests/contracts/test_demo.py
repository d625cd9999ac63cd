import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from coaching.models import Client, Organisation, SponsorContact, User
from contracts.audit import verify_trail
from contracts.drafting.checks import is_ready_to_send
from contracts.management.commands.load_demo import DEMO_EMAIL, DEMO_PASSWORD
from contracts.models import (
    Agreement,
    IntakeStatus,
    MeetingKind,
    ReleaseStatus,
    RequestStatus,
    SessionStatus,
)
from contracts.sponsor.disclosure import verify_disclosures

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_without_duplicates_and_its_login_works(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load_demo")
    call_command("load_demo")

    assert User.objects.count() == 1
    assert Organisation.objects.count() == 1
    assert SponsorContact.objects.count() == 2
    assert Client.objects.count() == 5
    assert Client.objects.filter(organisation__isnull=True).count() == 1
    agreements = {a.client.name: a for a in Agreement.objects.all()}
    assert {name: a.status for name, a in agreements.items()} == {
        "Jordan Ellis": "draft",
        "Sam Okafor": "draft",
        "Riley Chen": "signed",
        "Casey Patel": "partly_signed",
        "Morgan Blake": "signed",
    }
    assert is_ready_to_send(agreements["Jordan Ellis"]), "one three-way draft is ready to send"
    assert not is_ready_to_send(agreements["Sam Okafor"]), "one is still being drafted"
    assert agreements["Riley Chen"].is_two_party
    assert all(verify_trail(a).intact for a in agreements.values())
    morgan = agreements["Morgan Blake"]
    assert morgan.sessions.filter(status=SessionStatus.HELD).count() == 3
    assert morgan.sessions.filter(status=SessionStatus.PLANNED).count() == 1
    assert morgan.notes.count() == 2
    assert morgan.intakes.get().status == IntakeStatus.SUBMITTED
    assert {m.kind for m in morgan.meetings.all()} == {
        MeetingKind.CONTRACTING,
        MeetingKind.MIDPOINT,
    }
    assert morgan.meetings.get(kind=MeetingKind.CONTRACTING).agreed_note
    refused = morgan.requests.get(kind="content")
    assert (refused.level, refused.status) == ("never", RequestStatus.DECLINED)
    assert refused.contact.role == "line_manager" and "will not receive" in refused.answer
    summary = morgan.releases.get()
    assert summary.status == ReleaseStatus.RELEASED and summary.decisions.get().decision == (
        "approved"
    )
    assert morgan.disclosures.get().release == summary
    assert verify_disclosures(morgan.coach).intact
    output = capsys.readouterr().out
    assert DEMO_EMAIL in output and DEMO_PASSWORD in output
    assert HttpClient().login(username=DEMO_EMAIL, password=DEMO_PASSWORD)
    profile = User.objects.get().profile
    assert profile.brand_color == "#6b2d5c", "the demo practice shows its own colour"
    assert (profile.logo_width, profile.logo_height) == (580, 120)
