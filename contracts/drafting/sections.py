"""The sections of an agreement, in order: what the builder's steps, the checks, every
party's view and the comparison of versions call each part of the terms."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    agreement_only: bool = False  # templates have no parties
    sponsor_only: bool = False  # a private client's agreement shares nothing


SECTIONS = [
    Section("parties", "Parties", agreement_only=True),
    Section("roles", "Coaching and roles"),
    Section("goals", "Goals"),
    Section("logistics", "Sessions and dates"),
    Section("fees", "Fees"),
    Section("sharing", "What is shared", sponsor_only=True),
    Section("limits", "Limits of confidentiality"),
    Section("conduct", "Conduct and duties"),
    Section("records", "Records"),
    Section("ethics", "Ethics and consents"),
    Section("ending", "Ending and review"),
]
SECTION_TITLES = {section.key: section.title for section in SECTIONS}


def agreement_sections(*, two_party: bool) -> list[Section]:
    """The sections of an agreement: all of them, less sharing for a private client."""
    return [section for section in SECTIONS if not (two_party and section.sponsor_only)]


def template_sections() -> list[Section]:
    return [section for section in SECTIONS if not section.agreement_only]
