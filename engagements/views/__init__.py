"""Engagements' pages, one module a topic: urls.py names each view by its module (`requests.request_create`)."""
