"""The request a view behind log-in receives: its `user` is a signed-in person, never the anonymous user.

`LoginRequiredMiddleware` (config/settings.py) turns every anonymous request away before a view runs, except on
the pages marked `login_not_required`, so every other view may rely on this type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
