"""Forms of the signing pages: confirm each limit and each recipient's rules, then sign."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.html import escape

from contracts import terms
from contracts.models import Agreement, SigningOrder
from contracts.signing.disclosure import DISCLOSURE_TITLE, DISCLOSURE_VERSION
from contracts.signing.signature_image import InvalidSignature, decode_signature
from contracts.signing.summary import RecipientTable

SIGN_BUTTON = "Sign the agreement"


def sign_statement(*, organisation: str = "") -> str:
    """The words beside the sign button: pressing it accepts them, and they are kept with
    the signature. A sponsor's signatory affirms their authority in the same breath."""
    statement = (
        "By signing, you agree to receive and sign this agreement electronically, as "
        f'"{DISCLOSURE_TITLE}" (version {DISCLOSURE_VERSION}) explains'
    )
    if organisation:
        statement += f", and you confirm that you are authorised to sign it for {organisation}"
    return statement + "."


@dataclass(frozen=True)
class Problem:
    """One line of the error summary: what to put right, and where."""

    anchor: str
    message: str


def problems(form: forms.Form) -> list[Problem]:
    """Every error of a bound form, in the order of its fields, each with the id of the
    control to go to (errors that belong to no field come first, without one)."""
    found = [Problem("", str(message)) for message in form.non_field_errors()]
    for name in form.fields:
        bound = form[name]
        found.extend(Problem(f"#{bound.auto_id}", str(message)) for message in bound.errors)
    return found


class SignForm(forms.Form):
    """What a signer confirms before signing: each limit of confidentiality given, and
    each recipient's table once; then the signature itself."""

    typed_name = forms.CharField(
        label="Type your full name to sign",
        max_length=150,
        error_messages={"required": "Type your full name: it is your signature."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        limits: list[terms.LimitItem] | None = None,
        recipients: list[RecipientTable] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limits = list(limits or [])
        self.recipients = list(recipients or [])
        for table in self.recipients:
            self.fields[table.field_name] = forms.BooleanField(
                label=table.confirmation,
                error_messages={
                    "required": f"Confirm that you understand what {table.name} will and "
                    "will not receive."
                },
            )
        for item in self.limits:
            self.fields[f"limit_{item['key']}"] = forms.BooleanField(
                label=f"I understand: {item['title']}.",
                # Help texts are shown as HTML; the wording is the coach's own text.
                help_text=escape(item["wording"]),
                error_messages={
                    "required": f"Confirm that you understand this limit: {item['title']}."
                },
            )
        self.order_fields(
            [
                *(table.field_name for table in self.recipients),
                *(f"limit_{item['key']}" for item in self.limits),
                "disclosure",
                "typed_name",
                "drawn_signature",
            ]
        )

    @property
    def limit_keys(self) -> list[str]:
        return [item["key"] for item in self.limits]

    def limit_field(self, key: str) -> forms.BoundField | None:
        name = f"limit_{key}"
        return self[name] if name in self.fields else None

    def recipient_field(self, table: RecipientTable) -> forms.BoundField | None:
        return self[table.field_name] if table.field_name in self.fields else None

    def confirmed_sharing(self) -> dict[str, list[str]]:
        """Each recipient confirmed, with every rule its table covers."""
        return {str(table.recipient): list(table.keys) for table in self.recipients}

    def clean_typed_name(self) -> str:
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2:
            raise forms.ValidationError("Type your full name: it is your signature.")
        return name

    def clean_drawn_signature(self) -> bytes | None:
        try:
            return decode_signature(self.cleaned_data.get("drawn_signature") or "")
        except InvalidSignature as error:
            raise forms.ValidationError(str(error)) from None


class CoachSignForm(SignForm):
    """The coach signs in the app, ticking the disclosure as before."""

    disclosure = forms.BooleanField(
        label="I agree to receive and sign this agreement electronically.",
        help_text=DISCLOSURE_TITLE,
        error_messages={"required": "Agree to electronic records and signatures to sign online."},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why are you declining?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your reason goes to the coach, so that they can put it right.",
        error_messages={"required": "Tell the coach why, so that they can put it right."},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        error_messages={"required": "Enter the 6-digit code from the email."},
    )


INVITATION_MESSAGE_MAX = 2000


class SendForm(forms.ModelForm[Agreement]):
    """The last choices before sending: the signing order, an emailed code, and a personal
    message for the invitations."""

    invitation_message = forms.CharField(
        label="Personal message to the parties (optional)",
        required=False,
        max_length=INVITATION_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown in the invitation emails and reminders, and at the top of the "
        "signing page, as you write it. It is not part of the agreement, and not signed.",
        error_messages={
            "max_length": "Keep the message to %(limit_value)d characters (it has %(show_value)d)."
        },
    )

    class Meta:
        model = Agreement
        fields = ("signing_order", "require_email_code")
        widgets = {"signing_order": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.is_two_party:
            field = self.fields["signing_order"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - a choices model field
            field.choices = [
                (SigningOrder.PARALLEL, "Both at the same time"),
                (SigningOrder.CLIENT_FIRST, "The client, then the coach"),
                (SigningOrder.COACH_FIRST, "The coach, then the client"),
            ]


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Why are you voiding this agreement?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The parties are told that the agreement was withdrawn; the reason stays in "
        "the audit trail.",
        error_messages={"required": "Give a reason: it is kept in the audit trail."},
    )
