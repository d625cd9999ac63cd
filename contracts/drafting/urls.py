from django.urls import path

from contracts.drafting import views

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
    path("templates/", views.template_list, name="template-list"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/<int:pk>/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/edit/<slug:step>/", views.template_step, name="template-step"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template-delete"),
]
