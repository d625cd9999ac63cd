"""Three-way meetings: the agreement's meeting plan as dated meetings, with agendas,
invitations and a note of what was agreed."""

from django.urls import path

from contracts.engagement.meetings import views

urlpatterns = [
    path("agreements/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("agreements/<int:pk>/meetings/plan/", views.meeting_plan, name="meeting-plan"),
    path(
        "agreements/<int:pk>/meetings/<int:meeting>/change/",
        views.meeting_change,
        name="meeting-change",
    ),
    path(
        "agreements/<int:pk>/meetings/<int:meeting>/invite/",
        views.meeting_invite,
        name="meeting-invite",
    ),
    path(
        "agreements/<int:pk>/meetings/<int:meeting>/agreed/",
        views.meeting_agreed,
        name="meeting-agreed",
    ),
]
