from django.urls import path

from contracts.overview import views

urlpatterns = [
    path("agreements/<int:pk>/engagement/", views.engagement, name="engagement"),
]
