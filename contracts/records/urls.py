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
    path("clients/<int:pk>/records/export/", views.client_export, name="client-records-export"),
    path(
        "clients/<int:pk>/records/requests/new/",
        views.data_request_new,
        name="client-records-request-new",
    ),
    path(
        "clients/<int:pk>/records/requests/<int:data_request>/answered/",
        views.data_request_answered,
        name="client-data-request-answered",
    ),
    path(
        "clients/<int:pk>/records/requests/<int:data_request>/erase/",
        views.data_request_erase,
        name="client-data-request-erase",
    ),
    path(
        "clients/<int:pk>/records/requests/<int:data_request>/notify/",
        views.data_request_notify,
        name="client-data-request-notify",
    ),
    # The client, by the link to their copy (the code is always asked for here)
    path("copy/<str:token>/my-data/", views.my_data, name="copy-my-data"),
    path("copy/<str:token>/my-data/code/", views.my_data_code, name="copy-my-data-code"),
    path("copy/<str:token>/my-data/verify/", views.my_data_verify, name="copy-my-data-verify"),
]
