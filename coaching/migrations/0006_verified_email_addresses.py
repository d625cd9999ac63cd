"""Every account made before email addresses were tracked gets its address as verified:
sign-up only ever made an account from a link followed from that address."""

from django.db import migrations


def verify_existing_addresses(apps, schema_editor):
    User = apps.get_model("coaching", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    recorded = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=user_id, email=email, verified=True, primary=True)
            for user_id, email in User.objects.order_by("pk").values_list("pk", "email")
            if user_id not in recorded
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0005_branding"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_existing_addresses, migrations.RunPython.noop)]
