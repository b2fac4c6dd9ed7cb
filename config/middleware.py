"""WhiteNoise, plus NHS.UK frontend's icons at /assets/, where its stylesheet expects them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the assets folder: the package holds thousands of source files that must not be scanned per start.
        self.add_files(str(settings.NHSUK_ASSETS), prefix="assets/")


class SecurityHeadersMiddleware:
    """The headers Django does not set itself: Permissions-Policy on every response, and `Cache-Control: no-store`
    on every page shown to a signed-in person, so a shared computer's cache or back button keeps nothing."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
