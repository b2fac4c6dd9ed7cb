from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accounts.access import is_central_team, sees_every_site
from lessons.access import may_use_library


def navigation(request: HttpRequest) -> dict[str, object]:
    """The header's navigation: one entry for each place this person's roles give them. It sits at the top of the
    layers because it links to every app's pages and asks each app's access module."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "is_central_team": False}
    current = request.resolver_match.view_name if request.resolver_match else ""
    roles = user.roles  # loaded with the person (config.people): no query here
    unread = roles.unread_notifications
    items = [("home", "Home", reverse("home"))]
    if roles.is_site_member:
        items.append(("sites:my_site", "My site", reverse("sites:my_site")))
    if roles.is_enabler:
        items.append(("engagements:enabler_profile_edit", "My profile", reverse("engagements:enabler_profile_edit")))
    if is_central_team(user):
        items.append(("engagements:queue", "Queue", reverse("engagements:queue")))
        items.append(("engagements:enabler_pool", "Enablers", reverse("engagements:enabler_pool")))
        items.append(("onboarding:start", "Set-up", reverse("onboarding:start")))
    if sees_every_site(user):
        items.append(("engagements:overview", "Overview", reverse("engagements:overview")))
    if may_use_library(user):
        items.append(("lessons:library", "Lessons", reverse("lessons:library")))
    if sees_every_site(user):
        items.append(("sites:site_list", "Site directory", reverse("sites:site_list")))
    if user.is_staff:
        items.append(("admin:index", "Administration", reverse("admin:index")))
    items.append(
        (
            "accounts:notification_list",
            f"Notifications ({unread})" if unread else "Notifications",
            reverse("accounts:notification_list"),
        )
    )
    return {
        # The templates ask this, not the account's field: a deactivated lead is nobody (accounts.access).
        "is_central_team": is_central_team(user),
        "navigation": [
            {"name": name, "text": text, "href": href, "current": name == current} for name, text, href in items
        ],
    }
