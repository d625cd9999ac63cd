from django.urls import URLPattern, path

from contracts.sponsor.portal import views

# Sponsor contacts, by emailed sign-in link (no account)
urlpatterns: list[URLPattern] = [
    path("portal/", views.sign_in, name="portal"),
    path("portal/enter/<str:token>/", views.enter, name="portal-enter"),
    path("portal/sign-out/", views.sign_out, name="portal-sign-out"),
    path("portal/agreements/", views.home, name="portal-home"),
    path("portal/agreements/<int:pk>/", views.agreement, name="portal-agreement"),
    path("portal/agreements/<int:pk>/ask/", views.ask, name="portal-ask"),
    path("portal/releases/<int:pk>/pdf/", views.release_pdf, name="portal-release-pdf"),
]
