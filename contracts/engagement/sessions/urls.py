from django.urls import URLPattern, path

from contracts.engagement.sessions import views

urlpatterns: list[URLPattern] = [
    path("agreements/<int:pk>/sessions/", views.sessions, name="sessions"),
    path("agreements/<int:pk>/sessions/<int:session>/", views.session_edit, name="session-edit"),
    path(
        "agreements/<int:pk>/sessions/<int:session>/delete/",
        views.session_delete,
        name="session-delete",
    ),
    path("agreements/<int:pk>/sessions.ics", views.sessions_ics, name="sessions-ics"),
    path("coaching-log/", views.log_page, name="coaching-log"),
    path("coaching-log.csv", views.log_csv, name="coaching-log-csv"),
    path("coaching-log.pdf", views.log_pdf, name="coaching-log-pdf"),
    path("copy/<str:token>/log-consent/", views.log_consent, name="copy-log-consent"),
]
