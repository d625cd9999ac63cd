from django.contrib import admin
from django.urls import include, path

from coaching import accounts, views

coaching_patterns = [
    path("", views.home, name="home"),
    # The coach's account
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/sent/", accounts.signup_sent, name="signup-sent"),
    path("accounts/signup/finish/", accounts.signup_finish, name="signup-finish"),
    path("accounts/login/", accounts.sign_in, name="login"),
    path("accounts/logout/", accounts.sign_out, name="logout"),
    path("accounts/password/change/", accounts.password_change, name="password-change"),
    path(
        "accounts/password/change/done/",
        accounts.password_change_done,
        name="password-change-done",
    ),
    path("accounts/password/reset/", accounts.password_reset, name="password-reset"),
    path(
        "accounts/password/reset/sent/", accounts.password_reset_done, name="password-reset-done"
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/done/",
        accounts.password_reset_complete,
        name="password-reset-complete",
    ),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/branding/", accounts.branding, name="branding"),
    path("brand/<slug:key>.css", accounts.brand_stylesheet, name="brand-css"),
    path("brand/<slug:key>/logo", accounts.brand_logo, name="brand-logo"),
    path("accounts/sessions/<int:pk>/end/", accounts.session_end, name="session-end"),
    path("accounts/memberships/new/", accounts.membership_create, name="membership-create"),
    path("accounts/memberships/<int:pk>/edit/", accounts.membership_edit, name="membership-edit"),
    path(
        "accounts/memberships/<int:pk>/delete/",
        accounts.membership_delete,
        name="membership-delete",
    ),
    # Clients
    path("clients/", views.client_list, name="client-list"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/archive/", views.client_archive, name="client-archive"),
    # Sponsor organisations and their contacts
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path(
        "organisations/<int:pk>/archive/",
        views.organisation_archive,
        name="organisation-archive",
    ),
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/archive/", views.contact_archive, name="contact-archive"),
]

urlpatterns = [
    path("", include((coaching_patterns, "coaching"))),
    # allauth's pages: the address, the second factor, passkeys, sessions, single sign-on
    # (coaching.allauth_urls, which imports the passkey views only when first used).
    # Where a path is also ours (sign-in, sign-up, password pages), ours comes first.
    path("accounts/", include("coaching.allauth_urls")),
    path("", include("contracts.urls")),
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
]
