"""One account per e-mail address, and none whose address only looks like another's; and an index to count the
codes texted to a number lately."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0017_user_email_skeleton"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(fields=("email_skeleton",), name="user_one_account_per_address"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("channel", "text")), fields=["phone", "created_at"], name="notification_texts_idx"
            ),
        ),
    ]
