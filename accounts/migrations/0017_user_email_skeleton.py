"""Each account keeps how its address looks (accounts.addresses.skeleton), and its address normalised, so that the
next migration can make the database refuse a second account with the same or a look-alike address."""

from collections import defaultdict
from typing import Any

from django.db import migrations, models

from accounts import addresses


def keep_skeletons(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    accounts = list(User.objects.only("pk", "email"))
    alike: dict[str, list[int]] = defaultdict(list)
    for account in accounts:
        alike[addresses.skeleton(account.email)].append(account.pk)
    clashes = [sorted(ids) for ids in alike.values() if len(ids) > 1]
    if clashes:
        raise RuntimeError(
            "These accounts have the same e-mail address, or addresses that look the same, and Alongside now "
            f"allows one account per address: {clashes}. Change the address of all but one of each (or delete the "
            "accounts not needed), then migrate again."
        )
    for account in accounts:
        account.email = addresses.normalised(account.email)
        account.email_skeleton = addresses.skeleton(account.email)
    User.objects.bulk_update(accounts, ["email", "email_skeleton"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_shared_words_verbs"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_skeleton",
            field=models.CharField(default="", editable=False, max_length=1000),
            preserve_default=False,
        ),
        migrations.RunPython(keep_skeletons, migrations.RunPython.noop, elidable=False),
    ]
