"""Who is signed in: Django's model back end, loading the person together with their roles."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User


class PersonBackend(ModelBackend):
    """Authenticates as ModelBackend does. On every request it loads the person with `roles` (site member,
    enabler, authenticator, unread notifications) in one query, which the header, the two-factor middleware and
    the library's gate read instead of asking again."""

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
