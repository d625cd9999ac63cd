"""Forms of the review: the coach's notes, and the next review date."""

from __future__ import annotations

from typing import Any

from django import forms

from contracts.models import Agreement, Review


class NextReviewForm(forms.ModelForm[Agreement]):
    class Meta:
        model = Agreement
        fields = ("next_review_on",)
        widgets = {
            "next_review_on": forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            )
        }
        error_messages = {"next_review_on": {"required": "Choose the date of the next review."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The column may be empty (an agreement not yet signed has no review date), but
        # a signed one always keeps a date: clearing the field is an error, not a choice.
        self.fields["next_review_on"].required = True
        # The model's help text is for the admin; the review page shows none, and a
        # description that is not on the page would leave screen readers a dead reference.
        self.fields["next_review_on"].help_text = ""

    def clean_next_review_on(self) -> Any:
        day = self.cleaned_data["next_review_on"]
        if day is not None and self.instance.end_date and day > self.instance.end_date:
            raise forms.ValidationError(
                "That is after the engagement ends: choose a date before "
                f"{self.instance.end_date:%d %B %Y}, or amend the end date."
            )
        return day


class ReviewNotesForm(forms.ModelForm[Review]):
    class Meta:
        model = Review
        fields = ("notes",)
        widgets = {"notes": forms.Textarea(attrs={"rows": 8})}
