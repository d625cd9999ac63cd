"""Views for the coach's own account: sign-up, sign-in, profile, memberships and the
practice's brand (with the stylesheet and logo that parties' pages load)."""

from typing import Any

from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from coaching import services
from coaching.branding import Brand, brand_css, brand_of, logo_bytes
from coaching.devices import describe_device
from coaching.forms import (
    AccountForm,
    BrandingForm,
    MembershipForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
    SignUpPasswordForm,
    ThrottledPasswordResetForm,
)
from coaching.http import CoachRequest, client_ip
from coaching.models import CoachProfile, Membership, User
from coaching.scoping import get_owned_or_404
from coaching.twofactor import has_two_factor

SIGN_UP_LINK_PROBLEMS = {"unknown": 404, "expired": 410, "used": 410}


def signup(request: HttpRequest) -> HttpResponse:
    """The first step: the same answer ("check your email") whoever owns the address."""
    if request.user.is_authenticated:
        return redirect("coaching:home")
    form = SignUpForm(request.POST if request.method == "POST" else None, ip=client_ip(request))
    if request.method == "POST" and form.is_valid():
        services.signup_request(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            practice_name=form.cleaned_data["practice_name"],
        )
        return redirect("coaching:signup-sent")
    status = 429 if form.has_error(NON_FIELD_ERRORS, "throttled") else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_sent.html", {"hours": services.SIGN_UP_LINK_HOURS})


@never_cache
def signup_finish(request: HttpRequest) -> HttpResponse:
    """The second step, from the emailed link: choose a password, and the account is made.

    Opening the link changes nothing (mail scanners open links); the POST creates the
    account, once, and signs the coach in.
    """
    token = request.GET.get("token", "")
    try:
        details = services.signup_details(token)
        candidate = User(email=details.email, full_name=details.full_name)
        form = SignUpPasswordForm(
            request.POST if request.method == "POST" else None, user=candidate
        )
        if request.method == "POST" and form.is_valid():
            coach = services.signup_complete(
                details=details, password=form.cleaned_data["password1"]
            )
            response = complete_sign_in(
                request, coach, redirect_url=reverse("coaching:profile"), signup=True
            )
            messages.success(
                request,
                "Welcome to Tripartite. Add your professional memberships and insurance: "
                "they appear on every agreement you send.",
            )
            return response
    except services.SignUpLinkProblem as problem:
        return render(
            request,
            "registration/signup_link_problem.html",
            {"problem": problem.kind, "hours": services.SIGN_UP_LINK_HOURS},
            status=SIGN_UP_LINK_PROBLEMS[problem.kind],
        )
    return render(request, "registration/signup_finish.html", {"form": form, "details": details})


def complete_sign_in(
    request: HttpRequest, user: User, *, redirect_url: str, signup: bool = False
) -> HttpResponse:
    """After the password: allauth's sign-in steps (a verified address, the second factor
    when the account has one), then the session, the sessions list and the new-device
    email. The answer is where the browser goes next."""
    login = Login(user=user, email=user.email, redirect_url=redirect_url, signup=signup)
    response: HttpResponse = perform_password_login(request, {"email": user.email}, login)
    return response


class SignInView(auth_views.LoginView):
    """Django's sign-in (with the throttle of SignInForm), naming the product rather than
    the host it was reached at (LoginView puts the request's host in `site_name` when the
    sites framework is off); a right password continues through complete_sign_in."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["site_name"] = settings.SITE_NAME
        return context

    def form_valid(self, form: Form) -> HttpResponse:
        assert isinstance(form, SignInForm)  # noqa: S101  (the form this view is made with)
        user = form.get_user()
        assert isinstance(user, User)  # noqa: S101
        return complete_sign_in(self.request, user, redirect_url=self.get_success_url())


sign_in = SignInView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True)
sign_out = auth_views.LogoutView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    email_template_name = "emails/password-reset-body.txt"
    html_email_template_name = "emails/password-reset-body.html"
    subject_template_name = "emails/password-reset-subject.txt"
    success_url = reverse_lazy("coaching:password-reset-done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "ip": client_ip(self.request)}


password_reset = PasswordResetView.as_view()


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password from an emailed link ends every session of the account."""

    success_url = reverse_lazy("coaching:password-reset-complete")

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(request=self.request, user=form.user, reset=True)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """A changed password ends every other session; this one stays signed in."""

    success_url = reverse_lazy("coaching:password-change-done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        assert isinstance(form.user, User)  # noqa: S101  (the signed-in coach's own form)
        services.password_changed(request=self.request, user=form.user, reset=False)
        return response


password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view()


@login_required
def profile(request: CoachRequest) -> HttpResponse:
    coach = request.user
    profile = coach.profile
    account_form = AccountForm(
        request.POST if request.method == "POST" else None, instance=coach, prefix="account"
    )
    profile_form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=profile, prefix="profile"
    )
    if request.method == "POST" and account_form.is_valid() and profile_form.is_valid():
        services.coach_update_profile(account_form=account_form, profile_form=profile_form)
        messages.success(request, "Your profile is saved.")
        return redirect("coaching:profile")
    return render(
        request,
        "coaching/profile.html",
        {
            "account_form": account_form,
            "profile_form": profile_form,
            "memberships": coach.memberships.all(),
            "brand": brand_of(profile),
            "two_factor": has_two_factor(coach),
        },
    )


@login_required
def branding(request: CoachRequest) -> HttpResponse:
    """The practice's logo and colour, shown to its clients and sponsors."""
    profile = request.user.profile
    posted = request.method == "POST"
    form = BrandingForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"brand_color": profile.brand_color.upper()},
    )
    if posted and form.is_valid():
        services.coach_update_brand(
            profile=profile,
            color=form.cleaned_data["brand_color"],
            logo=form.cleaned_data["logo"],
            remove_logo=form.cleaned_data["remove_logo"],
        )
        messages.success(request, "Your branding is saved.")
        return redirect("coaching:branding")
    return render(
        request,
        "coaching/branding.html",
        {"form": form, "brand": brand_of(profile)},
        status=400 if posted else 200,
    )


# A brand's stylesheet and logo are public (parties' pages load them without an account)
# and named by a random key; their URL changes with them, so browsers may keep them a day.
BRAND_CACHE = "public, max-age=86400"


def _brand_or_404(key: str) -> Brand:
    profile = (
        CoachProfile.objects.select_related("coach").filter(brand_key=key).first() if key else None
    )
    brand = brand_of(profile) if profile is not None else None
    if brand is None:
        raise Http404("No such brand.")
    return brand


@require_safe
def brand_stylesheet(request: HttpRequest, key: str) -> HttpResponse:
    response = HttpResponse(brand_css(_brand_or_404(key)), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = BRAND_CACHE
    return response


@require_safe
def brand_logo(request: HttpRequest, key: str) -> HttpResponse:
    brand = _brand_or_404(key)
    data = logo_bytes(brand)
    if data is None:
        raise Http404("No logo.")
    response = HttpResponse(data, content_type=brand.logo_mimetype)
    response["Cache-Control"] = BRAND_CACHE
    return response


@login_required
def membership_create(request: CoachRequest) -> HttpResponse:
    form = MembershipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.instance.coach = request.user
        form.save()
        messages.success(request, f"Your {form.instance.body_name} membership is added.")
        return redirect("coaching:profile")
    return render(request, "coaching/membership_form.html", {"form": form})


@login_required
def membership_edit(request: CoachRequest, pk: int) -> HttpResponse:
    membership = get_owned_or_404(Membership, request.user, pk=pk)
    form = MembershipForm(request.POST if request.method == "POST" else None, instance=membership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Your {membership.body_name} membership is saved.")
        return redirect("coaching:profile")
    return render(request, "coaching/membership_form.html", {"form": form, "object": membership})


@login_required
@require_POST
def membership_delete(request: CoachRequest, pk: int) -> HttpResponse:
    membership = get_owned_or_404(Membership, request.user, pk=pk)
    membership.delete()
    messages.success(request, f"Your {membership.body_name} membership is removed.")
    return redirect("coaching:profile")


@login_required
@require_POST
def session_end(request: CoachRequest, pk: int) -> HttpResponse:
    """Sign out one of the coach's sessions (this one too, if it is the one named)."""
    session = UserSession.objects.filter(user=request.user, pk=pk).first()
    if session is None:
        raise Http404("No such session of yours.")
    if session.session_key == request.session.session_key:
        logout(request)
        return redirect("coaching:login")
    services.sessions_end_one(session=session)
    messages.success(request, f"{describe_device(session.user_agent)} is signed out.")
    return redirect("usersessions_list")
