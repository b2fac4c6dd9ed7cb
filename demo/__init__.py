"""Demo data, at the top of the layers: `manage.py seed_demo` builds a small programme from every app's actions."""
