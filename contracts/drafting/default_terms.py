"""The built-in template: a complete, sensible three-way agreement to start from.

`builtin_terms()` returns a value for every field of `contracts.models.Terms`, so a
coach's first template (and any agreement made from it) has no empty sections.
The wording follows the usual professional codes for coaches (ICF, the EMCC and AC
Global Code of Ethics, CDI) and refers to the parties as "the coach", "the client"
and "the sponsor", because the same text is shown to all three. A private client's
agreement has only two parties (no sponsor), so `builtin_terms(two_party=True)` gives
the same sections worded for the coach and the client alone. When the coach's profile
is given, the retention periods, the professional bodies and the insurance details
come from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from coaching.models import CoachProfile, Currency, ProfessionalBody
from contracts.models import (
    FeedbackAnonymity,
    Payer,
    RecordingPolicy,
    SessionFormat,
    TestimonialPolicy,
)
from contracts.terms import (
    Jurisdiction,
    Records,
    default_limits,
    default_records,
    default_sharing,
)

BUILTIN_TEMPLATE_NAME = "Standard three-way coaching agreement"
BUILTIN_TEMPLATE_DESCRIPTION = (
    "A complete starting point for coaching paid for by an organisation: six sessions, "
    "only attendance reported to the sponsor, and the usual limits of confidentiality "
    "for England and Wales."
)

GENERIC_CODE = "the code of ethics of the professional body the coach belongs to"
GENERIC_INSURANCE = (
    "The coach's professional indemnity insurance details are given in the coach's "
    "profile and are available from the coach on request."
)

# Sections whose wording does not depend on the kind of agreement: the sponsor's own
# sections (which a two-party agreement does not show) and those that never mention the
# sponsor. Sections where a private client's agreement (two parties, no sponsor) needs
# other wording are composed by the functions below builtin_terms(), which share
# everything but the sentences that differ.

SPONSOR_RESPONSIBILITIES = (
    "The sponsor pays for the coaching as agreed, gives the client the time and support to "
    "take part, and names the people who act for it under this agreement, making sure that "
    "they understand its terms, in particular the limits of confidentiality. Every outcome "
    "the sponsor hopes for from the coaching is agreed openly with the client: there are "
    "no hidden goals.\n\n"
    "The sponsor has a legitimate interest in the outcomes of the coaching and receives the "
    "information described in the sharing arrangements. It has no right to the content of "
    "sessions, to the coach's notes or to anything else the client has not agreed to share. "
    "The coach is not the sponsor's investigator: the sponsor will not ask the coach to "
    "assess, monitor or report on the client's performance or conduct, and will not try to "
    "obtain the coach's records through its own staff or systems. The sponsor does not "
    "brief the coach about the client's health or personal circumstances without the "
    "client's consent."
)

INVOICING_TERMS = (
    "The coach invoices the payer named in this agreement. A fee for the whole programme "
    "is invoiced when the agreement is signed; a fee per session is invoiced monthly for "
    "the sessions held. Payment is due within 30 days of the invoice date.\n\n"
    "Invoices list sessions by date only and never describe what was discussed. Fees are "
    "stated before VAT, which is added where the coach is registered for it. Travel and "
    "other expenses are charged only where agreed in writing in advance."
)

ORGANISATIONAL_GUIDELINES = (
    "The coach respects the sponsor's policies that apply to visitors and suppliers, such "
    "as site rules and information security, but the coach is not the sponsor's "
    "investigator. The coach will not monitor or report on the client's conduct, and the "
    "sponsor will not ask the coach to do so.\n\n"
    "If the client says they intend to act against the sponsor's code of conduct, the coach "
    "will explore it with the client, including what might happen and how it would affect "
    "them and others, and will encourage the client to speak to the right people, such as "
    "their line manager, HR or the organisation's speak-up line. If the coach remains "
    "ethically concerned, the coach may end the coaching rather than break the client's "
    "confidence; the sponsor is then told only that the coaching has ended. The coach "
    "passes on what the client said only where a limit of confidentiality applies, and "
    "then follows the procedure for breaking confidentiality."
)

# Health information: the first paragraph for everyone, the second only with a sponsor.
HEALTH_INFORMATION = (
    "Information about the client's physical or mental health is special category data "
    "(UK GDPR, article 9). It is shared with the coach only by the client, and only as "
    "much as the client chooses. The coach keeps a record of it, or passes it on to "
    "anyone, only with the client's explicit written consent, except where a limit of "
    "confidentiality applies, such as an imminent risk of serious harm."
)
HEALTH_INFORMATION_SPONSOR = (
    "The sponsor, including HR and the line manager, does not brief the coach about the "
    "client's health without the client's consent. If the sponsor believes that a health "
    "matter may affect the coaching, it raises this with the client, who decides what to "
    "tell the coach."
)

# Where records are kept, in a two-party agreement: terms.DEFAULT_STORAGE also promises
# that they are never kept on the sponsor's systems.
PRIVATE_STORAGE = "Encrypted storage controlled by the coach."

_CODE_NAMES: dict[str, str] = {
    ProfessionalBody.ICF: "the ICF Code of Ethics",
    ProfessionalBody.EMCC: "the Global Code of Ethics for coaches, mentors and supervisors",
    ProfessionalBody.AC: "the Global Code of Ethics for coaches, mentors and supervisors",
    ProfessionalBody.CDI: "the CDI Code of Ethics",
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def builtin_terms(
    *, profile: CoachProfile | None = None, two_party: bool = False
) -> dict[str, Any]:
    """Values for every field in contracts.models.Terms.TERMS_FIELDS.

    Goals are left empty (they belong to each client), and so are the location, the fee
    basis and amount, which the coach decides per agreement. With a profile, record
    retention, professional bodies and insurance come from the coach's own settings.

    With two_party=True the wording suits a private client, who pays for their own
    coaching: every section such an agreement shows speaks only of the coach and the
    client. The sponsor's sections, which it does not show, keep their three-way text.
    """
    return {
        "coach_responsibilities": _coach_responsibilities(two_party=two_party),
        "client_responsibilities": _client_responsibilities(two_party=two_party),
        "sponsor_responsibilities": SPONSOR_RESPONSIBILITIES,
        "nature_of_coaching": _nature_of_coaching(two_party=two_party),
        "referral_policy": _referral_policy(two_party=two_party),
        "goals": [],
        "session_count": 6,
        "session_length_minutes": 60,
        "session_frequency": "every three to four weeks",
        "session_format": SessionFormat.MIXED.value,
        "session_location": "",
        "fee_basis": "",
        "fee_amount": None,
        "fee_currency": Currency.GBP.value,
        "payer": (Payer.CLIENT if two_party else Payer.SPONSOR).value,
        "invoicing_terms": INVOICING_TERMS,
        "cancellation_terms": _cancellation_terms(two_party=two_party),
        "late_cancellation_hours": 48,
        "late_cancellation_counts": True,
        "sharing": default_sharing(),
        "feedback_anonymity": "" if two_party else FeedbackAnonymity.BY_CATEGORY.value,
        "jurisdiction": Jurisdiction.ENGLAND_WALES.value,
        "jurisdiction_other": "",
        "confidentiality_limits": default_limits(jurisdiction=Jurisdiction.ENGLAND_WALES),
        "breach_procedure": _breach_procedure(two_party=two_party),
        "organisational_guidelines": ORGANISATIONAL_GUIDELINES,
        "records": _records(profile, two_party=two_party),
        "data_controller": _data_controller(two_party=two_party),
        "client_confidentiality": _client_confidentiality(two_party=two_party),
        "ethics_and_complaints": ethics_and_complaints(profile, two_party=two_party),
        "recording": RecordingPolicy.NEVER.value,
        "testimonials": TestimonialPolicy.ANONYMOUS.value,
        "health_information": _health_information(two_party=two_party),
        "termination_terms": _termination_terms(two_party=two_party),
        "notice_days": 14,
        "amendment_process": _amendment_process(two_party=two_party),
        "additional_terms": {},
    }


def _records(profile: CoachProfile | None, *, two_party: bool) -> Records:
    records = default_records(profile.retention_years() if profile else None)
    if two_party:
        for rule in records.values():
            rule["storage"] = PRIVATE_STORAGE
    return records


def _coach_responsibilities(*, two_party: bool) -> str:
    if two_party:
        explained_to, understood = "the client", "the client has"
        sharing = ""
        purpose = (
            "The coach works for the client's development towards the goals the client has "
            "chosen, and does not judge or grade the client's performance or conduct."
        )
    else:
        explained_to, understood = "the client and the sponsor", "both have"
        sharing = (
            ", and shares information with the sponsor only as the sharing arrangements allow"
        )
        purpose = (
            "The coach works for the client's development towards the goals agreed by all "
            "three parties; the coach is not the sponsor's investigator and does not assess or "
            "report on the client's performance or conduct."
        )
    return (
        "The coach provides the agreed sessions with skill and care, works within the limits "
        "of their competence and follows the code of ethics of their professional body. "
        f"Before coaching starts, the coach explains to {explained_to} the nature of coaching, "
        "the limits of confidentiality and the other terms of this agreement, and checks that "
        f"{understood} understood them.\n\n"
        "The coach keeps what the client says in sessions confidential within the limits set "
        f"out in this agreement{sharing}. The coach takes regular supervision without naming "
        "the client, keeps records securely, and declares any conflict of interest as soon as "
        f"it arises. {purpose}\n\n"
        "The coach may pause or end the coaching where continuing would not be in the "
        "client's interest or would conflict with the coach's code of ethics."
    )


def _client_responsibilities(*, two_party: bool) -> str:
    goals_with = "the coach" if two_party else "the coach and the sponsor"
    told = "" if two_party else "to know in advance everything the sponsor will be told, "
    return (
        "The client takes part willingly, comes to the agreed sessions on time and prepared, "
        "and remains responsible for their own decisions, actions and results. The client "
        f"helps to set the goals of the coaching with {goals_with}, tells the coach openly "
        "when something is not working, and gives notice of any change to a session as set "
        "out in the cancellation terms.\n\n"
        "The client has the right to confidentiality within the limits set out in this "
        f"agreement, {told}to refuse consent to any disclosure that needs it, and to stop the "
        "coaching at any time. The client is free to talk about their own coaching with "
        "anyone they choose."
    )


def _nature_of_coaching(*, two_party: bool) -> str:
    not_assessment = (
        "the coach does not assess or grade the client's performance"
        if two_party
        else "the coach does not assess the client for the sponsor, take part in disciplinary "
        "or capability processes, or stand in for the line manager"
    )
    return (
        "Coaching is a confidential, structured conversation that helps the client think "
        "clearly, learn and act towards goals they have chosen. The coach listens, asks "
        "questions, offers observations and challenge; the client decides what to do and "
        "remains responsible for the results.\n\n"
        "Coaching is not:\n"
        "- therapy or counselling: it does not diagnose or treat mental or physical health "
        "conditions\n"
        "- mentoring or advice: the coach does not tell the client what to do, nor give "
        "expert, legal, financial or medical advice\n"
        f"- performance management: {not_assessment}\n\n"
        "The coach cannot guarantee particular results; what the coaching achieves depends "
        "above all on the client's own commitment."
    )


def _referral_policy(*, two_party: bool) -> str:
    # The employee assistance programme and occupational health come with employment.
    at_work = (
        ""
        if two_party
        else "- the sponsor's employee assistance programme, where there is one\n"
        "- occupational health\n"
    )
    not_told = "anyone" if two_party else "the sponsor"
    paused = "" if two_party else "; the sponsor is told only that sessions are paused"
    return (
        "The coach will suggest other support when the client's needs go beyond what coaching "
        "can offer: for example signs of serious distress, anxiety or depression, a health "
        "problem, a legal or financial difficulty, or a workplace dispute. Depending on the "
        "need, the coach may suggest that the client speaks to:\n"
        "- their GP\n"
        "- a counsellor or psychotherapist\n"
        f"{at_work}"
        "- another specialist adviser\n\n"
        "The coach has a duty of care to act in the client's best interests (the CDI Code of "
        "Ethics, principle of duty of care). If the coach believes that coaching is not, for "
        "the time being, in the client's interest, the coach may pause the coaching for the "
        "client's wellbeing and agree with the client what support would help and when to "
        "resume. A referral or "
        f"a pause is discussed with the client first, and the reasons are not shared with "
        f"{not_told} without the client's consent unless a limit of confidentiality "
        f"applies{paused}."
    )


def _cancellation_terms(*, two_party: bool) -> str:
    missed = "" if two_party else " The sponsor is told that a session was missed, but not why."
    parties = "the coach and the client" if two_party else "the coach, the client and the sponsor"
    return (
        "A session can be rescheduled without charge by giving at least 48 hours' notice. A "
        "session cancelled with less than 48 hours' notice, or missed without notice, counts "
        "as a session used, unless the coach accepts that the reason was beyond the client's "
        f"control, such as sudden illness or an emergency.{missed}\n\n"
        "If the coach has to cancel a session, it is rearranged at no cost. If sessions remain "
        f"unused at the agreed end date, {parties} agree whether to extend the coaching."
    )


def _breach_procedure(*, two_party: bool) -> str:
    workplace = (
        ""
        if two_party
        else ", or the sponsor's named contact where the risk concerns the workplace"
    )
    return (
        "If the coach believes that a limit of confidentiality applies, the coach follows these "
        "steps, in this order as far as safety allows:\n"
        "- Pause the session and tell the client that a confidentiality issue has arisen.\n"
        "- Clarify the facts with the client (what, who, when and how): this alone may show "
        "that no disclosure is needed.\n"
        "- Consult a supervisor, the professional body or the insurer's legal helpline, "
        "without naming the client.\n"
        "- Where possible, seek the client's consent to the disclosure, or support the client "
        "to make the disclosure themselves.\n"
        "- Disclose only the minimum information necessary.\n"
        "- Disclose it only to the proper recipient, such as the emergency services, a "
        f"safeguarding authority or the police{workplace}.\n"
        "- Agree the method and timing of the disclosure with the client or, where that is not "
        "possible, inform the client of them.\n"
        "- Record what was disclosed, to whom, when and on what basis.\n"
        "- Review the coaching relationship with the client afterwards, including whether and "
        "how the coaching continues.\n\n"
        "Where someone is in immediate danger, the coach may contact the emergency services "
        "first and complete the other steps as soon as possible afterwards."
    )


def _data_controller(*, two_party: bool) -> str:
    sponsor_data = (
        ""
        if two_party
        else " The sponsor is the data controller for whatever it receives under the sharing "
        "arrangements, such as attendance reports, and handles it under its own data "
        "protection policies."
    )
    not_sponsor = (
        ""
        if two_party
        else " and are never kept on the sponsor's systems, even when sessions take place on "
        "the sponsor's premises or video platform"
    )
    return (
        "The coach is the data controller for the coaching notes and the other records the "
        "coach keeps about the coaching, and handles them under this agreement and data "
        f"protection law (UK GDPR and the Data Protection Act 2018).{sponsor_data}\n\n"
        f"Coaching records are kept on systems the coach controls{not_sponsor}. They are "
        "stored securely and disposed of securely at the end of each retention period, as the "
        "ICF Code of Ethics asks of every record a coach keeps. The client may ask the coach "
        "for a copy of the personal data the coach holds about them."
    )


def _client_confidentiality(*, two_party: bool) -> str:
    if two_party:
        topics = "other people, such as colleagues, family or friends"
        entrusted = "any confidential information about other people or businesses"
        whose, reported_to = "of others", "anyone"
    else:
        topics = "colleagues, managers and the sponsor's business"
        entrusted = "the sponsor's confidential business information"
        whose, reported_to = "of others or of the sponsor", "the sponsor"
    return (
        f"Coaching often involves talking about {topics}. The client respects the "
        f"confidentiality of the other people discussed in sessions and of {entrusted}, and "
        "shares such information only as far as the coaching needs it; the coach keeps it "
        "confidential.\n\n"
        f"If the client breaks the confidentiality {whose} in connection with the coaching, "
        "the coach raises it directly and privately with the client first, to understand what "
        "happened and agree how to put it right and prevent it happening again. Repeated or "
        "deliberate breaches may lead the coach to end the coaching. The coach does not report "
        f"such a breach to {reported_to} unless a limit of confidentiality applies."
    )


def _health_information(*, two_party: bool) -> str:
    if two_party:
        return HEALTH_INFORMATION
    return f"{HEALTH_INFORMATION}\n\n{HEALTH_INFORMATION_SPONSOR}"


def _termination_terms(*, two_party: bool) -> str:
    if two_party:
        who_may_end, told = "Either party may end this agreement by writing to the other", ""
        refund_agreed_by, handed_over = "the coach and the client", ""
    else:
        who_may_end = "Any party may end this agreement by writing to the other two"
        told = ", and the sponsor is then told only that the coaching has ended"
        refund_agreed_by = "the coach and the sponsor"
        handed_over = ", and nothing confidential is handed to the sponsor"
    return (
        f"{who_may_end}, giving the notice set out in this agreement. The client may stop the "
        f"coaching without giving a reason{told}. The coach may end it without notice where "
        "continuing would conflict with the coach's code of ethics or the client's wellbeing "
        "requires it.\n\n"
        "When the agreement ends early:\n"
        "- sessions already held, and late cancellations, are paid for\n"
        "- unused sessions are not charged, and any fee paid in advance for them is refunded "
        f"in proportion, unless {refund_agreed_by} agree otherwise in writing\n"
        "- the coach offers the client a closing conversation where appropriate\n"
        "- records are kept and then securely disposed of according to the retention periods "
        f"in this agreement{handed_over}\n"
        "- the duties of confidentiality, and their limits, continue after the agreement ends"
    )


def _amendment_process(*, two_party: bool) -> str:
    if two_party:
        reviewers, changes = "The coach and the client", "new goals or a change of circumstances"
        terms_checked, reminded, signers = "sessions", "the client", "both parties"
    else:
        reviewers = "The coach, the client and the sponsor"
        changes = "new goals, a new line manager or a change of role"
        terms_checked, reminded, signers = (
            "sessions, sharing arrangements",
            "everyone",
            "all three parties",
        )
    return (
        f"{reviewers} review this agreement together on the review date it sets and at least "
        f"once a year, and sooner if the situation changes, for example {changes}. The review "
        f"checks that the goals, {terms_checked} and other terms still fit, and is a moment to "
        f"remind {reminded} of the limits of confidentiality and of any reporting duties, such "
        "as safeguarding.\n\n"
        f"Any change, however small, is made as a new version of the agreement that {signers} "
        "sign again; until then the signed version stands. Earlier versions are kept with the "
        "agreement's records."
    )


def ethics_and_complaints(profile: CoachProfile | None, *, two_party: bool = False) -> str:
    """The ethics code, the complaints route and the insurance, from the profile if any."""
    bodies: list[tuple[str, str]] = []  # (body, name), in the profile's order, no repeats
    if profile is not None:
        for membership in profile.coach.memberships.all():
            name = membership.body_name.strip()
            if name and all(name != known for _, known in bodies):
                bodies.append((membership.body, name))

    if bodies:
        names = [_with_article(name) for _, name in bodies]
        codes = _unique(
            _CODE_NAMES.get(body, f"the code of ethics of {_with_article(name)}")
            for body, name in bodies
        )
        ethics = (
            f"The coach is a member of {_joined(names)}, and follows {_joined(codes)}. "
            "Where this agreement is silent, that code guides the coach's conduct."
        )
        body_route = (
            f"the complaints procedure of {names[0]}"
            if len(names) == 1
            else "the complaints procedure of the professional body concerned"
        )
    else:
        ethics = (
            f"The coach follows {GENERIC_CODE}. Where this agreement is silent, that code "
            "guides the coach's conduct."
        )
        body_route = "the complaints procedure of that professional body"

    complaints = (
        "Any party who is unhappy with the coaching, or with how this agreement has been "
        "kept, should raise it first with the coach, who will respond promptly and try to "
        "resolve it. If the matter is not resolved, or it concerns the coach's ethical "
        f"conduct, it can be taken to {body_route}. A complaint by the client is kept "
        "as confidential as any other coaching matter."
    )
    return "\n\n".join([ethics, complaints, _insurance(profile, two_party=two_party)])


def _insurance(profile: CoachProfile | None, *, two_party: bool) -> str:
    if (
        profile is None
        or not profile.has_insurance()
        or profile.insurance_expires_on is None  # implied by has_insurance(); for typing
    ):
        return GENERIC_INSURANCE
    amount = profile.insurance_cover_amount
    cover = f", with cover of {_money(amount, profile.insurance_cover_currency)}" if amount else ""
    told = "the client" if two_party else "the client and the sponsor"
    return (
        f"The coach holds professional indemnity insurance with {profile.insurer.strip()}"
        f"{cover}, valid until {long_date(profile.insurance_expires_on)}. The coach will tell "
        f"{told} if this cover lapses or changes before the coaching ends."
    )


def long_date(day: date) -> str:
    """A date as British English writes it in full, for example 31 March 2027."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _money(amount: Decimal, currency: str) -> str:
    whole = amount == amount.to_integral_value()
    figure = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return f"£{figure}" if currency == Currency.GBP else f"{figure} {currency}"


def _with_article(name: str) -> str:
    return name if name.lower().startswith("the ") else f"the {name}"


def _unique(items: Iterable[str]) -> list[str]:
    result: list[str] = []
    for item in items:
        if item not in result:
            result.append(item)
    return result


def _joined(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
