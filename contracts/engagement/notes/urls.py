from django.urls import path

from contracts.engagement.notes import views

urlpatterns = [
    path("agreements/<int:pk>/notes/", views.agreement_notes, name="agreement-notes"),
    path("agreements/<int:pk>/notes/new/", views.note_new, name="agreement-note-new"),
    path("notes/<int:pk>/", views.note_detail, name="note-detail"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note-edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note-delete"),
]
