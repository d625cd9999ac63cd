from django.urls import URLPattern, path

from contracts.sponsor.programmes import views

urlpatterns: list[URLPattern] = [
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_new, name="programme-new"),
    path("programmes/clients-sample.csv", views.programme_sample_csv, name="programme-sample"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path(
        "programmes/<int:pk>/agreements/add/",
        views.programme_agreements_add,
        name="programme-agreements-add",
    ),
    path(
        "programmes/<int:pk>/agreements/remove/",
        views.programme_agreement_remove,
        name="programme-agreement-remove",
    ),
    path("programmes/<int:pk>/from-csv/", views.programme_bulk, name="programme-bulk"),
    path(
        "programmes/<int:pk>/from-csv/create/",
        views.programme_bulk_create,
        name="programme-bulk-create",
    ),
]
