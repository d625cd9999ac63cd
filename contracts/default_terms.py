"""The built-in template: a complete, sensible three-way agreement to start from.

`builtin_terms()` returns a value for every field of `contracts.models.Terms`, so a
coach's first template (and any agreement made from it) has no empty sections.
The wording follows the usual professional codes for coaches (ICF, the EMCC and AC
Global Code of Ethics, CDI) and refers to the parties as "the coach", "the client"
and "the sponsor", because the same text is shown to all three. When the coach's
profile is given, the retention periods, the professional bodies and the insurance
details come from it.
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
from contracts.terms import Jurisdiction, default_limits, default_records, default_sharing

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

COACH_RESPONSIBILITIES = (
    "The coach provides the agreed sessions with skill and care, works within the limits "
    "of their competence and follows the code of ethics of their professional body. "
    "Before coaching starts, the coach explains to the client and the sponsor the nature "
    "of coaching, the limits of confidentiality and the other terms of this agreement, and "
    "checks that both have understood them.\n\n"
    "The coach keeps what the client says in sessions confidential within the limits set "
    "out in this agreement, and shares information with the sponsor only as the sharing "
    "arrangements allow. The coach takes regular supervision without naming the client, "
    "keeps records securely, and declares any conflict of interest as soon as it arises. "
    "The coach works for the client's development towards the goals agreed by all three "
    "parties; the coach is not the sponsor's investigator and does not assess or report "
    "on the client's performance or conduct.\n\n"
    "The coach may pause or end the coaching where continuing would not be in the "
    "client's interest or would conflict with the coach's code of ethics."
)

CLIENT_RESPONSIBILITIES = (
    "The client takes part willingly, comes to the agreed sessions on time and prepared, "
    "and remains responsible for their own decisions, actions and results. The client "
    "helps to set the goals of the coaching with the coach and the sponsor, tells the coach "
    "openly when something is not working, and gives notice of any change to a session as "
    "set out in the cancellation terms.\n\n"
    "The client has the right to confidentiality within the limits set out in this "
    "agreement, to know in advance everything the sponsor will be told, to refuse consent "
    "to any disclosure that needs it, and to stop the coaching at any time. The client is "
    "free to talk about their own coaching with anyone they choose."
)

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

NATURE_OF_COACHING = (
    "Coaching is a confidential, structured conversation that helps the client think "
    "clearly, learn and act towards goals they have chosen. The coach listens, asks "
    "questions, offers observations and challenge; the client decides what to do and "
    "remains responsible for the results.\n\n"
    "Coaching is not:\n"
    "- therapy or counselling: it does not diagnose or treat mental or physical health "
    "conditions\n"
    "- mentoring or advice: the coach does not tell the client what to do, nor give "
    "expert, legal, financial or medical advice\n"
    "- performance management: the coach does not assess the client for the sponsor, take "
    "part in disciplinary or capability processes, or stand in for the line manager\n\n"
    "The coach cannot guarantee particular results; what the coaching achieves depends "
    "above all on the client's own commitment."
)

REFERRAL_POLICY = (
    "The coach will suggest other support when the client's needs go beyond what coaching "
    "can offer: for example signs of serious distress, anxiety or depression, a health "
    "problem, a legal or financial difficulty, or a workplace dispute. Depending on the "
    "need, the coach may suggest that the client speaks to:\n"
    "- their GP\n"
    "- a counsellor or psychotherapist\n"
    "- the sponsor's employee assistance programme, where there is one\n"
    "- occupational health\n"
    "- another specialist adviser\n\n"
    "The coach has a duty of care to act in the client's best interests (CDI Code of "
    "Ethics, principle 7). If the coach believes that coaching is not, for the time being, "
    "in the client's interest, the coach may pause the coaching for the client's wellbeing "
    "and agree with the client what support would help and when to resume. A referral or "
    "a pause is discussed with the client first, and the reasons are not shared with the "
    "sponsor without the client's consent unless a limit of confidentiality applies; the "
    "sponsor is told only that sessions are paused."
)

INVOICING_TERMS = (
    "The coach invoices the payer named in this agreement. A fee for the whole programme "
    "is invoiced when the agreement is signed; a fee per session is invoiced monthly for "
    "the sessions held. Payment is due within 30 days of the invoice date.\n\n"
    "Invoices list sessions by date only and never describe what was discussed. Fees are "
    "stated before VAT, which is added where the coach is registered for it. Travel and "
    "other expenses are charged only where agreed in writing in advance."
)

CANCELLATION_TERMS = (
    "A session can be rescheduled without charge by giving at least 48 hours' notice. A "
    "session cancelled with less than 48 hours' notice, or missed without notice, counts "
    "as a session used, unless the coach accepts that the reason was beyond the client's "
    "control, such as sudden illness or an emergency. The sponsor is told that a session "
    "was missed, but not why.\n\n"
    "If the coach has to cancel a session, it is rearranged at no cost. If sessions remain "
    "unused at the agreed end date, the coach, the client and the sponsor agree whether to "
    "extend the coaching."
)

BREACH_PROCEDURE = (
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
    "safeguarding authority or the police, or the sponsor's named contact where the risk "
    "concerns the workplace.\n"
    "- Agree the method and timing of the disclosure with the client or, where that is not "
    "possible, inform the client of them.\n"
    "- Record what was disclosed, to whom, when and on what basis.\n"
    "- Review the coaching relationship with the client afterwards, including whether and "
    "how the coaching continues.\n\n"
    "Where someone is in immediate danger, the coach may contact the emergency services "
    "first and complete the other steps as soon as possible afterwards."
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

DATA_CONTROLLER = (
    "The coach is the data controller for the coaching notes and the other records the "
    "coach keeps about the coaching, and handles them under this agreement and data "
    "protection law (UK GDPR and the Data Protection Act 2018). The sponsor is the data "
    "controller for whatever it receives under the sharing arrangements, such as "
    "attendance reports, and handles it under its own data protection policies.\n\n"
    "Coaching records are kept on systems the coach controls and are never kept on the "
    "sponsor's systems, even when sessions take place on the sponsor's premises or video "
    "platform. They are stored securely and disposed of securely at the end of each "
    "retention period (ICF Code of Ethics, standard 11). The client may ask the coach for "
    "a copy of the personal data the coach holds about them."
)

CLIENT_CONFIDENTIALITY = (
    "Coaching often involves talking about colleagues, managers and the sponsor's "
    "business. The client respects the confidentiality of the other people discussed in "
    "sessions and of the sponsor's confidential business information, and shares such "
    "information only as far as the coaching needs it; the coach keeps it confidential.\n\n"
    "If the client breaks the confidentiality of others or of the sponsor in connection "
    "with the coaching, the coach raises it directly and privately with the client first, "
    "to understand what happened and agree how to put it right and prevent it happening "
    "again. Repeated or deliberate breaches may lead the coach to end the coaching. The "
    "coach does not report such a breach to the sponsor unless a limit of confidentiality "
    "applies."
)

HEALTH_INFORMATION = (
    "Information about the client's physical or mental health is special category data "
    "(UK GDPR, article 9). It is shared with the coach only by the client, and only as "
    "much as the client chooses. The coach keeps a record of it, or passes it on to "
    "anyone, only with the client's explicit written consent, except where a limit of "
    "confidentiality applies, such as an imminent risk of serious harm.\n\n"
    "The sponsor, including HR and the line manager, does not brief the coach about the "
    "client's health without the client's consent. If the sponsor believes that a health "
    "matter may affect the coaching, it raises this with the client, who decides what to "
    "tell the coach."
)

TERMINATION_TERMS = (
    "Any party may end this agreement by writing to the other two, giving the notice set "
    "out in this agreement. The client may stop the coaching without giving a reason, and "
    "the sponsor is then told only that the coaching has ended. The coach may end it "
    "without notice where continuing would conflict with the coach's code of ethics or "
    "the client's wellbeing requires it.\n\n"
    "When the agreement ends early:\n"
    "- sessions already held, and late cancellations, are paid for\n"
    "- unused sessions are not charged, and any fee paid in advance for them is refunded "
    "in proportion, unless the coach and the sponsor agree otherwise in writing\n"
    "- the coach offers the client a closing conversation where appropriate\n"
    "- records are kept and then securely disposed of according to the retention periods "
    "in this agreement, and nothing confidential is handed to the sponsor\n"
    "- the duties of confidentiality, and their limits, continue after the agreement ends"
)

AMENDMENT_PROCESS = (
    "The coach, the client and the sponsor review this agreement together on the review "
    "date it sets and at least once a year, and sooner if the situation changes, for "
    "example new goals, a new line manager or a change of role. The review checks that the "
    "goals, sessions, sharing arrangements and other terms still fit, and is a moment to "
    "remind everyone of the limits of confidentiality and of any reporting duties, such as "
    "safeguarding.\n\n"
    "Any change, however small, is made as a new version of the agreement that all three "
    "parties sign again; until then the signed version stands. Earlier versions are kept "
    "with the agreement's records."
)

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


def builtin_terms(*, profile: CoachProfile | None = None) -> dict[str, Any]:
    """Values for every field in contracts.models.Terms.TERMS_FIELDS.

    Goals are left empty (they belong to each client), and so are the location, the fee
    basis and amount, which the coach decides per agreement. With a profile, record
    retention, professional bodies and insurance come from the coach's own settings.
    """
    return {
        "coach_responsibilities": COACH_RESPONSIBILITIES,
        "client_responsibilities": CLIENT_RESPONSIBILITIES,
        "sponsor_responsibilities": SPONSOR_RESPONSIBILITIES,
        "nature_of_coaching": NATURE_OF_COACHING,
        "referral_policy": REFERRAL_POLICY,
        "goals": [],
        "session_count": 6,
        "session_length_minutes": 60,
        "session_frequency": "every three to four weeks",
        "session_format": SessionFormat.MIXED.value,
        "session_location": "",
        "fee_basis": "",
        "fee_amount": None,
        "fee_currency": Currency.GBP.value,
        "payer": Payer.SPONSOR.value,
        "invoicing_terms": INVOICING_TERMS,
        "cancellation_terms": CANCELLATION_TERMS,
        "sharing": default_sharing(),
        "feedback_anonymity": FeedbackAnonymity.BY_CATEGORY.value,
        "jurisdiction": Jurisdiction.ENGLAND_WALES.value,
        "jurisdiction_other": "",
        "confidentiality_limits": default_limits(jurisdiction=Jurisdiction.ENGLAND_WALES),
        "breach_procedure": BREACH_PROCEDURE,
        "organisational_guidelines": ORGANISATIONAL_GUIDELINES,
        "records": default_records(profile.retention_years() if profile else None),
        "data_controller": DATA_CONTROLLER,
        "client_confidentiality": CLIENT_CONFIDENTIALITY,
        "ethics_and_complaints": ethics_and_complaints(profile),
        "recording": RecordingPolicy.NEVER.value,
        "testimonials": TestimonialPolicy.ANONYMOUS.value,
        "health_information": HEALTH_INFORMATION,
        "termination_terms": TERMINATION_TERMS,
        "notice_days": 14,
        "amendment_process": AMENDMENT_PROCESS,
        "additional_terms": {},
    }


def ethics_and_complaints(profile: CoachProfile | None) -> str:
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
    return "\n\n".join([ethics, complaints, _insurance(profile)])


def _insurance(profile: CoachProfile | None) -> str:
    if (
        profile is None
        or not profile.has_insurance()
        or profile.insurance_expires_on is None  # implied by has_insurance(); for typing
    ):
        return GENERIC_INSURANCE
    amount = profile.insurance_cover_amount
    cover = f", with cover of {_money(amount, profile.insurance_cover_currency)}" if amount else ""
    return (
        f"The coach holds professional indemnity insurance with {profile.insurer.strip()}"
        f"{cover}, valid until {long_date(profile.insurance_expires_on)}. The coach will tell "
        "the client and the sponsor if this cover lapses or changes before the coaching ends."
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
