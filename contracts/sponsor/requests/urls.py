from django.urls import path

from contracts.sponsor.requests import views

urlpatterns = [
    # The coach's side
    path("requests/", views.request_inbox, name="request-inbox"),
    path("agreements/<int:pk>/requests/", views.agreement_requests, name="agreement-requests"),
    path(
        "agreements/<int:pk>/requests/<int:request_id>/",
        views.agreement_request,
        name="agreement-request",
    ),
    path(
        "agreements/<int:pk>/requests/<int:request_id>/decline/",
        views.agreement_request_decline,
        name="agreement-request-decline",
    ),
    path(
        "agreements/<int:pk>/requests/<int:request_id>/prepare/",
        views.agreement_request_prepare,
        name="agreement-request-prepare",
    ),
    path(
        "agreements/<int:pk>/reports/new/", views.agreement_report_new, name="agreement-report-new"
    ),
    path(
        "agreements/<int:pk>/releases/<int:release_id>/",
        views.agreement_release,
        name="agreement-release",
    ),
    path(
        "agreements/<int:pk>/releases/<int:release_id>/to-client/",
        views.agreement_release_to_client,
        name="agreement-release-to-client",
    ),
    path(
        "agreements/<int:pk>/releases/<int:release_id>/release/",
        views.agreement_release_send,
        name="agreement-release-send",
    ),
    path(
        "agreements/<int:pk>/releases/<int:release_id>/withdraw/",
        views.agreement_release_withdraw,
        name="agreement-release-withdraw",
    ),
    # The client decides, and the recipient reads, by emailed link
    path("decide/<str:token>/", views.decide, name="decide"),
    path("copy/<str:token>/releases/<int:release_id>/", views.release_copy, name="release-copy"),
    path(
        "copy/<str:token>/releases/<int:release_id>/pdf/",
        views.release_copy_pdf,
        name="release-copy-pdf",
    ),
]
