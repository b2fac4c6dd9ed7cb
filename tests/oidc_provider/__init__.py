"""A real OpenID provider for Alongside's sign-in tests: a small Django project on django-oauth-toolkit, run by
gunicorn as its own process (tests/oidc_provider/fixtures.py starts it), on a SQLite database in a temporary
directory. It is never Alongside: it has its own settings, database, cookies and people, all set per run by the
fixture through the environment.

Nothing here is a test module (no test_*.py), so pytest never collects it; the settings module refuses to load
outside the fixture's environment.
"""
