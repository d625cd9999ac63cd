from django.urls import path

from contracts.documents import views

urlpatterns = [
    path("agreements/<int:pk>/pdf/<slug:kind>/", views.agreement_pdf, name="agreement-pdf"),
    path("agreements/<int:pk>/pdfs/<int:pdf>/retry/", views.pdf_retry, name="pdf-retry"),
    path("agreements/<int:pk>/pdfs/<int:pdf>/status/", views.pdf_status, name="pdf-status"),
    path("sign/<str:token>/pdf/", views.sign_pdf, name="sign-pdf"),
    path("copy/<str:token>/pdf/", views.copy_pdf, name="copy-pdf"),
    path("signed/pdf/", views.signed_pdf, name="signed-pdf"),
    path("verify/", views.verify, name="verify"),
]
