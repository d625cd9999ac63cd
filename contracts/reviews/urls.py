from django.urls import path

from contracts.reviews import views

urlpatterns = [
    path("agreements/<int:pk>/review/", views.review, name="review"),
    path("agreements/<int:pk>/review/start/", views.review_start, name="review-start"),
    path("agreements/<int:pk>/review/holds/", views.review_holds, name="review-holds"),
    path("agreements/<int:pk>/review/amend/", views.review_amend, name="review-amend"),
    path("agreements/<int:pk>/review/date/", views.review_date, name="review-date"),
    path("agreements/<int:pk>/changes/", views.agreement_changes, name="agreement-changes"),
    path(
        "agreements/<int:pk>/versions/<int:number>/",
        views.agreement_version,
        name="agreement-version",
    ),
    path("review/<str:token>/", views.review_confirm, name="review-confirm"),
]
