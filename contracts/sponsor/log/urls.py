"""The disclosure log's pages and exports, and the record of breaking confidentiality
by the agreed procedure."""

from django.urls import URLPattern, path

from contracts.sponsor.log import views

urlpatterns: list[URLPattern] = [
    path(
        "agreements/<int:pk>/disclosures/",
        views.agreement_disclosures,
        name="agreement-disclosures",
    ),
    path(
        "agreements/<int:pk>/disclosures.csv",
        views.agreement_disclosures_csv,
        name="agreement-disclosures-csv",
    ),
    path(
        "agreements/<int:pk>/disclosures.pdf",
        views.agreement_disclosures_pdf,
        name="agreement-disclosures-pdf",
    ),
    path("clients/<int:pk>/disclosures/", views.client_disclosures, name="client-disclosures"),
    path(
        "clients/<int:pk>/disclosures.csv",
        views.client_disclosures_csv,
        name="client-disclosures-csv",
    ),
    path(
        "clients/<int:pk>/disclosures.pdf",
        views.client_disclosures_pdf,
        name="client-disclosures-pdf",
    ),
    path("agreements/<int:pk>/breach/new/", views.breach_new, name="agreement-breach-new"),
    path("agreements/<int:pk>/breach/<int:breach>/", views.breach_detail, name="agreement-breach"),
]
