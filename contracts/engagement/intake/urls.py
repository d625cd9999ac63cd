from django.urls import path

from contracts.engagement.intake import views

urlpatterns = [
    # The coach's side
    path("agreements/<int:pk>/intake/", views.agreement_intake, name="agreement-intake"),
    path(
        "agreements/<int:pk>/intake/<int:intake>/",
        views.agreement_intake_read,
        name="agreement-intake-read",
    ),
    path(
        "agreements/<int:pk>/intake/<int:intake>/resend/",
        views.agreement_intake_resend,
        name="agreement-intake-resend",
    ),
    path(
        "agreements/<int:pk>/intake/<int:intake>/withdraw/",
        views.agreement_intake_withdraw,
        name="agreement-intake-withdraw",
    ),
    path("questionnaires/", views.questionnaire_list, name="questionnaire-list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire-create"),
    path("questionnaires/<int:pk>/", views.questionnaire_edit, name="questionnaire-edit"),
    path(
        "questionnaires/<int:pk>/delete/",
        views.questionnaire_delete,
        name="questionnaire-delete",
    ),
    # The client, by emailed link (its code pages are with the other links' in signing)
    path("intake/<str:token>/", views.intake, name="intake"),
]
