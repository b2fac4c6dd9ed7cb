"""What tests share beyond fixtures: building data with the real actions, signing in, sweeping the database and the
cache, running processes, the access matrix. Fixtures live in the conftest.py files and import from here."""
