from django.urls import path

from contracts.signing import views

urlpatterns = [
    # The coach's side
    path("agreements/<int:pk>/send/", views.agreement_send, name="agreement-send"),
    path("programmes/<int:pk>/send-all/", views.programme_send_all, name="programme-send-all"),
    path("agreements/<int:pk>/sign/", views.coach_sign, name="coach-sign"),
    path("agreements/<int:pk>/void/", views.agreement_void, name="agreement-void"),
    path("agreements/<int:pk>/reopen/", views.agreement_reopen, name="agreement-reopen"),
    path("agreements/<int:pk>/resend/<int:signer>/", views.signer_resend, name="signer-resend"),
    path(
        "agreements/<int:pk>/decline/dealt-with/",
        views.decline_dealt_with,
        name="agreement-decline-dealt-with",
    ),
    path(
        "agreements/<int:pk>/emails/<int:email>/resend/", views.email_resend, name="email-resend"
    ),
    path(
        "agreements/<int:pk>/emails/<int:email>/dismiss/",
        views.email_dismiss,
        name="email-dismiss",
    ),
    path("agreements/<int:pk>/audit/", views.agreement_audit, name="agreement-audit"),
    # Client and sponsor, by emailed link (no account)
    path("sign/<str:token>/", views.sign, name="sign"),
    path("sign/<str:token>/code/", views.send_code, name="sign-code"),
    path("sign/<str:token>/verify/", views.verify_code, name="sign-verify"),
    path("sign/<str:token>/decline/", views.decline, name="sign-decline"),
    path("signed/", views.signed, name="signed"),
    path("copy/<str:token>/", views.copy, name="copy"),
    path("copy/<str:token>/current/", views.copy_current, name="copy-current"),
    path("copy/<str:token>/code/", views.copy_send_code, name="copy-code"),
    path("copy/<str:token>/verify/", views.copy_verify_code, name="copy-verify"),
    path("review/<str:token>/code/", views.review_send_code, name="review-code"),
    path("review/<str:token>/verify/", views.review_verify_code, name="review-verify"),
    path("intake/<str:token>/code/", views.intake_send_code, name="intake-code"),
    path("intake/<str:token>/verify/", views.intake_verify_code, name="intake-verify"),
    path("decide/<str:token>/code/", views.decide_send_code, name="decide-code"),
    path("decide/<str:token>/verify/", views.decide_verify_code, name="decide-verify"),
]
