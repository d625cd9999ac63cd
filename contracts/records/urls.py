from django.urls import path

from contracts.records import views

urlpatterns = [
    path("records/", views.records_due, name="records-due"),
    path("records/log/", views.disposal_log, name="records-log"),
    path("records/holds/<int:pk>/lift/", views.hold_lift, name="records-hold-lift"),
    path("agreements/<int:pk>/records/", views.agreement_records, name="agreement-records"),
    path(
        "agreements/<int:pk>/records/dispose/",
        views.agreement_dispose,
        name="agreement-records-dispose",
    ),
    path(
        "agreements/<int:pk>/records/ended/", views.agreement_ended, name="agreement-records-ended"
    ),
    path("agreements/<int:pk>/records/hold/", views.agreement_hold, name="agreement-records-hold"),
    path("clients/<int:pk>/records/", views.client_records, name="client-records"),
    path("clients/<int:pk>/records/hold/", views.client_hold, name="client-records-hold"),
]
