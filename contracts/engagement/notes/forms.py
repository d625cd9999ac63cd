"""The forms of private notes: the text, the session it is about, and the revision the
page was built from."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from contracts.engagement.notes.services import MAX_NOTE_CHARS
from contracts.models import Agreement, CoachingSession


class SessionChoice(forms.ModelChoiceField[CoachingSession]):
    def label_from_instance(self, obj: CoachingSession) -> str:
        when = timezone.localtime(obj.starts_at)
        return f"{when:%d %B %Y, %H:%M} · {obj.get_status_display()}"


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="For you only: encrypted when saved, never shown to the client or sponsor.",
        error_messages={"required": "Write something in the note."},
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("Write something in the note.")
        return text


class NewNoteForm(NoteForm):
    session = SessionChoice(
        queryset=CoachingSession.objects.none(),
        required=False,
        empty_label="The agreement as a whole",
        label="About",
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(SessionChoice, self.fields["session"])
        field.queryset = agreement.sessions.order_by("-starts_at")


class ChangeNoteForm(NoteForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
