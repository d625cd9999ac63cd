from typing import Any

from allauth.mfa import admin as _mfa_admin  # noqa: F401  (registers, to be undone below)
from allauth.mfa.models import Authenticator
from allauth.socialaccount import admin as _social_admin  # noqa: F401
from allauth.socialaccount.models import SocialApp, SocialToken
from allauth.usersessions import admin as _sessions_admin  # noqa: F401
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from coaching.forms import AccountEmailField, AdminSignInForm
from coaching.models import (
    Client,
    CoachProfile,
    Membership,
    Organisation,
    SponsorContact,
    TokenBucket,
    User,
)

# The admin's sign-in goes through the same throttle as the coaches' one.
admin.site.login_form = AdminSignInForm

# allauth's own admin pages, loaded here first so that some can be taken away: the second
# factors' secrets and the sign-on tokens are never shown (an operator resets a lost second
# factor with `manage.py reset_two_factor`, which is recorded and tells the coach), and the
# sign-on providers come from the environment.
admin.site.unregister(Authenticator)
admin.site.unregister(SocialToken)
admin.site.unregister(SocialApp)
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin[UserSession]):
    list_display = ("user", "created_at", "last_seen_at", "ip", "user_agent")
    search_fields = ("user__email", "ip")
    raw_id_fields = ("user",)
    readonly_fields = ("session_key",)


class ProfileInline(admin.StackedInline[CoachProfile, User]):
    model = CoachProfile
    can_delete = False


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ("email",)
    list_display = ("email", "full_name", "practice", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "date_joined")
    search_fields = ("email", "full_name", "profile__practice_name")
    list_select_related = ("profile",)
    inlines = (ProfileInline, MembershipInline)
    # Addresses are normalised before they are validated: fullwidth letters and ß pass.
    formfield_overrides = {models.EmailField: {"form_class": AccountEmailField}}
    fieldsets = (
        (None, {"fields": ("email", "full_name", "password")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    @admin.display(description="Practice", ordering="profile__practice_name")
    def practice(self, user: User) -> str:
        return user.profile.practice_name

    def save_related(
        self, request: HttpRequest, form: ModelForm[User], formsets: Any, change: bool
    ) -> None:
        """An account added here gets its profile in the same transaction, like any other."""
        super().save_related(request, form, formsets, change)
        CoachProfile.objects.get_or_create(coach=form.instance)


@admin.register(CoachProfile)
class CoachProfileAdmin(admin.ModelAdmin[CoachProfile]):
    list_display = ("coach", "practice_name", "time_zone", "insurer", "insurance_expires_on")
    list_filter = ("time_zone", "insurance_cover_currency", "review_interval_months")
    search_fields = ("practice_name", "coach__email", "coach__full_name")
    list_select_related = ("coach",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("coach", "body", "other_body_name", "member_number", "credential")
    list_filter = ("body",)
    search_fields = ("coach__email", "member_number", "credential")
    list_select_related = ("coach",)


class ArchivedFilter(admin.SimpleListFilter):
    title = "archived"
    parameter_name = "archived"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> tuple[tuple[str, str], ...]:
        return (("no", "Active"), ("yes", "Archived"))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in {"yes", "no"}:
            return queryset.filter(archived_at__isnull=self.value() == "no")
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "coach", "created_at", "archived_at")
    list_filter = (ArchivedFilter, "created_at")
    search_fields = ("name", "coach__email")
    list_select_related = ("coach",)


@admin.register(SponsorContact)
class SponsorContactAdmin(admin.ModelAdmin[SponsorContact]):
    list_display = ("name", "email", "role", "organisation", "coach", "archived_at")
    list_filter = ("role", ArchivedFilter)
    search_fields = ("name", "email", "organisation__name", "coach__email")
    list_select_related = ("organisation", "coach")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ("name", "email", "job_title", "organisation", "coach", "archived_at")
    list_filter = (ArchivedFilter, ("organisation", admin.EmptyFieldListFilter))
    search_fields = ("name", "email", "organisation__name", "coach__email")
    list_select_related = ("organisation", "coach")


@admin.register(TokenBucket)
class TokenBucketAdmin(admin.ModelAdmin[TokenBucket]):
    list_display = ("key", "tokens", "updated_at")
    search_fields = ("key",)
