"""Each private note gets its own random id and a version, which its sealing is bound to from now on (with its
engagement), so that words moved between notes or put back from an earlier version do not open. Notes sealed before
keep version 0 (bound to their engagement alone) and still open; they are bound anew on their next write, or at once
by `manage.py rebind_private_notes` for those the server seals."""

import uuid

from django.db import migrations, models


def give_each_note_its_own_id(apps, schema_editor):
    PrivateNote = apps.get_model("engagements", "PrivateNote")
    rows = list(PrivateNote.objects.filter(uid__isnull=True).only("pk"))
    for row in rows:
        row.uid = uuid.uuid4()
    PrivateNote.objects.bulk_update(rows, ["uid"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0013_feedback_shared_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="privatenote",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="privatenote",
            name="version",
            field=models.PositiveIntegerField(
                default=0,
                help_text="How many times its words were sealed; 0: sealed bound to its engagement alone (older).",
            ),
        ),
        migrations.RunPython(give_each_note_its_own_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="privatenote",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="privatenote",
            name="version",
            field=models.PositiveIntegerField(
                default=1,
                help_text="How many times its words were sealed; 0: sealed bound to its engagement alone (older).",
            ),
        ),
    ]
