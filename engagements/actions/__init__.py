"""Engagements' actions, one module a topic: every change of state, each one transaction with its audit event."""
