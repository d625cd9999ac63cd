"""The coach's pages of private notes. Lists show dates and sizes only; a note's text is
shown on its own page (and in its edit form), each showing being one audited read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from coaching.http import CoachRequest
from coaching.twofactor import fresh_factor_required
from contracts.access import owned_agreement
from contracts.engagement.crypto import NotesKeyMismatch
from contracts.engagement.notes import services
from contracts.engagement.notes.forms import ChangeNoteForm, NewNoteForm
from contracts.models import PrivateNote


def _owned_note(request: CoachRequest, pk: int) -> PrivateNote:
    """The signed-in coach's note named in the URL; another coach's is the same 404 as
    one that does not exist."""
    try:
        return services.notes_for_coach(request.user).get(pk=pk)
    except PrivateNote.DoesNotExist:
        raise Http404("No such record in your practice.") from None


@login_required
@fresh_factor_required
def agreement_notes(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    notes = agreement.notes.select_related("session")
    return render(
        request,
        "contracts/engagement/notes/list.html",
        {
            "agreement": agreement,
            "notes": [(note, services.note_size(note)) for note in notes],
        },
    )


@login_required
@fresh_factor_required
def note_new(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    initial = {}
    wanted = request.GET.get("session", "")
    if wanted.isdecimal() and agreement.sessions.filter(pk=int(wanted)).exists():
        initial["session"] = int(wanted)
    data = request.POST if request.method == "POST" else None
    form = NewNoteForm(data, agreement=agreement, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.note_write(
                agreement=agreement,
                coach=request.user,
                text=form.cleaned_data["text"],
                session=form.cleaned_data["session"],
                request=request,
            )
        except services.NoteError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your note is saved, encrypted. Only you can read it.")
            return redirect("contracts:agreement-notes", pk=agreement.pk)
    return render(
        request,
        "contracts/engagement/notes/form.html",
        {"agreement": agreement, "form": form, "note": None},
    )


@login_required
@fresh_factor_required
def note_detail(request: CoachRequest, pk: int) -> HttpResponse:
    note = _owned_note(request, pk)
    text = services.note_read(note=note, coach=request.user, request=request)
    return render(
        request,
        "contracts/engagement/notes/detail.html",
        {"agreement": note.agreement, "note": note, "text": text},
    )


@login_required
@fresh_factor_required
def note_edit(request: CoachRequest, pk: int) -> HttpResponse:
    note = _owned_note(request, pk)
    status = 200
    saved_text = None
    if request.method == "POST":
        form = ChangeNoteForm(request.POST)
        if form.is_valid():
            try:
                services.note_change(
                    note=note,
                    coach=request.user,
                    text=form.cleaned_data["text"],
                    revision=form.cleaned_data["revision"],
                    request=request,
                )
            except services.StaleNote as stale:
                # The refused text stays in the form, now answering the saved revision:
                # saving it again replaces the other save, knowingly.
                note.refresh_from_db()
                data = request.POST.copy()
                data["revision"] = str(stale.revision)
                form = ChangeNoteForm(data)
                form.is_valid()
                form.add_error(
                    None,
                    "This note was changed in another tab or by another person since you "
                    "opened it, so your text was not saved. It is below, as you wrote it; "
                    "the note as saved now is shown beside it. Merge what you want to keep, "
                    "then save again.",
                )
                try:
                    saved_text = services.note_read(note=note, coach=request.user, request=request)
                except NotesKeyMismatch:
                    # The refused text is still shown back: only the saved one is missing.
                    saved_text = "(The saved note cannot be decrypted just now.)"
                status = 409
            except services.NoteError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Your changes are saved, encrypted.")
                return redirect("contracts:agreement-notes", pk=note.agreement_id)
    else:
        text = services.note_read(note=note, coach=request.user, request=request)
        form = ChangeNoteForm(initial={"text": text, "revision": note.revision})
    return render(
        request,
        "contracts/engagement/notes/form.html",
        {"agreement": note.agreement, "form": form, "note": note, "saved_text": saved_text},
        status=status,
    )


@login_required
@fresh_factor_required
def note_delete(request: CoachRequest, pk: int) -> HttpResponse:
    note = _owned_note(request, pk)
    if request.method == "POST":
        services.note_delete(note=note, coach=request.user, request=request)
        messages.success(request, "The note is deleted.")
        return redirect("contracts:agreement-notes", pk=note.agreement_id)
    return render(
        request,
        "contracts/engagement/notes/delete.html",
        {"agreement": note.agreement, "note": note},
    )
