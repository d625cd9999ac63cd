"""Give every account made before profiles were created with it a profile of its own."""

from django.db import migrations


def create_missing_profiles(apps, schema_editor):
    User = apps.get_model("coaching", "User")
    CoachProfile = apps.get_model("coaching", "CoachProfile")
    CoachProfile.objects.bulk_create(
        CoachProfile(coach=user) for user in User.objects.filter(profile__isnull=True)
    )


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]

    operations = [migrations.RunPython(create_missing_profiles, migrations.RunPython.noop)]
