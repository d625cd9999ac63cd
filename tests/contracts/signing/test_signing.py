import base64
import hashlib
import re
import struct
import zlib

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import (
    Agreement,
    AgreementStatus,
    AuditEvent,
    AuditEventKind,
    SignerRole,
    SignerStatus,
    SigningLink,
    SigningOrder,
)
from contracts.signing import services as signing
from contracts.signing.reminders import send_signing_reminders
from contracts.snapshot import snapshot_hash
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import (
    confirmations,
    link_for,
    send_agreement,
    sign_as_coach,
    sign_by_link,
    signer,
    sponsor_email,
)

pytestmark = pytest.mark.django_db


def kinds(agreement: Agreement) -> list[str]:
    return list(AuditEvent.objects.filter(agreement=agreement).values_list("kind", flat=True))


def test_sending_freezes_a_version_and_emails_each_party_their_own_link(coach: User) -> None:
    version = send_agreement(coach, observers=1)
    agreement = version.agreement
    assert agreement.status == AgreementStatus.SENT
    assert version.number == 1
    assert version.sha256 == snapshot_hash(version.snapshot)
    assert (
        version.sha256
        == hashlib.sha256(
            __import__("contracts.snapshot", fromlist=["x"]).canonical_json(version.snapshot)
        ).hexdigest()
    )
    roles = {s.role: s.status for s in version.signers.all()}
    assert roles == {
        "client": "invited",
        "sponsor": "invited",
        "coach": "invited",
        "observer": "copied",
    }
    observer = signer(version, SignerRole.OBSERVER)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([agreement.client.email, sponsor_email(version), observer.email])
    for message in mail.outbox:
        assert agreement.client.name not in message.subject
        assert agreement.title not in message.subject
        assert coach.full_name in message.subject
    assert link_for(agreement.client.email).startswith("/sign/")
    assert link_for(observer.email, "copy").startswith("/copy/")
    assert kinds(agreement)[:2] == ["version_frozen", "sent"]
    assert kinds(agreement).count("email_handed_over") == 3


def test_an_incomplete_agreement_cannot_be_sent(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach)
    with pytest.raises(signing.SigningError, match="checklist"):
        signing.agreement_send(agreement=agreement, coach=coach)
    response = signed_in.post(reverse("contracts:agreement-send", args=[agreement.pk]), {})
    assert "open item" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_links_carry_256_random_bits_and_only_their_hash_is_stored(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    token = path.split("/")[2]
    assert len(token) >= 43
    stored = SigningLink.objects.get(signer=signer(version, SignerRole.CLIENT))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not SigningLink.objects.filter(token_hash=token).exists()


def test_the_signed_text_is_the_frozen_one_whatever_changes_later(coach: User) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    client = agreement.client
    client.name = "Renamed Later"
    client.save()
    page = HttpClient().get(link_for(client.email)).content.decode()
    assert "Renamed Later" not in page
    assert version.snapshot["client"]["name"] in page
    assert version.fingerprint in page


def test_the_signing_page_shows_the_readers_view_and_records_the_visit(coach: User) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    page = HttpClient().get(link_for(sponsor_email(version))).content.decode()
    assert "You will not receive what is said in coaching sessions." in page
    assert "you confirm that you are authorised to sign it for" in page
    assert "I understand: Risk of serious harm." in page
    assert "Using electronic records and signatures" in page
    assert "viewed" in kinds(agreement)
    assert signer(version, SignerRole.SPONSOR).first_viewed_at is not None


def test_every_confirmation_is_required_and_explained_next_to_it(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(sponsor_email(version))
    data = confirmations(HttpClient(), path)
    data.pop("limit_harm")
    data.pop("share_line_manager")
    response = HttpClient().post(path, {**data, "typed_name": "Priya Shah"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["limit_harm"] == [
        "Confirm that you understand this limit: Risk of serious harm."
    ]
    assert errors["share_line_manager"] == [
        "Confirm that you understand what Jamie Client's line manager will and will not receive."
    ]
    assert signer(version, SignerRole.SPONSOR).status == SignerStatus.INVITED


def test_all_three_sign_and_the_agreement_completes_with_copies_for_everyone(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach, observers=1)
    agreement = version.agreement
    response = sign_by_link(link_for(agreement.client.email), name="Jamie Client")
    assert response["Location"] == reverse("contracts:signed")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.PARTLY_SIGNED

    sign_by_link(link_for(sponsor_email(version)), name="Harper HR")
    mail.outbox.clear()
    assert sign_as_coach(signed_in, agreement).status_code == 302

    agreement.refresh_from_db()
    version.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert version.completed_at is not None
    assert kinds(agreement).count("completed") == 1
    assert len(mail.outbox) == 4, "client, sponsor, coach and the copied stakeholder"
    client_copy = link_for(agreement.client.email, "copy")
    page = HttpClient().get(client_copy).content.decode()
    assert "Your copy of the coaching agreement" in page
    assert f"Client: {agreement.client.name} — signed" in page
    assert f"Coach: {coach.full_name} — signed" in page
    detail = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert "Signed by everyone" in detail


def test_everyone_is_emailed_the_audit_trails_head_at_completion(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach, observers=1)
    agreement = version.agreement
    sign_by_link(link_for(agreement.client.email), name="Jamie Client")
    sign_by_link(link_for(sponsor_email(version)), name="Harper HR")
    mail.outbox.clear()
    sign_as_coach(signed_in, agreement)

    completed = AuditEvent.objects.get(version=version, kind=AuditEventKind.COMPLETED)
    fingerprint = f"{completed.hash[:4]} {completed.hash[4:8]} {completed.hash[8:12]}".upper()
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert f"Audit trail: event {completed.seq}, fingerprint {fingerprint}" in message.body


def test_evidence_of_each_signature_is_kept(coach: User) -> None:
    version = send_agreement(coach)
    client = signer(version, SignerRole.CLIENT)
    path = link_for(client.email)
    http = HttpClient(HTTP_USER_AGENT="Evidence Browser/1.0", REMOTE_ADDR="203.0.113.9")
    data = {**confirmations(http, path), "typed_name": "Jamie Q. Client"}
    http.post(path, data)
    client.refresh_from_db()
    assert client.status == SignerStatus.SIGNED
    assert client.typed_name == "Jamie Q. Client"
    assert client.ip_address == "203.0.113.9"
    assert client.user_agent == "Evidence Browser/1.0"
    assert client.disclosure_version and client.disclosure_accepted_at
    assert client.intent == "Sign the agreement"
    limits = len(version.snapshot["terms"]["confidentiality_limits"])
    events = AuditEvent.objects.filter(signer=client)
    assert events.filter(kind=AuditEventKind.LIMIT_CONFIRMED).count() == limits
    assert events.filter(kind=AuditEventKind.SHARING_CONFIRMED).count() >= 1
    signed = events.get(kind=AuditEventKind.SIGNED)
    assert signed.version_hash == version.sha256
    assert signed.ip_address == "203.0.113.9"


def _png(width: int = 40, height: int = 20) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00\x00\x00\xff" * width for _ in range(height))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    png += chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_a_drawn_signature_is_kept_and_a_bad_one_refused(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    response = sign_by_link(path, drawn_signature="data:image/png;base64,bm90IGEgcG5n")
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()

    sign_by_link(path, drawn_signature=_png())
    client = signer(version, SignerRole.CLIENT)
    assert client.drawn_signature is not None
    assert bytes(client.drawn_signature).startswith(b"\x89PNG")


def test_a_used_link_says_so_kindly(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    sign_by_link(path)
    response = HttpClient().get(path)
    assert response.status_code == 410
    assert "You have already signed" in response.content.decode()
    again = sign_by_link(path)
    assert again.status_code == 410


def test_an_expired_link_says_so_and_how_to_get_another(coach: User) -> None:
    with time_machine.travel("2026-11-22 09:00Z", tick=False):
        version = send_agreement(coach)
        path = link_for(version.agreement.client.email)
    with time_machine.travel("2026-12-06 09:01Z", tick=False):
        response = HttpClient().get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_an_unknown_link_is_a_friendly_404(db: None) -> None:
    response = HttpClient().get(reverse("contracts:sign", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "We could not find this link" in response.content.decode()


def test_guessing_links_is_throttled(db: None) -> None:
    http = HttpClient()
    statuses = [
        http.get(reverse("contracts:sign", args=[f"guess-{n}"])).status_code for n in range(22)
    ]
    assert statuses[:20] == [404] * 20
    assert statuses[-1] == 429


def test_declining_stops_the_version_and_tells_the_coach_why(coach: User) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    sponsor_path = link_for(sponsor_email(version))
    client_path = link_for(agreement.client.email)
    mail.outbox.clear()

    empty = HttpClient().post(reverse("contracts:sign-decline", args=[client_path.split("/")[2]]))
    assert "Tell the coach why" in empty.content.decode()

    token = client_path.split("/")[2]
    response = HttpClient().post(
        reverse("contracts:sign-decline", args=[token]), {"reason": "The fee is wrong."}
    )
    assert "You declined to sign" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DECLINED
    assert [m.to for m in mail.outbox] == [[coach.email], [sponsor_email(version)]]
    assert "The fee is wrong." in str(mail.outbox[0].body)
    assert "The fee is wrong." not in mail.outbox[0].subject
    assert "The fee is wrong." not in str(mail.outbox[1].body), "the reason is the coach's"
    gone = HttpClient().get(sponsor_path)
    assert gone.status_code == 410
    assert "This agreement was declined and is not in force" in gone.content.decode()


def test_voiding_kills_links_tells_the_parties_and_a_new_version_can_follow(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    path = link_for(agreement.client.email)
    mail.outbox.clear()
    url = reverse("contracts:agreement-void", args=[agreement.pk])
    assert "Give a reason" in signed_in.post(url, {}).content.decode()
    signed_in.post(url, {"reason": "Wrong sponsor contact."})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.VOIDED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [agreement.client.email, sponsor_email(version)]
    )
    assert HttpClient().get(path).status_code == 410

    signed_in.post(reverse("contracts:agreement-reopen", args=[agreement.pk]))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    second = signing.agreement_send(agreement=agreement, coach=coach)
    assert second.number == 2
    assert kinds(agreement).count("version_frozen") == 2


def test_ordered_signing_invites_one_party_at_a_time(coach: User, signed_in: HttpClient) -> None:
    version = send_agreement(coach, signing_order=SigningOrder.SPONSOR_FIRST)
    agreement = version.agreement
    statuses = {s.role: s.status for s in version.signers.all()}
    assert statuses == {"sponsor": "invited", "client": "waiting", "coach": "waiting"}
    assert [m.to[0] for m in mail.outbox] == [sponsor_email(version)]
    assert sign_as_coach(signed_in, agreement).status_code == 302
    assert signer(version, SignerRole.COACH).status == SignerStatus.WAITING

    sign_by_link(link_for(sponsor_email(version)))
    assert signer(version, SignerRole.CLIENT).status == SignerStatus.INVITED
    sign_by_link(link_for(agreement.client.email))
    assert mail.outbox[-1].to == [coach.email]
    assert "your turn" in mail.outbox[-1].subject.lower() or "sign" in mail.outbox[-1].subject
    sign_as_coach(signed_in, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def test_a_private_clients_agreement_is_signed_by_two(coach: User, signed_in: HttpClient) -> None:
    version = send_agreement(coach, sponsored=False)
    assert sorted(s.role for s in version.signers.all()) == ["client", "coach"]
    sign_by_link(link_for(version.agreement.client.email))
    sign_as_coach(signed_in, version.agreement)
    version.agreement.refresh_from_db()
    assert version.agreement.status == AgreementStatus.SIGNED


def code_from_outbox(email: str) -> str:
    """The newest code emailed to that address, which its subject never shows."""
    codes = [
        (found.group(1), message.subject)
        for message in reversed(mail.outbox)
        if email in message.to
        if (found := re.search(r"\b(\d{6})\b", str(message.body)))
    ]
    assert codes, f"no code emailed to {email}"
    code, subject = codes[0]
    assert code not in subject
    return code


def test_an_emailed_code_guards_the_signing_page(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True)
    client = signer(version, SignerRole.CLIENT)
    path = link_for(client.email)
    token = path.split("/")[2]
    http = HttpClient()
    first = http.get(path).content.decode()
    assert "Confirm it is you" in first
    assert "I understand:" not in first

    http.post(reverse("contracts:sign-code", args=[token]))
    code = code_from_outbox(client.email)
    wrong = "000000" if code != "000000" else "111111"
    response = http.post(reverse("contracts:sign-verify", args=[token]), {"code": wrong})
    assert "That code is wrong. You have 4 tries left." in response.content.decode()

    http.post(reverse("contracts:sign-verify", args=[token]), {"code": code})
    page = http.get(path).content.decode()
    assert "I understand:" in page
    assert "I understand:" not in HttpClient().get(path).content.decode(), (
        "another browser with the same link still needs the code"
    )
    assert {"code_sent", "code_failed", "code_verified"} <= set(kinds(version.agreement))


def test_five_wrong_codes_lock_the_code(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True)
    client = signer(version, SignerRole.CLIENT)
    token = link_for(client.email).split("/")[2]
    http = HttpClient()
    http.post(reverse("contracts:sign-code", args=[token]))
    code = code_from_outbox(client.email)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        http.post(reverse("contracts:sign-verify", args=[token]), {"code": wrong})
    response = http.post(reverse("contracts:sign-verify", args=[token]), {"code": code})
    assert "too many times. Ask for a new code." in response.content.decode()


def test_a_code_expires_after_ten_minutes(coach: User) -> None:
    with time_machine.travel("2026-11-22 09:00Z", tick=False) as clock:
        version = send_agreement(coach, require_email_code=True)
        client = signer(version, SignerRole.CLIENT)
        token = link_for(client.email).split("/")[2]
        http = HttpClient()
        http.post(reverse("contracts:sign-code", args=[token]))
        code = code_from_outbox(client.email)
        clock.shift(11 * 60)
        response = http.post(reverse("contracts:sign-verify", args=[token]), {"code": code})
    assert "That code has expired" in response.content.decode()


def test_reminders_go_every_three_days_three_times_and_never_twice(coach: User) -> None:
    with time_machine.travel("2026-11-02 09:00Z", tick=False) as clock:
        version = send_agreement(coach)
        sign_by_link(link_for(sponsor_email(version)))
        mail.outbox.clear()
        sent_on = []
        for day in range(1, 16):
            clock.move_to(f"2026-11-{2 + day:02d} 09:00Z")
            if send_signing_reminders():
                sent_on.append(day)
            assert send_signing_reminders() == 0, "a rerun sends nothing"
    assert sent_on == [3, 6, 9]
    assert [m.to for m in mail.outbox] == [[version.agreement.client.email]] * 3
    client = signer(version, SignerRole.CLIENT)
    assert client.reminders_sent == 3
    assert kinds(version.agreement).count("reminder_sent") == 3


def test_the_coach_can_send_a_pending_signer_a_new_link(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    client = signer(version, SignerRole.CLIENT)
    old = link_for(client.email)
    signed_in.post(reverse("contracts:signer-resend", args=[version.agreement.pk, client.pk]))
    new = link_for(client.email)
    assert new != old
    assert HttpClient().get(old).status_code == 200, "older links keep working until they expire"


def test_tokens_and_codes_never_reach_the_logs(
    coach: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    version = send_agreement(coach, require_email_code=True)
    client = signer(version, SignerRole.CLIENT)
    path = link_for(client.email)
    token = path.split("/")[2]
    http = HttpClient()
    http.get(path)
    http.post(reverse("contracts:sign-code", args=[token]))
    code = code_from_outbox(client.email)
    http.post(reverse("contracts:sign-verify", args=[token]), {"code": code})
    http.get(reverse("contracts:sign", args=["wrong-token-value"]))
    logged = caplog.text
    assert token not in logged
    assert code not in logged
    assert "wrong-token-value" not in logged
    assert client.email not in logged
