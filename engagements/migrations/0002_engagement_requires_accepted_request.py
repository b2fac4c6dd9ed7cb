"""The database itself refuses an engagement whose request is not accepted: pull, never push, even for code or
a person that bypasses Alongside's own actions. A trigger, since a check constraint cannot look at another table."""

from django.db import migrations

POSTGRESQL = """
CREATE FUNCTION engagement_requires_accepted_request() RETURNS trigger AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM engagements_supportrequest WHERE id = NEW.request_id AND state = 'accepted'
  ) THEN
    RAISE EXCEPTION 'An engagement is born only from an accepted support request' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER engagement_requires_accepted_request
  BEFORE INSERT OR UPDATE OF request_id ON engagements_engagement
  FOR EACH ROW EXECUTE FUNCTION engagement_requires_accepted_request();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS engagement_requires_accepted_request ON engagements_engagement;
DROP FUNCTION IF EXISTS engagement_requires_accepted_request();
"""
SQLITE_CHECK = """
WHEN NOT EXISTS (SELECT 1 FROM engagements_supportrequest WHERE id = NEW.request_id AND state = 'accepted')
BEGIN
  SELECT RAISE(ABORT, 'An engagement is born only from an accepted support request');
END;
"""
SQLITE = [
    "CREATE TRIGGER engagement_requires_accepted_request_insert BEFORE INSERT ON engagements_engagement" + SQLITE_CHECK,
    "CREATE TRIGGER engagement_requires_accepted_request_update BEFORE UPDATE OF request_id ON engagements_engagement"
    + SQLITE_CHECK,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS engagement_requires_accepted_request_insert;",
    "DROP TRIGGER IF EXISTS engagement_requires_accepted_request_update;",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
