"""Forms of the signing pages: confirm each limit and rule, accept the disclosure, sign."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape

from contracts import terms
from contracts.drafting.perspectives import SharingStatement
from contracts.models import Agreement, SigningOrder
from contracts.signing.disclosure import DISCLOSURE_TITLE
from contracts.signing.signature_image import InvalidSignature, decode_signature

SIGN_BUTTON = "Sign the agreement"


class SignForm(forms.Form):
    """Everything a signer confirms, one item at a time, before the signature itself."""

    disclosure = forms.BooleanField(
        label="I agree to receive and sign this agreement electronically.",
        error_messages={"required": "Agree to electronic records and signatures to sign online."},
    )
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
        limits: list[terms.LimitItem],
        statements: list[SharingStatement],
        organisation: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limit_keys = [item["key"] for item in limits]
        self.statement_keys = [statement.key for statement in statements]
        for item in limits:
            self.fields[f"limit_{item['key']}"] = forms.BooleanField(
                label=f"I understand: {item['title']}.",
                # Help texts are shown as HTML; the wording is the coach's own text.
                help_text=escape(item["wording"]),
                error_messages={"required": "Confirm that you understand this limit."},
            )
        for statement in statements:
            self.fields[f"share_{statement.key}"] = forms.BooleanField(
                label=statement.sentence,
                error_messages={"required": "Confirm that you understand this rule."},
            )
        if organisation:
            self.fields["authority"] = forms.BooleanField(
                label=f"I am authorised to sign this agreement on behalf of {organisation}.",
                error_messages={"required": f"Confirm that you may sign for {organisation}."},
            )
        self.order_fields(
            [
                *(f"limit_{key}" for key in self.limit_keys),
                *(f"share_{key}" for key in self.statement_keys),
                "disclosure",
                "authority",
                "typed_name",
                "drawn_signature",
            ]
        )
        self.fields["disclosure"].help_text = DISCLOSURE_TITLE

    def limit_fields(self) -> list[forms.BoundField]:
        return [self[f"limit_{key}"] for key in self.limit_keys]

    def statement_fields(self) -> list[forms.BoundField]:
        return [self[f"share_{key}"] for key in self.statement_keys]

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
