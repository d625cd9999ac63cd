"""Forms of the sponsor portal: ask for a sign-in link, ask for information."""

from __future__ import annotations

from django import forms

from contracts.terms import InformationKind

# The choice for a kind the agreement's matrix does not list: answered as "never".
SOMETHING_ELSE = "other"


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        error_messages={"required": "Enter the email address your coach has for you."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AskForm(forms.Form):
    """What a sponsor contact asks for: a kind of information, and in their words what."""

    kind = forms.ChoiceField(
        label="What kind of information",
        choices=[*InformationKind.choices, (SOMETHING_ELSE, "Something else")],
        error_messages={
            "required": "Choose the kind of information you are asking for.",
            "invalid_choice": "Choose one of the kinds of information listed.",
        },
    )
    asked = forms.CharField(
        label="What would you like to know?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe what you would like to know."},
    )

    @property
    def information_kind(self) -> str:
        """The kind as the request records it: empty for something the matrix lacks."""
        kind: str = self.cleaned_data["kind"]
        return "" if kind == SOMETHING_ELSE else kind
