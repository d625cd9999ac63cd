"""Two tabs, or two people, editing one draft: each step saves only its own answers, and
only over the answers its page was built from.

A step's page carries a fingerprint of that step's saved answers. Saving compares it,
under the row's lock, with the answers saved now: when another tab or person changed
them in between, the save is refused (`StaleStep`) and nothing typed is lost, since the
page is shown back with the refused input. Other steps' answers are never written, so
two tabs on two different steps both keep their work.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models

from contracts.models import Terms


class NotADraft(Exception):
    """The agreement was sent (or signed, declined, voided) since the page was built:
    only Reopen makes it a draft again."""


class StaleStep(Exception):
    """The step's answers changed since its page was built: `changed` names the fields
    whose saved value now differs from what was submitted, `seen` is the new fingerprint."""

    def __init__(self, *, changed: list[str], seen: str) -> None:
        super().__init__(", ".join(changed))
        self.changed = changed
        self.seen = seen


def saved_value(terms: Terms, name: str, *, step_key: str) -> Any:
    """The value of one of a step's fields as saved on `terms`, in comparable form."""
    if name == "additional_terms":
        extra = terms.additional_terms if isinstance(terms.additional_terms, dict) else {}
        return extra.get(step_key, "")
    field = terms._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{name} is not a field of the terms")
    if isinstance(field, models.ManyToManyField):
        return sorted(item.pk for item in getattr(terms, name).all()) if terms.pk else []
    if isinstance(field, models.ForeignKey):
        return getattr(terms, field.attname)
    return field.value_from_object(terms)


def step_fingerprint(terms: Terms, *, step_key: str, fields: list[str]) -> str:
    values = {name: saved_value(terms, name, step_key=step_key) for name in sorted(fields)}
    encoded = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]
