"""The first themes, from the lessons of the Pioneer and Accelerate support, and (on PostgreSQL) the GIN index
that full-text search of the library uses."""

from django.db import migrations
from django.utils.text import slugify

THEMES = [
    (
        "Relationships and shared purpose",
        "Strong relationships and a shared purpose carry a partnership through storms.",
    ),
    ("Connectivity", "Wider connections and relationships across the system."),
    ("People who use services at the centre", "Patients, service users and communities, where energy often lies."),
    ("Cross-boundary senior roles", "Senior leaders whose role spans organisations, not on top of their day job."),
    ("Senior and operational leadership", "Leadership and connections at senior and operational levels."),
    ("Influence rather than formal power", "Making change through influence and connection."),
    ("Collective leadership", "Seeing oneself as part of a shared leadership with a shared ambition."),
    ("Time and adaptive action", "Allowing time, and taking the longer route when needed."),
    ("Leadership in organisational development", "Systems leadership as part of OD and professional development."),
    ("Commitment to place", "Commitment to the place and a focus on outcomes."),
    ("Flexible support", "Support that adapts to each site rather than one size for all."),
    ("Readiness and pull", "Sites deciding when they are ready for support."),
    ("Practitioner credibility", "Senior health or social care experience in those who support sites."),
    ("No performance reporting", "Support kept apart from reporting and judgement of a site's leadership."),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("lessons", "Theme")
    for name, description in THEMES:
        Theme.objects.get_or_create(slug=slugify(name), defaults={"name": name, "description": description})


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS lessons_lesson_search_vector_gin ON lessons_lesson USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS lessons_lesson_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [
        migrations.RunPython(add_themes, migrations.RunPython.noop),
        migrations.RunPython(add_search_index, drop_search_index),
    ]
