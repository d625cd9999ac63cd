from django.urls import path

from contracts import pdf_views, review_views, signing_views, views

app_name = "contracts"

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_create, name="agreement-create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/<slug:step>/", views.agreement_step, name="agreement-step"),
    path(
        "agreements/<int:pk>/preview/<slug:party>/",
        views.agreement_preview,
        name="agreement-preview",
    ),
    path("agreements/<int:pk>/duplicate/", views.agreement_duplicate, name="agreement-duplicate"),
    path("agreements/<int:pk>/send/", signing_views.agreement_send, name="agreement-send"),
    path("agreements/<int:pk>/sign/", signing_views.coach_sign, name="coach-sign"),
    path("agreements/<int:pk>/void/", signing_views.agreement_void, name="agreement-void"),
    path("agreements/<int:pk>/reopen/", signing_views.agreement_reopen, name="agreement-reopen"),
    path(
        "agreements/<int:pk>/resend/<int:signer>/",
        signing_views.signer_resend,
        name="signer-resend",
    ),
    path("agreements/<int:pk>/audit/", signing_views.agreement_audit, name="agreement-audit"),
    path("agreements/<int:pk>/pdf/<slug:kind>/", pdf_views.agreement_pdf, name="agreement-pdf"),
    path("agreements/<int:pk>/review/", review_views.review, name="review"),
    path("agreements/<int:pk>/review/start/", review_views.review_start, name="review-start"),
    path("agreements/<int:pk>/review/holds/", review_views.review_holds, name="review-holds"),
    path("agreements/<int:pk>/review/amend/", review_views.review_amend, name="review-amend"),
    path("agreements/<int:pk>/review/date/", review_views.review_date, name="review-date"),
    path("agreements/<int:pk>/changes/", review_views.agreement_changes, name="agreement-changes"),
    path(
        "agreements/<int:pk>/versions/<int:number>/",
        review_views.agreement_version,
        name="agreement-version",
    ),
    # Client and sponsor, by emailed link (no account)
    path("sign/<str:token>/", signing_views.sign, name="sign"),
    path("sign/<str:token>/code/", signing_views.send_code, name="sign-code"),
    path("sign/<str:token>/verify/", signing_views.verify_code, name="sign-verify"),
    path("sign/<str:token>/decline/", signing_views.decline, name="sign-decline"),
    path("signed/", signing_views.signed, name="signed"),
    path("sign/<str:token>/pdf/", pdf_views.sign_pdf, name="sign-pdf"),
    path("copy/<str:token>/", signing_views.copy, name="copy"),
    path("copy/<str:token>/pdf/", pdf_views.copy_pdf, name="copy-pdf"),
    path("verify/", pdf_views.verify, name="verify"),
    path("review/<str:token>/", review_views.review_confirm, name="review-confirm"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/<int:pk>/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/edit/<slug:step>/", views.template_step, name="template-step"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template-delete"),
]
