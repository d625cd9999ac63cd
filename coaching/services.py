"""Workflows about coaches that touch more than one row."""

from django.db import transaction
from django.forms import ModelForm

from coaching.models import CoachProfile, User


@transaction.atomic
def coach_sign_up(*, email: str, password: str, full_name: str, practice_name: str = "") -> User:
    """Create a coach's account and practice profile together."""
    coach = User.objects.create_user(email, password, full_name=full_name)
    coach.profile.practice_name = practice_name
    coach.profile.save(update_fields=["practice_name"])
    return coach


@transaction.atomic
def coach_update_profile(
    *, account_form: ModelForm[User], profile_form: ModelForm[CoachProfile]
) -> None:
    """Save the account and the practice profile, both or neither."""
    account_form.save()
    profile_form.save()
