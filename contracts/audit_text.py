"""The audit trail in sentences, for the people who read it: the coach's audit page and
the certificate of completion in the signed PDF.

Each event becomes one sentence that says who did what ("Harper HR, the sponsor's
signatory, signed, typing “Harper HR”."). A signer's confirmations one after another
(each limit of confidentiality, each sharing rule) become one entry, which says what
they confirmed, recipient by recipient. Sharing confirmations are read from either
shape the trail holds: one event per rule (`{"rule": "attendance.sponsor"}`) or one per
recipient (`{"recipient": "sponsor", "rules": ["attendance.sponsor", ...]}`).

What an event's data holds is told in words or left out: no key of the catalogue, and
no True, False or None, ever reaches the page. The trail itself (and the JSON attached
to the PDF) keeps the data exactly as recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.models import (
    AuditEvent,
    AuditEventKind,
    ClientDecisionKind,
    DisclosureBasis,
    EmailKind,
    MeetingKind,
    PdfKind,
    ReleaseKind,
    ReviewOutcome,
    SessionFormat,
    SessionStatus,
    SignerRole,
    SigningOrder,
)
from contracts.sharing import SharingRule, sharing_rules
from contracts.terms import STANDARD_LIMIT_KEYS, InformationKind, Recipient, SharingLevel

K = AuditEventKind
GROUPED = {K.LIMIT_CONFIRMED, K.SHARING_CONFIRMED}

ROLES = {
    SignerRole.CLIENT: "the client",
    SignerRole.SPONSOR: "the sponsor's signatory",
    SignerRole.COACH: "the coach",
    SignerRole.OBSERVER: "kept informed for the sponsor",
}
RECIPIENTS = {
    Recipient.SPONSOR: "the sponsor's HR contact",
    Recipient.LINE_MANAGER: "the line manager",
}
LEVELS = {
    SharingLevel.ROUTINE: "routinely",
    SharingLevel.CONSENT: "only with the client's written consent each time",
    SharingLevel.APPROVED_SUMMARY: "as a summary the client approves first",
    SharingLevel.NEVER: "never",
}


@dataclass(frozen=True)
class AuditEntry:
    """One line of the trail as a person reads it: one event, or a signer's run of
    confirmations."""

    events: Sequence[AuditEvent]
    sentence: str

    @property
    def first(self) -> AuditEvent:
        return self.events[0]

    @property
    def seqs(self) -> str:
        """The events' numbers: "12", or "12" to "25" with a dash for a run."""
        first, last = self.events[0].seq, self.events[-1].seq
        return str(first) if first == last else f"{first}\u2013{last}"

    @property
    def at(self) -> datetime:
        return self.first.at


def audit_entries(events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """The events, oldest first, as entries: consecutive confirmations of one kind by one
    signer are one entry. Read the events with their version and signer."""
    runs: list[list[AuditEvent]] = []
    for event in events:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and event.kind in GROUPED
            and event.kind == last.kind
            and event.signer_id == last.signer_id
        ):
            runs[-1].append(event)
        else:
            runs.append([event])
    reader = _Reader()
    return [AuditEntry(events=run, sentence=reader.sentence(run)) for run in runs]


def event_sentence(event: AuditEvent) -> str:
    """One event, in a sentence."""
    return _Reader().sentence([event])


class _Reader:
    """Reads events into sentences, parsing each version's matrix once."""

    def __init__(self) -> None:
        self._rules: dict[int, dict[str, SharingRule]] = {}

    def sentence(self, run: list[AuditEvent]) -> str:
        event = run[0]
        if event.kind == K.SHARING_CONFIRMED:
            return self._sharing(run)
        if event.kind == K.LIMIT_CONFIRMED:
            titles = [limit_title(e, str(e.data.get("limit", ""))) for e in run]
            listed = "; ".join(titles)
            return f"{who(event)} confirmed the limits of confidentiality: {listed}."
        return _sentence(event, self)

    def rules_of(self, event: AuditEvent) -> dict[str, SharingRule]:
        if event.version is None:
            return {}
        if event.version_id not in self._rules:
            rules = sharing_rules(event.version.snapshot)
            self._rules[event.version.pk] = {rule.key: rule for rule in rules}
        return self._rules[event.version.pk]

    def _sharing(self, run: list[AuditEvent]) -> str:
        by_recipient: dict[Recipient, list[str]] = {}
        for event in run:
            data = event.data if isinstance(event.data, dict) else {}
            rules = data.get("rules")
            keys: list[Any] = rules if isinstance(rules, list) else [data.get("rule")]
            for key in keys:
                found = self._rule(event, str(key or ""), data.get("recipient"))
                if found is not None:
                    recipient, words = found
                    by_recipient.setdefault(recipient, []).append(words)
        parts = [
            f"what {RECIPIENTS[recipient]} receives: {'; '.join(items)}"
            for recipient, items in by_recipient.items()
        ]
        if not parts:
            return f"{who(run[0])} confirmed what is shared with the sponsor, and what is not."
        return f"{who(run[0])} confirmed {'; and '.join(parts)}."

    def _rule(self, event: AuditEvent, key: str, recipient: Any) -> tuple[Recipient, str] | None:
        """A rule key (kind.recipient, or a kind with the event's recipient) in words."""
        kind_value, _, recipient_value = key.partition(".")
        recipient_value = recipient_value or str(recipient or "")
        if kind_value not in InformationKind.values or recipient_value not in Recipient.values:
            return None
        kind, to = InformationKind(kind_value), Recipient(recipient_value)
        words = kind.label[0].lower() + kind.label[1:]
        rule = self.rules_of(event).get(f"{kind}.{to}")
        if rule is not None and rule.level is not None:
            details = [LEVELS[rule.level]]
            if rule.shared:
                details += [
                    f"by {rule.method.label}" if rule.method else "",
                    rule.timing.label if rule.timing else "",
                ]
            words += ", " + ", ".join(detail for detail in details if detail)
        return to, words


def limit_title(event: AuditEvent, key: str) -> str:
    """A limit of confidentiality by its title in the event's version, never its key."""
    if event.version is not None:
        for item in event.version.snapshot["terms"]["confidentiality_limits"]:
            if item["key"] == key:
                return _in_sentence(item["title"])
    standard = STANDARD_LIMIT_KEYS.get(key)
    return _in_sentence(standard.title) if standard else "a limit agreed for this agreement"


def _in_sentence(title: str) -> str:
    """A title inside a sentence: its first letter in lower case, unless an acronym's."""
    if len(title) > 1 and title[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


def who(event: AuditEvent) -> str:
    """Who acted, as the subject of a sentence: "Harper HR, the sponsor's signatory,".

    The actor is recorded as "Role: Name <email>" (or "Tripartite"); the event's signer,
    when there is one, may be whom the coach acted for, so the actor decides."""
    if event.actor == "Tripartite":
        return "Tripartite"
    role, _, rest = event.actor.partition(": ")
    name = rest.split(" <", 1)[0].strip()
    labels = {str(label): value for value, label in SignerRole.choices}
    if name and role in labels:
        return f"{name}, {ROLES[SignerRole(labels[role])]},"
    return name or "A sponsor contact"


def _to(event: AuditEvent) -> str:
    """Whom an email or a request went to: "Jamie Client (the client)"."""
    signer = event.signer
    if signer is None:
        return "a party"
    return f"{signer.name} ({ROLES.get(SignerRole(signer.role), 'a party')})"


def _label(choices: Any, value: Any, default: str = "") -> str:
    """A choice's label in lower case, or `default` for a value it does not know."""
    if isinstance(value, str) and value in choices.values:
        text = str(choices(value).label)
        return text[0].lower() + text[1:]
    return default


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _day(value: Any) -> str:
    """An ISO date or time as "14 April 2028", or "" when it is not one."""
    try:
        day = (
            datetime.fromisoformat(str(value)) if "T" in str(value) else date.fromisoformat(value)
        )
    except ValueError:
        return ""
    return f"{day.day} {day:%B %Y}"


def _version(event: AuditEvent) -> str:
    number = _number(event.data.get("number")) if isinstance(event.data, dict) else None
    if number is None and event.version is not None:
        number = event.version.number
    return f"version {number}" if number else "the agreement"


def _sentence(event: AuditEvent, reader: _Reader) -> str:
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    actor, version = who(event), _version(event)
    kind = event.kind
    if kind == K.VERSION_FROZEN:
        return f"{version.capitalize()} was frozen: its text can no longer change."
    if kind == K.SENT:
        order = _label(SigningOrder, data.get("signing_order"))
        code = "with a code emailed to each signer" if data.get("code") is True else ""
        how = ", ".join(part for part in (order, code) if part)
        return f"{actor} sent {version} for signature{f' ({how})' if how else ''}."
    if kind in {K.EMAIL_HANDED_OVER, K.EMAIL_FAILED, K.EMAIL_RESENT}:
        email = _label(EmailKind, data.get("email"), "email")
        if kind == K.EMAIL_HANDED_OVER:
            return f"An email to {_to(event)} was handed to the mail server: {email}."
        if kind == K.EMAIL_RESENT:
            return f"{actor} sent an email to {_to(event)} again: {email}."
        attempts = _number(data.get("attempts"))
        after = f" after {attempts} attempts" if attempts and attempts > 1 else ""
        return f"An email to {_to(event)} could not be delivered{after}: {email}."
    if kind == K.VIEWED:
        views = _number(data.get("link_views"))
        again = f" (time {views} through their link)" if views and views > 1 else ""
        return f"{actor} opened the agreement{again}."
    if kind == K.CODE_SENT:
        return f"A one-time code was emailed to {_to(event)}."
    if kind == K.CODE_VERIFIED:
        return f"{actor} entered the code emailed to them."
    if kind == K.CODE_FAILED:
        return f"{actor} entered a wrong code."
    if kind == K.DISCLOSURE_ACCEPTED:
        edition = str(data.get("disclosure_version") or "")
        of = f" (version {edition})" if edition else ""
        return f"{actor} accepted the disclosure on electronic records and signatures{of}."
    if kind == K.AUTHORITY_CONFIRMED:
        sponsor = event.version.snapshot["sponsor"] if event.version else None
        name = sponsor["name"] if sponsor else "the sponsor"
        return f"{actor} confirmed they have the authority to sign for {name}."
    if kind == K.SIGNED:
        typed = str(data.get("typed_name") or "")
        intent = str(data.get("intent") or "")
        parts = [f"typing “{typed}”" if typed else "", f"pressing “{intent}”" if intent else ""]
        said = " and ".join(part for part in parts if part)
        return f"{actor} signed{f', {said}' if said else ''}."
    if kind in {K.DECLINED, K.VOIDED}:
        reason = str(data.get("reason") or "").strip()
        what = "declined to sign" if kind == K.DECLINED else f"voided {version}"
        return f"{actor} {what}{f', giving the reason: “{reason}”' if reason else ''}."
    if kind == K.REMINDER_SENT:
        number = _number(data.get("number"))
        nth = f" {number}" if number else ""
        return f"Reminder{nth} to sign was emailed to {_to(event)}."
    if kind == K.COMPLETED:
        return f"Everyone has signed {version}: it is in force."
    if kind == K.DOWNLOADED:
        if "release" in data:
            return f"{actor} downloaded information released to them."
        pdf = _label(PdfKind, data.get("pdf"))
        return f"{actor} downloaded the PDF{f' ({pdf})' if pdf else ''}."
    if kind == K.REOPENED:
        return f"{actor} reopened the agreement as a new draft."
    if kind == K.REVIEW_STARTED:
        return f"{actor} started the review of {version}."
    if kind == K.REVIEW_HOLDS:
        return (
            f"{actor} recorded that the agreement still holds, and asked the parties to "
            "confirm it."
        )
    if kind == K.REVIEW_CONFIRMED:
        return f"{actor} confirmed that the agreement still holds."
    if kind == K.REVIEW_COMPLETED:
        outcome = _label(ReviewOutcome, data.get("outcome"), "complete")
        next_on = _day(data.get("next_review_on"))
        return f"The review is complete: {outcome}." + (
            f" The next review is on {next_on}." if next_on else ""
        )
    if kind == K.AMENDMENT_STARTED:
        return (
            f"{actor} started an amendment: {version} stays in force until everyone signs "
            "the next."
        )
    if kind == K.SUPERSEDED:
        by = _number(data.get("by_version"))
        return f"{version.capitalize()} was superseded{f' by version {by}' if by else ''}."
    return (
        _engagement_sentence(event, data, actor)
        or f"{event.get_kind_display()}, recorded by {actor.rstrip(',')}."
    )


def _engagement_sentence(event: AuditEvent, data: dict[str, Any], actor: str) -> str:
    """The events of the engagement and of the sponsor's side, or "" for another kind."""
    kind = event.kind
    if kind in {K.SESSION_LOGGED, K.SESSION_CHANGED}:
        when = _day(data.get("starts_at"))
        on = f" of {when}" if when else ""
        if data.get("deleted") is True:
            return f"{actor} removed the session{on}, logged by mistake."
        facts = [
            _label(SessionStatus, data.get("status")),
            f"{minutes} minutes" if (minutes := _number(data.get("minutes"))) else "",
            _label(SessionFormat, data.get("format")),
            "pro bono" if data.get("pro_bono") is True else "",
            "not counted against the agreed sessions" if data.get("counted") is False else "",
        ]
        listed = ", ".join(fact for fact in facts if fact)
        done = "logged the session" if kind == K.SESSION_LOGGED else "changed the session"
        return f"{actor} {done}{on}{f': {listed}' if listed else ''}."
    simple = {
        K.NOTE_WRITTEN: "wrote a private note",
        K.NOTE_READ: "read a private note",
        K.NOTE_DELETED: "deleted a private note",
        K.INTAKE_SUBMITTED: "submitted the intake questionnaire",
        K.INTAKE_READ: "read the intake answers",
        K.LOG_CONSENT_GIVEN: "agreed to be named in the coach's coaching log",
        K.LOG_CONSENT_WITHDRAWN: "withdrew their consent to be named in the coaching log",
    }
    if kind in simple:
        return f"{actor} {simple[K(kind)]}."
    if kind == K.INTAKE_SENT:
        questions = _number(data.get("questions"))
        count = f" ({questions} questions)" if questions else ""
        again = " again" if data.get("again") is True else ""
        return f"{actor} sent the intake questionnaire{count} to {_to(event)}{again}."
    if kind == K.HEALTH_CONSENT:
        gave = "gave" if data.get("given") is True else "did not give"
        return f"{actor} {gave} consent to share health information with the coach."
    if kind in {K.MEETING_PLANNED, K.MEETING_NOTE}:
        meeting = _label(MeetingKind, data.get("kind"), "three-way meeting")
        if kind == K.MEETING_NOTE:
            return f"{actor} recorded what the {meeting} agreed."
        when = _day(data.get("starts_at"))
        planned = "moved" if data.get("change") is True else "planned"
        return f"{actor} {planned} the {meeting}{f' for {when}' if when else ''}."
    return _sponsor_sentence(event, data, actor)


def _sponsor_sentence(event: AuditEvent, data: dict[str, Any], actor: str) -> str:
    kind = event.kind
    what = _label(InformationKind, data.get("kind"), "something the agreement does not cover")
    level = LEVELS.get(SharingLevel(data["level"])) if data.get("level") in LEVELS else None
    if kind == K.REQUEST_RECEIVED:
        answer = f"; the agreement says: {level}" if level else ""
        return f"{actor} asked for {what}{answer}."
    if kind == K.REQUEST_DECLINED:
        return f"{actor} declined a request for {what}."
    if kind == K.RELEASE_PREPARED:
        release = _label(ReleaseKind, data.get("kind"), "information")
        about = _label(InformationKind, data.get("information"))
        of = f" about {about}" if about else ""
        return f"{actor} prepared a release ({release}){of}{f', {level}' if level else ''}."
    if kind == K.RELEASE_TO_CLIENT:
        return f"{actor} asked the client to approve or consent to a release."
    if kind == K.CLIENT_DECIDED:
        decision = _label(ClientDecisionKind, data.get("decision"))
        return f"{actor} decided on a release{f': {decision}' if decision else ''}."
    if kind == K.RELEASED:
        basis = _label(DisclosureBasis, data.get("basis"))
        on = f", on the basis of {basis}" if basis else ""
        return f"{actor} released information to {_to(event)}{on}."
    if kind == K.BREACH_RECORDED:
        title = limit_title(event, str(data.get("limit", "")))
        return f"{actor} recorded a disclosure under the limit of confidentiality: {title}."
    return ""
