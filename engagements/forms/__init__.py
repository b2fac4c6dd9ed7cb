"""Engagements' forms, one module a topic: they clean and validate what people send, and decide no access."""
