"""The session store: Django's database sessions, with the account each belongs to (`AccountSession.user`), so that
deactivating an account ends every one of its sessions (accounts.models.User.save). Set as SESSION_ENGINE."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from .models import AccountSession


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[AccountSession]:
        return AccountSession

    def create_model_instance(self, data: dict[str, Any]) -> AccountSession:
        session = super().create_model_instance(data)
        assert isinstance(session, AccountSession)  # noqa: S101  (get_model_class above)
        try:
            session.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_id = None
        return session
