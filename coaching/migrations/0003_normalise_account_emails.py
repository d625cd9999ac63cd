"""Store every account's email address in the one form it is looked up in.

Accounts were stored lower-cased and looked up case-insensitively by the database.
They are now stored as `coaching.models.normalise_email` gives them (NFKC, casefold,
NFKC) and looked up exactly. If two accounts would end with the same address, nothing
is changed: the migration stops and gives their ids (never their addresses, which
would end up in deployment logs), for a person to decide.
"""

import unicodedata
from collections import defaultdict

from django.db import migrations


def normalise_email(address):
    # A copy, so that this migration keeps doing what it did if the function changes.
    folded = unicodedata.normalize("NFKC", address.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def normalise_account_emails(apps, schema_editor):
    User = apps.get_model("coaching", "User")
    accounts = defaultdict(list)
    for pk, email in User.objects.order_by("pk").values_list("pk", "email"):
        accounts[normalise_email(email)].append((pk, email))
    collisions = [found for found in accounts.values() if len(found) > 1]
    if collisions:
        listed = "; ".join(
            " and ".join(str(pk) for pk, _ in found) for found in collisions
        )
        raise RuntimeError(
            "Some accounts' email addresses differ only in case or in Unicode spelling and "
            f"would become the same address (account ids: {listed}). Change or merge "
            "those accounts in the admin, then migrate again."
        )
    for normalised, [(pk, email)] in accounts.items():
        if email != normalised:
            User.objects.filter(pk=pk).update(email=normalised)


class Migration(migrations.Migration):
    dependencies = [("coaching", "0002_every_coach_has_a_profile")]

    operations = [migrations.RunPython(normalise_account_emails, migrations.RunPython.noop)]
