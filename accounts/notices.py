"""Telling a person that how they sign in has changed: their password, their e-mail address or their two-factor,
by whatever route, by them or by an administrator. The notice says what changed and when, never the new secret,
and how to get help if it was not them. It goes through the outbox like every other message."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from frontend.dates import long_date

from .models import Notification, User, sign_in_changed
from .notifications import notify

KIND = "sign-in changed"
NOT_YOU = (
    "If you did not make or ask for this change, reset your password from the sign-in page straight away and tell "
    "your programme lead."
)


def tell(user: User, *, subject: str, happened: str, address: str = "") -> list[Notification]:
    """One notice to the person (to `address` instead, for the old address of a changed e-mail)."""
    now = timezone.localtime()
    when = f"{long_date(now)} at {now:%H:%M}"
    body = f"{happened} on {when}.\n\n{NOT_YOU}"
    return notify(
        recipients=[user], kind=KIND, subject=subject, body=body, link=reverse("accounts:security"), address=address
    )


@receiver(sign_in_changed, dispatch_uid="alongside-sign-in-changed-notice")
def _tell_of_change(sender: Any, user: User, what: str, previous: str, **kwargs: Any) -> None:
    if what == "password":
        tell(user, subject="Your Alongside password was changed", happened="The password of your account was changed")
    elif what == "email" and previous:
        tell(
            user,
            subject="The e-mail address of your Alongside account was changed",
            happened="Your Alongside account stopped using this e-mail address",
            address=previous,
        )
